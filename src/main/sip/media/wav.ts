/** 16-bit PCM mono WAV files at 8 kHz: the prompts in resources/, and voicemail recordings. */

export const SAMPLE_RATE = 8000;

export class WavError extends Error {}

/** The samples of a 16-bit PCM mono 8 kHz WAV file. */
export function readWav(file: Buffer): Int16Array {
  if (file.length < 12 || file.toString('latin1', 0, 4) !== 'RIFF' || file.toString('latin1', 8, 12) !== 'WAVE')
    throw new WavError('Not a WAV file');
  let offset = 12;
  let format: { channels: number; rate: number; bits: number; tag: number } | null = null;
  while (offset + 8 <= file.length) {
    const id = file.toString('latin1', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        tag: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        rate: file.readUInt32LE(body + 4),
        bits: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format || format.tag !== 1 || format.channels !== 1 || format.rate !== SAMPLE_RATE || format.bits !== 16)
        throw new WavError('Expected 16-bit PCM, mono, 8 kHz');
      const end = Math.min(file.length, body + size);
      const samples = new Int16Array(Math.floor((end - body) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(body + i * 2);
      return samples;
    }
    offset = body + size + (size % 2);
  }
  throw new WavError('The WAV file has no audio');
}

/**
 * 16-bit PCM at 8 kHz, `channels` interleaved: frame i holds channel c's
 * sample `sample(c, i)`, clipped to 16 bits.
 */
export function pcmWav(channels: number, frames: number, sample: (channel: number, frame: number) => number): Buffer {
  const block = channels * 2;
  const data = frames * block;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(SAMPLE_RATE, 24);
  out.writeUInt32LE(SAMPLE_RATE * block, 28);
  out.writeUInt16LE(block, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(data, 40);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const v = sample(c, i);
      out.writeInt16LE(v > 32767 ? 32767 : v < -32768 ? -32768 : v, 44 + i * block + c * 2);
    }
  }
  return out;
}

export function writeWav(samples: Int16Array): Buffer {
  return pcmWav(1, samples.length, (_c, i) => samples[i]!);
}

/** A sine tone (the voicemail beep). */
export function tone(hz: number, ms: number, amplitude = 8000): Int16Array {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = new Int16Array(n);
  const fade = Math.min(80, n >> 2);
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / fade, (n - 1 - i) / fade);
    out[i] = Math.round(amplitude * env * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE));
  }
  return out;
}
