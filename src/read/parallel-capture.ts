/**
 * Reading one large capture file on several cores (issue 15): each of N readers (the calling
 * thread and N-1 worker threads) reads the whole file itself and tracks only the flows whose
 * address pair falls in its shard
 * (capture-shard.ts); their canonical flow sets and distributions then merge into exactly what
 * one tracker of every packet gives, as shard profiles do (src/flows/canonical.ts,
 * src/profile/profile.ts). Parsing and decoding are done N times, the tracking (most of the cost)
 * once; so it pays on large files only, and is used only where the result is certainly the same:
 * anything else (a worker that fails, a limit that one tracker would have reached) reads the
 * file again on the calling thread, as before.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { captureFormat, type CaptureSummary } from '../ingest/captures.js';
import { STDIN_PATH } from '../ingest/source.js';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions, type TrackerStats } from '../flows/tracker.js';
import { EXACT_GAPS_LIMIT, mergeCanonicalFlowSets, mergeGapDistributions } from '../flows/canonical.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';
import { readCaptureShard, type ShardRead } from './capture-shard.js';
import type { ShardJob, ShardMessage } from './capture-worker.js';

/** Below this size one thread reads faster than it takes to start the others. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** Readers when --threads is auto: each parses the whole file, so more stop paying. */
/**
 * FlowTracker clears its table of first fragments beyond this many (src/flows/tracker.ts): the
 * readers agree with one tracker only while no table would have been cleared.
 */
const FRAGMENT_TABLE_LIMIT = 65536;

export interface ParallelReadOptions {
  /** Readers; undefined = auto (autoReaders). 1 = never parallel. */
  threads?: number;
  /** Files smaller than this are read on one thread (default PARALLEL_MIN_BYTES). */
  parallelMinBytes?: number;
  tracker: Partial<TrackerOptions>;
  maxDecompressedBytes?: number;
  /** As ReadOptions.onProgress, for the one input read. */
  onProgress?: (bytes: number, sizeBytes: number, packets: number) => void;
}

export interface ParallelCaptureRead {
  flows: FlowSet;
  distribution: GapDistribution;
  stats: TrackerStats;
  summary: CaptureSummary;
}

/**
 * --threads auto: one reader. Measured on 2 free cores (AMD EPYC, Node 20, the 223 MB day capture
 * of bench/, 3 runs each, load < 1.5): one thread 1.90-2.01 s wall and 2.6-2.7 s CPU; two readers
 * 2.22-2.80 s wall and 3.8-4.7 s CPU. Each reader parses and decodes the whole file and the merge
 * comes on top, so a second core wins nothing until parsing is shared too. `--threads N` keeps
 * the path (the same output) for machines and files where it pays.
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

/** The compiled worker next to this module; from src/ (tests) the one in dist/; null if neither. */
function workerFile(): string | null {
  const sibling = join(dirname(fileURLToPath(import.meta.url)), 'capture-worker.js');
  if (existsSync(sibling)) return sibling;
  const fromDist = sibling.replace(`${sep}src${sep}read${sep}`, `${sep}dist${sep}read${sep}`);
  return existsSync(fromDist) ? fromDist : null;
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

/** Tracker counters of the shards of one read: per-flow ones add up, `ipPackets` counts once. */
function mergeStats(parts: TrackerStats[]): TrackerStats {
  const first = parts[0]!;
  const out = { ...first };
  for (const k of Object.keys(first) as Array<keyof TrackerStats>) out[k] = parts.reduce((n, p) => n + p[k], 0);
  // As profile.ts's shardGroupStats: every reader was offered every packet.
  out.ipPackets = first.ipPackets;
  out.shardSkipped = first.ipPackets - parts.reduce((n, p) => n + p.ipPackets - p.shardSkipped, 0);
  return out;
}

/** The shards merged, or null when one tracker might have done otherwise (then read on one thread). */
function mergeShards(parts: ShardRead[], maxFlows: number): ParallelCaptureRead | null {
  const summary = JSON.stringify(parts[0]!.summary);
  if (parts.some((p) => JSON.stringify(p.summary) !== summary)) return null;
  // One tracker holds at most the sum of the readers' open flows: within the limit, it evicted none.
  if (parts.reduce((n, p) => n + p.peakOpenFlows, 0) > maxFlows) return null;
  if (parts.reduce((n, p) => n + p.firstFragments, 0) > FRAGMENT_TABLE_LIMIT) return null;
  // A shard gave up its exact gaps early (capture-shard.ts) but one tracker would have kept them.
  const gaps = parts.reduce((n, p) => n + p.distribution.count, 0);
  if (gaps <= EXACT_GAPS_LIMIT && parts.some((p) => p.distribution.exactSorted === null)) return null;
  return {
    flows: mergeCanonicalFlowSets(parts.map((p) => p.flows)),
    distribution: mergeGapDistributions(parts.map((p) => p.distribution)),
    stats: mergeStats(parts.map((p) => p.stats)),
    summary: parts[0]!.summary,
  };
}

/**
 * Reads the capture at `path` with `readers` worker threads (parallelReaders); null when the
 * result could differ from a one-thread read, or a reader failed: the caller reads it as usual.
 */
export async function readCaptureParallel(path: string, readers: number, opts: ParallelReadOptions): Promise<ParallelCaptureRead | null> {
  const file = workerFile();
  if (file === null) return null;
  const sizeBytes = statSync(path).size;
  const tracker: Partial<TrackerOptions> = {
    ...(opts.tracker.gapFloorUs !== undefined ? { gapFloorUs: opts.tracker.gapFloorUs } : {}),
    ...(opts.tracker.maxFlows !== undefined ? { maxFlows: opts.tracker.maxFlows } : {}),
  };
  const workers: Worker[] = [];
  const progress = opts.onProgress === undefined ? undefined : (bytes: number, packets: number): void => opts.onProgress!(bytes, sizeBytes, packets);
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
  return mergeShards(parts as ShardRead[], opts.tracker.maxFlows ?? DEFAULT_TRACKER_OPTIONS.maxFlows);
}
