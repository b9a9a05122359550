import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RECORDING_NOTICE } from '../../core/recordings';
import { projectRoot } from '../config';
import { espeakTo8k } from './speech';
import { SAMPLE_RATE, writeWav } from './wav';

/**
 * `npm run prompts`: renders the phone service's fixed prompts into
 * resources/prompts as the 16-bit mono 8 kHz WAV the media service plays
 * (a flow's own texts are spoken at call time, speech.ts). Needs espeak-ng
 * (Debian: apt-get install espeak-ng). The files are committed, so nothing
 * here runs at install or test time.
 */

const prompts: Record<string, string> = {
  'voicemail-greeting': 'Please leave your message after the tone.',
  // Played to both parties when a call is recorded from its answer (a flow may have its own words).
  'recording-notice': DEFAULT_RECORDING_NOTICE,
};

for (const [name, text] of Object.entries(prompts)) {
  const samples = espeakTo8k(execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '--stdout', text]));
  const file = join(projectRoot, 'resources', 'prompts', `${name}.wav`);
  writeFileSync(file, writeWav(samples));
  console.log(`${file}: ${(samples.length / SAMPLE_RATE).toFixed(1)} s`);
}
