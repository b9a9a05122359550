import { execFile } from 'node:child_process';
import { SAMPLE_RATE } from './wav';

/**
 * Spoken prompts from text (a flow's greeting, menu and voicemail texts),
 * with espeak-ng when it is installed. Without it `say` answers null and
 * the callers hear tones only; greetings are then skipped (docs/softphone.md).
 */

export interface Speech {
  /** 16-bit 8 kHz samples of `text` spoken, or null when no synthesizer is available. */
  say(text: string): Promise<Int16Array | null>;
}

const MAX_CACHED = 64;
const TIMEOUT_MS = 5000;

export function espeakSpeech(binary = process.env.TEAMLINE_ESPEAK ?? 'espeak-ng'): Speech {
  let missing = false;
  const cache = new Map<string, Promise<Int16Array | null>>();
  const synthesize = (text: string) =>
    new Promise<Int16Array | null>((resolve) => {
      execFile(
        binary,
        ['-v', 'en-us', '-s', '150', '--stdout', '--', text],
        { encoding: 'buffer', timeout: TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 },
        (error, stdout) => {
          if (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') missing = true;
            return resolve(null);
          }
          try {
            resolve(espeakTo8k(stdout));
          } catch {
            resolve(null);
          }
        },
      );
    });
  return {
    say(text) {
      const t = text.trim();
      if (missing || t === '') return Promise.resolve(null);
      let hit = cache.get(t);
      if (!hit) {
        hit = synthesize(t);
        cache.set(t, hit);
        if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
        void hit.then((samples) => samples ?? cache.delete(t));
      }
      return hit;
    },
  };
}

/** espeak-ng's 16-bit mono WAV at its own rate, averaged down to 8 kHz (a box low-pass, then decimation). */
export function espeakTo8k(wav: Buffer): Int16Array {
  if (wav.toString('latin1', 0, 4) !== 'RIFF') throw new Error('Not a WAV stream');
  const rate = wav.readUInt32LE(24);
  const dataAt = wav.indexOf('data', 12, 'latin1') + 8;
  if (dataAt < 8 || rate < SAMPLE_RATE) throw new Error('Unexpected WAV stream');
  const source = new Int16Array(Math.floor((wav.length - dataAt) / 2));
  for (let i = 0; i < source.length; i++) source[i] = wav.readInt16LE(dataAt + i * 2);
  const ratio = rate / SAMPLE_RATE;
  const out = new Int16Array(Math.floor(source.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const a = Math.floor(i * ratio);
    const b = Math.max(a + 1, Math.floor((i + 1) * ratio));
    let sum = 0;
    for (let j = a; j < b; j++) sum += source[j] ?? 0;
    out[i] = Math.round(sum / (b - a));
  }
  return out;
}
