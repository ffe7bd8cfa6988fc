/**
 * Reading one large capture file on several cores (issue 15). With two threads the file is
 * parsed once: the calling thread parses and decodes it, tracks some address-pair buckets itself
 * and hands the other packets to one worker thread (ring-capture.ts). With N > 2, each of N
 * readers (the calling thread and N-1 worker threads) reads the whole file itself and tracks only
 * the flows whose address pair falls in its shard (capture-shard.ts). Either way the trackers'
 * canonical flow sets and distributions merge into exactly what one tracker of every packet
 * gives (shard-merge.ts), and the path is used only where the result is certainly the same:
 * anything else (a worker that fails, a limit that one tracker would have reached) reads the
 * file again on the calling thread, as before.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { captureFormat } from '../ingest/captures.js';
import { STDIN_PATH } from '../ingest/source.js';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../flows/tracker.js';
import { readCaptureShard, type ShardRead } from './capture-shard.js';
import type { ShardJob, ShardMessage } from './capture-worker.js';
import { readCaptureRing } from './ring-capture.js';
import { mergeShards, type ParallelCaptureRead } from './shard-merge.js';
import { workerFile } from './worker-file.js';

export type { ParallelCaptureRead } from './shard-merge.js';

/** Below this size one thread reads faster than it takes to start the others. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

export interface ParallelReadOptions {
  /** Readers; undefined = auto (autoReaders). 1 = never parallel. */
  threads?: number;
  /** Files smaller than this are read on one thread (default PARALLEL_MIN_BYTES). */
  parallelMinBytes?: number;
  tracker: Partial<TrackerOptions>;
  maxDecompressedBytes?: number;
  /** Address-pair buckets of 16 the parsing thread tracks itself with 2 threads (ring-capture.ts's default). */
  ringMainBuckets?: number;
  /** As ReadOptions.onProgress, for the one input read. */
  onProgress?: (bytes: number, sizeBytes: number, packets: number) => void;
}

/**
 * --threads auto: one reader. Two readers that each parsed the whole file (2 free cores, load < 1.5)
 * took 2.22-2.80 s wall and 3.8-4.7 s CPU against one thread's 1.90-2.01 s and 2.6-2.7 s. Sharing
 * the parse (ring-capture.ts) is still slower. fwtp gaps on the 223 MB day capture (Node 20, 2
 * cores, ABAB x4): quiet (load < 0.3), one thread 1.42-1.45 s wall, 1.74-1.77 s CPU, 133-147 MB
 * (and a first run of 2.00 s on a cold cache); two 1.61-1.66 s, 2.61-2.67 s, 177-180 MB. Loaded by
 * other jobs (load 4.5-5.8), one thread 2.0-3.7 s wall and 2.0-2.7 s CPU, two 2.7-5.1 s and 2.7-3.8 s. Where the time goes (quiet): the
 * parsing thread is done with the packets at 0.92 s rather than about 1.05 s (it still decodes
 * everything, writes the records and tracks 6/16 of the pairs), but then the worker needs 0.23 s
 * to finish and sort its flows (canonicalFlowSet) and the merge 0.1 s, where one tracker's output
 * goes on as it is. A second core pays once that tail is shorter than the parse it saves.
 */
function autoReaders(): number {
  return 1;
}

/** The first bytes announce a pcap or pcapng file, or gzip (whose content the readers check). */
function looksLikeCapture(path: string): boolean {
  const head = Buffer.alloc(4);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try { n = readSync(fd, head, 0, 4, 0); } finally { closeSync(fd); }
  } catch {
    return false;
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return captureFormat(head.subarray(0, n)) !== null;
}

/**
 * How many readers share this read, or 0 for the usual one-thread read: one regular file (not
 * standard input) large enough, a capture, no --shard of its own, no --flow-idle-limit (its
 * evictions run on each tracker's own packets, so they could fall at other times).
 */
export function parallelReaders(paths: string[], opts: ParallelReadOptions & { shard?: unknown }): number {
  if (paths.length !== 1 || paths[0] === STDIN_PATH || opts.shard !== undefined) return 0;
  if ((opts.tracker.idleLimitUs ?? DEFAULT_TRACKER_OPTIONS.idleLimitUs) !== 0) return 0;
  const readers = opts.threads ?? autoReaders();
  if (readers < 2) return 0;
  try {
    const st = statSync(paths[0]!);
    if (!st.isFile() || st.size < (opts.parallelMinBytes ?? PARALLEL_MIN_BYTES)) return 0;
  } catch {
    return 0;
  }
  return looksLikeCapture(paths[0]!) ? readers : 0;
}

/** Runs one reader on a worker thread; resolves with its shard, or null when it failed or found no capture. */
function runReader(file: string, job: ShardJob, workers: Worker[]): Promise<ShardRead | null> {
  return new Promise((resolve) => {
    const w = new Worker(file, { workerData: job });
    workers.push(w);
    let settled = false;
    const settle = (r: ShardRead | null): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    w.on('message', (m: ShardMessage) => {
      settle(m.kind === 'done' ? m.read : null);
    });
    w.on('error', () => settle(null));
    w.on('exit', () => settle(null));
  });
}

/**
 * Reads the capture at `path` with `readers` worker threads (parallelReaders); null when the
 * result could differ from a one-thread read, or a reader failed: the caller reads it as usual.
 */
export async function readCaptureParallel(path: string, readers: number, opts: ParallelReadOptions): Promise<ParallelCaptureRead | null> {
  const sizeBytes = statSync(path).size;
  const tracker: Partial<TrackerOptions> = {
    ...(opts.tracker.gapFloorUs !== undefined ? { gapFloorUs: opts.tracker.gapFloorUs } : {}),
    ...(opts.tracker.maxFlows !== undefined ? { maxFlows: opts.tracker.maxFlows } : {}),
  };
  const maxFlows = opts.tracker.maxFlows ?? DEFAULT_TRACKER_OPTIONS.maxFlows;
  const progress = opts.onProgress === undefined ? undefined : (bytes: number, packets: number): void => opts.onProgress!(bytes, sizeBytes, packets);
  if (readers === 2) {
    // One parse, two trackers (ring-capture.ts).
    const parts = await readCaptureRing(path, tracker, opts.maxDecompressedBytes, progress, opts.ringMainBuckets);
    return parts === null ? null : mergeShards(parts, maxFlows);
  }
  const file = workerFile('capture-worker.js');
  if (file === null) return null;
  const workers: Worker[] = [];
  const stopOthers = (r: ShardRead | null): ShardRead | null => {
    // One reader failing means the file is read again on one thread: stop the others now.
    if (r === null) for (const w of workers) void w.terminate();
    return r;
  };
  const runs: Array<Promise<ShardRead | null>> = [];
  for (let index = 1; index < readers; index++) {
    const job: ShardJob = { path, index, count: readers, tracker, maxDecompressedBytes: opts.maxDecompressedBytes };
    runs.push(runReader(file, job, workers).then(stopOthers));
  }
  // Shard 0 on this thread, which would otherwise wait: one thread fewer to start, and its progress is the read's.
  runs.push(readCaptureShard(path, 0, readers, tracker, opts.maxDecompressedBytes, progress).catch(() => null).then(stopOthers));
  const parts = await Promise.all(runs);
  if (parts.some((p) => p === null)) return null;
  return mergeShards(parts as ShardRead[], maxFlows);
}
