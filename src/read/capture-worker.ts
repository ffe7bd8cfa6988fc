/**
 * A worker thread (node:worker_threads) of a parallel capture read: reads one shard
 * (capture-shard.ts) and sends it back with its typed-array columns transferred, not copied
 * (progress is the calling thread's own shard's, parallel-capture.ts).
 * The main thread (parallel-capture.ts) loads the compiled dist/read/capture-worker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TrackerOptions } from '../flows/tracker.js';
import { readCaptureShard, type ShardRead } from './capture-shard.js';

export interface ShardJob {
  path: string;
  index: number;
  count: number;
  tracker: Partial<TrackerOptions>;
  maxDecompressedBytes?: number;
}

export type ShardMessage =
  | { kind: 'done'; read: ShardRead }
  | { kind: 'not-capture' }
  | { kind: 'failed'; reason: string };

/** The distinct ArrayBuffers under the typed arrays of a result, to hand over without a copy. */
function buffersOf(values: Iterable<unknown>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of values) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  return [...out];
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const job = workerData as ShardJob;
  const post = (m: ShardMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  try {
    const read = await readCaptureShard(job.path, job.index, job.count, job.tracker, job.maxDecompressedBytes);
    if (read === null) post({ kind: 'not-capture' });
    else post({ kind: 'done', read }, buffersOf([...Object.values(read.flows), ...Object.values(read.distribution)]));
  } catch (e) {
    // The main thread reads the file again on its own, where the same error is raised as usual.
    post({ kind: 'failed', reason: e instanceof Error ? e.message : String(e) });
  }
}

void main();
