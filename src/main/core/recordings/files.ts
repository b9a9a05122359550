import { closeSync, openSync, readSync, unlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from '../store/db';
import { stmt } from '../store/stmt';
import { recordingFile } from './index';

const dataDirs = new WeakMap<Db, string>();

/**
 * The data directory of a database: the folder of its file, where the phone
 * service writes recordings. An in-memory database (tests, the demo in a
 * browser) has one only when it is set.
 */
export function dataDirOf(db: Db): string | null {
  const set = dataDirs.get(db);
  if (set !== undefined) return set;
  return db.memory || db.name === '' ? null : dirname(db.name);
}

export function setDataDir(db: Db, dir: string): void {
  dataDirs.set(db, dir);
}

export interface WavShape {
  channels: number;
  rate: number;
  bits: 8 | 16;
  dataOffset: number;
  dataBytes: number;
}

/** The layout of a PCM WAV file (8- or 16-bit, any rate and channel count), or null when it is not one. */
export function wavShape(head: Buffer, fileSize: number): WavShape | null {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE')
    return null;
  let offset = 12;
  let fmt: { tag: number; channels: number; rate: number; bits: number } | null = null;
  while (offset + 8 <= head.length) {
    const id = head.toString('latin1', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= head.length) {
      fmt = {
        tag: head.readUInt16LE(body),
        channels: head.readUInt16LE(body + 2),
        rate: head.readUInt32LE(body + 4),
        bits: head.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt || fmt.tag !== 1 || (fmt.bits !== 8 && fmt.bits !== 16) || fmt.channels < 1 || fmt.rate < 1) return null;
      // A file still being written may say 0 or too much: what is there counts.
      const dataBytes = Math.max(0, Math.min(size === 0 ? Infinity : size, fileSize - body));
      return { channels: fmt.channels, rate: fmt.rate, bits: fmt.bits, dataOffset: body, dataBytes };
    }
    offset = body + size + (size % 2);
  }
  return null;
}

/** How many bars a waveform has: enough for a wide player, few enough to send with every call's details. */
export const WAVEFORM_BARS = 160;

const peakCache = new Map<string, number[]>();
const PEAK_CACHE_SIZE = 200;

/**
 * The waveform of a recording: for each of WAVEFORM_BARS equal stretches, its
 * loudest sample over all channels, 0..1 (square-rooted, so speech shows
 * beside loud tones). Read once per file and kept for the latest few hundred
 * files; a file that is missing or not a PCM WAV has none.
 */
export function waveform(file: string): number[] | null {
  const cached = peakCache.get(file);
  if (cached) return cached;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = statSync(file).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    const shape = wavShape(head, size);
    if (!shape) return null;
    const bytesPerFrame = (shape.bits / 8) * shape.channels;
    const frames = Math.floor(shape.dataBytes / bytesPerFrame);
    const peaks = new Array<number>(WAVEFORM_BARS).fill(0);
    const chunk = Buffer.alloc(bytesPerFrame * 8192);
    let frame = 0;
    while (frame < frames) {
      const want = Math.min(chunk.length, (frames - frame) * bytesPerFrame);
      const got = readSync(fd, chunk, 0, want, shape.dataOffset + frame * bytesPerFrame);
      if (got <= 0) break;
      const n = Math.floor(got / bytesPerFrame);
      for (let i = 0; i < n; i++) {
        const bar = Math.min(WAVEFORM_BARS - 1, Math.floor(((frame + i) * WAVEFORM_BARS) / frames));
        for (let ch = 0; ch < shape.channels; ch++) {
          const at = i * bytesPerFrame + ch * (shape.bits / 8);
          const v = shape.bits === 16 ? Math.abs(chunk.readInt16LE(at)) / 32768 : Math.abs(chunk[at]! - 128) / 128;
          if (v > peaks[bar]!) peaks[bar] = v;
        }
      }
      frame += n;
    }
    const out = peaks.map((p) => Math.round(Math.sqrt(p) * 1000) / 1000);
    if (peakCache.size >= PEAK_CACHE_SIZE) peakCache.delete(peakCache.keys().next().value!);
    peakCache.set(file, out);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Up to `length` bytes of a file from `offset`, and its size; null when the file cannot be read. */
export function readPart(file: string, offset: number, length: number): { bytes: Buffer; size: number } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = statSync(file).size;
    const n = Math.max(0, Math.min(length, size - offset));
    const bytes = Buffer.alloc(n);
    if (n > 0) readSync(fd, bytes, 0, n, offset);
    return { bytes, size };
  } finally {
    closeSync(fd);
  }
}

/** Removes a recording's file; one already gone is fine. Returns whether a file was removed. */
export function removeRecordingFile(dataDir: string, storedPath: string): boolean {
  const file = recordingFile(dataDir, storedPath);
  peakCache.delete(file);
  try {
    unlinkSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Removes the files of deleted recordings once their deletion has committed:
 * a file whose row is still there (the transaction was rolled back) is kept.
 */
export function removeFilesOfDeleted(db: Db, paths: readonly string[]): void {
  const dir = dataDirOf(db);
  if (dir === null || paths.length === 0) return;
  setImmediate(() => {
    for (const path of paths) {
      try {
        if (db.open && stmt(db, 'SELECT 1 FROM recordings WHERE path = ?').get(path)) continue;
        removeRecordingFile(dir, path);
      } catch (error) {
        console.error(`Removing the recording ${path} failed`, error);
      }
    }
  });
}
