/**
 * One reader of a parallel read of one capture file (src/read/parallel-capture.ts): the whole
 * file is opened, parsed and decoded as readInputs does, and only the flows whose address pair
 * falls in this reader's shard are tracked. The packets of the other shards are counted and kept
 * in the time window, as a --shard read counts them, so that the readers' results merge into
 * exactly what one tracker of every packet gives (src/flows/canonical.ts).
 */
import { openInput } from '../ingest/source.js';
import { captureFormat, readCapture, type CaptureSummary, type DecodedPacketSink, type Progress } from '../ingest/captures.js';
import type { Decoded } from '../ingest/packet.js';
import { FlowTracker, type TrackerOptions, type TrackerStats } from '../flows/tracker.js';
import { pairShardOf } from '../flows/shard.js';
import { canonicalFlowSet, canonicalGapDistribution, EXACT_GAPS_LIMIT } from '../flows/canonical.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';
import { peek } from './peek.js';

export interface ShardRead {
  /** Canonical (sorted here, so that the merge on the main thread is linear). */
  flows: FlowSet;
  distribution: GapDistribution;
  stats: TrackerStats;
  summary: CaptureSummary;
  /** Most flows this reader held open at once, and the first fragments it tracked: what the
   * merge checks to know that one tracker would have evicted nothing and kept every fragment. */
  peakOpenFlows: number;
  firstFragments: number;
}

/** Hands the packets of one shard to the tracker; the others are only counted. */
class ShardSink implements DecodedPacketSink {
  peakOpenFlows = 0;
  firstFragments = 0;

  constructor(private readonly tracker: FlowTracker, private readonly index: number, private readonly count: number) {}

  // The last IPv4 pair's shard: packets come in bursts of one flow.
  private lastSrc4 = -1;
  private lastDst4 = -1;
  private lastShard = 0;

  packet(d: Decoded, wireLen: number): void {
    let shard: number;
    if (d.family !== 4) shard = pairShardOf(d, this.count);
    else if (d.src4 === this.lastSrc4 && d.dst4 === this.lastDst4) shard = this.lastShard;
    else {
      shard = pairShardOf(d, this.count);
      this.lastSrc4 = d.src4;
      this.lastDst4 = d.dst4;
      this.lastShard = shard;
    }
    if (shard !== this.index) {
      this.tracker.skipPacket(d);
      return;
    }
    if (d.firstFragment && !d.laterFragment) this.firstFragments++;
    this.tracker.packet(d, wireLen);
    const open = this.tracker.openFlows;
    if (open > this.peakOpenFlows) this.peakOpenFlows = open;
  }
}

/** Reads shard `index` of `count` of the capture at `path`; null when the file is not a capture. */
export async function readCaptureShard(path: string, index: number, count: number, tracker: Partial<TrackerOptions>,
  maxDecompressedBytes: number | undefined, progress?: Progress): Promise<ShardRead | null> {
  const input = await openInput(path, maxDecompressedBytes);
  const { head, chunks } = await peek(input);
  const format = captureFormat(head);
  if (format === null) return null;
  // The exact gap list is kept only while the whole read has at most EXACT_GAPS_LIMIT gaps. A
  // shard with well over its part of that gives up its list early: most likely the whole read has
  // too many, and sorting a list the merge drops costs more than the tracking saved. When the
  // whole read turns out to have few enough, the merge finds the list missing and the file is
  // read on one thread (parallel-capture.ts).
  const exactGapsLimit = Math.ceil((EXACT_GAPS_LIMIT / count) * 1.25);
  const t = new FlowTracker({ ...tracker, exactGapsLimit });
  const sink = new ShardSink(t, index, count);
  const summary = await readCapture(input, chunks, format, sink, progress);
  const stats = t.stats;
  const flows = canonicalFlowSet(t.finish());
  const distribution = canonicalGapDistribution(t.gapsAll.result());
  return { flows, distribution, stats, summary, peakOpenFlows: sink.peakOpenFlows, firstFragments: sink.firstFragments };
}
