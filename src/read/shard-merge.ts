/**
 * The shards of a parallel read of one capture (parallel-capture.ts, ring-capture.ts) merged into
 * exactly what one tracker of every packet gives, as shard profiles merge (src/flows/canonical.ts,
 * src/profile/profile.ts); or null where one tracker might have done otherwise.
 */
import type { TrackerStats } from '../flows/tracker.js';
import { EXACT_GAPS_LIMIT, mergeCanonicalFlowSets, mergeGapDistributions } from '../flows/canonical.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';
import type { CaptureSummary } from '../ingest/captures.js';
import type { ShardRead } from './capture-shard.js';

/**
 * FlowTracker clears its table of first fragments beyond this many (src/flows/tracker.ts): the
 * readers agree with one tracker only while no table would have been cleared.
 */
const FRAGMENT_TABLE_LIMIT = 65536;

export interface ParallelCaptureRead {
  flows: FlowSet;
  distribution: GapDistribution;
  stats: TrackerStats;
  summary: CaptureSummary;
}

/**
 * Tracker counters of the shards of one read: per-flow ones add up, `ipPackets` counts once. The
 * first part must have been offered every packet (a reader of the whole file, or the thread
 * that parses for the ring); the others may have been offered only their own.
 */
function mergeStats(parts: TrackerStats[]): TrackerStats {
  const first = parts[0]!;
  const out = { ...first };
  for (const k of Object.keys(first) as Array<keyof TrackerStats>) out[k] = parts.reduce((n, p) => n + p[k], 0);
  // As profile.ts's shardGroupStats: every packet counts once.
  out.ipPackets = first.ipPackets;
  out.shardSkipped = first.ipPackets - parts.reduce((n, p) => n + p.ipPackets - p.shardSkipped, 0);
  return out;
}

/** The shards merged, or null when one tracker might have done otherwise (then read on one thread). */
export function mergeShards(parts: ShardRead[], maxFlows: number): ParallelCaptureRead | null {
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
