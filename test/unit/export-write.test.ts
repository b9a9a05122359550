import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeOrWait } from '../../src/main/server/exportRoute';

/** A socket-like sink that takes one chunk per tick, so nearly every write waits. */
function slowSink() {
  const taken: string[] = [];
  const sink = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _encoding, callback) {
      taken.push(chunk.toString());
      setImmediate(callback);
    },
  });
  return { sink, taken };
}

describe('writing an export with backpressure', () => {
  it('waits for each drain and leaves no listener behind, however many times it waits', async () => {
    const { sink, taken } = slowSink();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 200; i++) await writeOrWait(sink, `row ${i}\n`);
      await new Promise((resolve) => sink.end(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(taken).toHaveLength(200);
    expect(taken[199]).toBe('row 199\n');
    expect(sink.listenerCount('drain')).toBe(0);
    expect(sink.listenerCount('close')).toBe(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('stops waiting when the response closes (the download was abandoned)', async () => {
    const sink = new Writable({
      highWaterMark: 4,
      write() {
        // Never calls back: the other side stopped reading.
      },
    });
    const waiting = writeOrWait(sink, 'a long first row\n');
    sink.destroy();
    await expect(waiting).resolves.toBeUndefined();
    expect(sink.listenerCount('drain')).toBe(0);
    // Writing to a closed response does not wait at all.
    await expect(writeOrWait(sink, 'more\n')).resolves.toBeUndefined();
  });
});
