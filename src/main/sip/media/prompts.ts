import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../config';
import { SAMPLE_RATE, writeWav } from './wav';

/**
 * `npm run prompts`: renders the phone service's spoken prompts into
 * resources/prompts as the 16-bit mono 8 kHz WAV the voicemail service plays.
 * Needs espeak-ng (Debian: apt-get install espeak-ng). The files are
 * committed, so nothing here runs at install or test time.
 */

const prompts: Record<string, string> = {
  'voicemail-greeting': 'Please leave your message after the tone.',
};

/** espeak-ng's 16-bit mono output at its own rate, averaged down to 8 kHz (a box low-pass, then decimation). */
function to8k(wav: Buffer): Int16Array {
  const rate = wav.readUInt32LE(24);
  const dataAt = wav.indexOf('data', 12, 'latin1') + 8;
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

for (const [name, text] of Object.entries(prompts)) {
  const samples = to8k(execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '--stdout', text]));
  const file = join(projectRoot, 'resources', 'prompts', `${name}.wav`);
  writeFileSync(file, writeWav(samples));
  console.log(`${file}: ${(samples.length / SAMPLE_RATE).toFixed(1)} s`);
}
