/** Looking at an input's first bytes (to recognise its format by content) without losing them. */
import type { OpenedInput } from '../ingest/source.js';

/** Enough bytes to recognise any format readInputs reads. */
export const PEEK_BYTES = 4096;

/** Peek at the first bytes without losing them. */
export async function peek(input: OpenedInput): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  // A pipe may deliver a few bytes at a time: gather enough to recognise any format.
  const it = input.chunks[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let have = 0;
  while (have < PEEK_BYTES) {
    const r = await it.next();
    if (r.done) break;
    parts.push(r.value);
    have += r.value.length;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, chunks: rest() };
}
