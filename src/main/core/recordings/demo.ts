import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { espeakTo8k } from '../../sip/media/speech';
import { pcmWav, SAMPLE_RATE } from '../../sip/media/wav';
import type { DemoIds } from '../demo/seed';
import type { Db } from '../store/db';
import { stmt } from '../store/stmt';
import { RECORDINGS_FOLDER, registerRecording } from './index';

const RATE = SAMPLE_RATE;

/** What the demo's recorded calls say: the caller (left channel) and the agent (right) taking turns. */
const lines: readonly [speaker: 0 | 1, text: string][] = [
  [1, 'Thank you for calling, how can I help?'],
  [0, 'Hi, I am calling about my order from last week.'],
  [1, 'Sure, can I have your order number please?'],
  [0, 'It is four two seven, one nine.'],
  [1, 'Thanks. I can see it shipped yesterday.'],
  [0, 'Great, that is all I needed.'],
  [1, 'You are welcome, have a good day.'],
  [0, 'Hello, I would like a quote for ten more seats.'],
  [1, 'Of course, I will send it by email today.'],
];

/** Spoken with espeak-ng when it is installed; null otherwise (the demo then uses its own voice-like sound). */
function espeak(text: string): Int16Array | null {
  try {
    const wav = execFileSync(
      process.env.TEAMLINE_ESPEAK ?? 'espeak-ng',
      ['-v', 'en-us', '-s', '165', '--stdout', '--', text],
      {
        timeout: 4000,
        maxBuffer: 4 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return espeakTo8k(wav);
  } catch {
    return null;
  }
}

/**
 * Speech-like sound without a synthesizer: syllables of a voiced buzz (a
 * fundamental with falling harmonics, gliding in pitch) under a smooth
 * envelope, with short pauses, so a waveform and a player look and sound like
 * a conversation.
 */
function babble(text: string, pitch: number, seed: number): Int16Array {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const syllables = Math.max(3, Math.round(text.split(/\s+/).length * 1.4));
  const parts: Int16Array[] = [];
  for (let i = 0; i < syllables; i++) {
    const n = Math.round(RATE * (0.12 + rnd() * 0.14));
    const out = new Int16Array(n + Math.round(RATE * (rnd() < 0.25 ? 0.12 : 0.03)));
    const f0 = pitch * (0.9 + rnd() * 0.25);
    const glide = (rnd() - 0.5) * 0.3;
    const formant = 2 + Math.floor(rnd() * 4);
    let phase = 0;
    for (let k = 0; k < n; k++) {
      const t = k / n;
      phase += (2 * Math.PI * f0 * (1 + glide * t)) / RATE;
      let v = 0;
      for (let h = 1; h <= 8; h++) v += Math.sin(phase * h) / (1 + Math.abs(h - formant) * 1.5);
      const envelope = Math.sin(Math.PI * t) ** 0.6;
      out[k] = Math.round(v * envelope * 3800);
    }
    parts.push(out);
  }
  return concat(parts);
}

function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** 16-bit PCM stereo WAV at 8 kHz, the layout the phone service records in. */
function stereoWav(left: Int16Array, right: Int16Array): Buffer {
  return pcmWav(2, Math.max(left.length, right.length), (c, i) => (c === 0 ? left : right)[i] ?? 0);
}

/** A few turns of the script from `start`, laid out on the caller's and the agent's channels. */
function conversation(voices: readonly Int16Array[], start: number, turns: number): Buffer {
  const left: Int16Array[] = [];
  const right: Int16Array[] = [];
  const gap = new Int16Array(Math.round(RATE * 0.35));
  for (let i = 0; i < turns; i++) {
    const [speaker] = lines[(start + i) % lines.length]!;
    const voice = voices[(start + i) % lines.length]!;
    const silence = new Int16Array(voice.length);
    (speaker === 0 ? left : right).push(voice, gap);
    (speaker === 0 ? right : left).push(silence, gap);
  }
  return stereoWav(concat(left), concat(right));
}

export interface DemoRecordingsResult {
  recorded: number;
  failed: number;
  spoken: boolean;
}

/**
 * Recordings for the demo account, so call details show the player: Main
 * line calls are recorded always, the Billing line on demand; the newest
 * answered calls of each get a short WAV in the data directory, and two Main
 * line calls say their recording failed. The audio is espeak-ng's when it is
 * installed, else a voice-like sound made here.
 */
export function seedDemoRecordings(db: Db, dataDir: string, ids: DemoIds, now: number): DemoRecordingsResult {
  const spoken = lines.map(([, text]) => espeak(text));
  const hasSpeech = spoken.every((v) => v !== null);
  const voices = lines.map(([speaker, text], i) =>
    hasSpeech ? spoken[i]! : babble(text, speaker === 0 ? 190 : 125, 7919 * (i + 1)),
  );
  const folder = join(dataDir, RECORDINGS_FOLDER, 'demo');
  mkdirSync(folder, { recursive: true });
  stmt(db, `UPDATE call_flows SET record_mode = 'always' WHERE id = ?`).run(ids.flows.main);
  stmt(db, `UPDATE business_numbers SET record_mode = 'on_demand' WHERE id = ?`).run(ids.numbers.billing);
  const pick = (bnIds: number[], limit: number) =>
    stmt(
      db,
      `SELECT id, started_at, answered_at FROM calls
        WHERE account_id = ? AND result = 'answered' AND bn_id IN (SELECT value FROM json_each(?)) AND started_at <= ?
        ORDER BY started_at DESC LIMIT ?`,
    ).all(ids.accountId, JSON.stringify(bnIds), now, limit) as {
      id: number;
      started_at: number;
      answered_at: number;
    }[];
  const main = pick([ids.numbers.mainLA, ids.numbers.mainNY], 26);
  const billing = pick([ids.numbers.billing], 4);
  const failed = main.splice(main.length - 2, 2);
  let recorded = 0;
  db.transaction(() => {
    [...main, ...billing].forEach((c, i) => {
      const wav = conversation(voices, (i * 2) % lines.length, 3 + (i % 3));
      const path = `${RECORDINGS_FOLDER}/demo/call-${c.id}.wav`;
      writeFileSync(join(dataDir, path), wav);
      registerRecording(db, {
        accountId: ids.accountId,
        callId: c.id,
        path,
        format: 'wav',
        durationMs: Math.round(((wav.length - 44) / 4 / RATE) * 1000),
        sizeBytes: wav.length,
        startedAt: c.answered_at ?? c.started_at,
        createdAt: now,
      });
      recorded++;
    });
    for (const c of failed) stmt(db, `UPDATE calls SET recording_state = 'failed' WHERE id = ?`).run(c.id);
  })();
  return { recorded, failed: failed.length, spoken: hasSpeech };
}
