import { deserialize, serialize } from 'node:v8';
import type { Connection } from '../../src/main/core';
import { listKinds, methodOf, type ListKind } from './pages';
import { PAGE } from './lists';
import { round } from './stats';

export interface PayloadResult {
  list: ListKind;
  rows: number;
  /** The reply as the WebSocket host sends it: JSON text, UTF-8 bytes. */
  jsonBytes: number;
  jsonStringifyUs: number;
  jsonParseUs: number;
  /** As Electron's IPC carries it: the structured clone (V8 serializer) bytes. */
  cloneBytes: number;
  cloneSerializeUs: number;
  cloneDeserializeUs: number;
}

const medianUs = (iterations: number, run: () => unknown) => {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return round([...samples].sort((a, b) => a - b)[samples.length >> 1]!, 1);
};

/** One full first page of each list (the owner's, so it is full) as it crosses the process boundary. */
export async function measurePayload(conn: Connection, iterations: number): Promise<PayloadResult[]> {
  const out: PayloadResult[] = [];
  for (const list of listKinds) {
    const reply = await conn.invoke(methodOf[list], { limit: PAGE });
    if (!reply.ok) throw new Error(`${methodOf[list]} failed`);
    const json = JSON.stringify(reply);
    const clone = serialize(reply);
    out.push({
      list,
      rows: (reply.value as { items: unknown[] }).items.length,
      jsonBytes: Buffer.byteLength(json),
      jsonStringifyUs: medianUs(iterations, () => JSON.stringify(reply)),
      jsonParseUs: medianUs(iterations, () => JSON.parse(json)),
      cloneBytes: clone.length,
      cloneSerializeUs: medianUs(iterations, () => serialize(reply)),
      cloneDeserializeUs: medianUs(iterations, () => deserialize(clone)),
    });
  }
  return out;
}
