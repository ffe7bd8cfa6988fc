/**
 * Reading one large capture on two cores with one parse (issue 15): the calling thread reads,
 * parses and decodes the file once (readCapture, so the CaptureSummary is the one-thread read's),
 * tracks the flows of some address-pair buckets itself and hands the decoded packets of the
 * others to one worker thread through a packet ring (packet-ring.ts, ring-worker.ts). The two
 * trackers' flow sets then merge exactly as the readers of parallel-capture.ts do (shard-merge.ts).
 */
import { Worker } from 'node:worker_threads';
import { openInput } from '../ingest/source.js';
import { captureFormat, readCapture, type DecodedPacketSink, type Progress } from '../ingest/captures.js';
import type { Decoded } from '../ingest/packet.js';
import { FlowTracker, type TrackerOptions } from '../flows/tracker.js';
import { pairShardOf } from '../flows/shard.js';
import { canonicalFlowSet, canonicalGapDistribution, EXACT_GAPS_LIMIT } from '../flows/canonical.js';
import type { ShardRead } from './capture-shard.js';
import { createPacketRing, RingWriter, type PacketRing } from './packet-ring.js';
import type { RingJob, RingMessage, RingWorkerRead } from './ring-worker.js';
import { peek } from './peek.js';
import { workerFile } from './worker-file.js';

/** Address-pair buckets (pairShardOf) the packets are split into. */
export const RING_BUCKETS = 16;
/**
 * Buckets the parsing thread tracks itself, of RING_BUCKETS: it also reads, parses and decodes
 * every packet and writes the others' records, so it takes fewer flows than the worker.
 */
export const RING_MAIN_BUCKETS = 6;

/**
 * Exact gap values kept by a tracker of `share` of the flows: a little over its part of the
 * whole read's limit (as capture-shard.ts's readers); the merge checks that none gave up too early.
 */
function exactGapsLimitOf(share: number): number {
  return Math.ceil(EXACT_GAPS_LIMIT * share * 1.25);
}

/** Tracks the packets of the first `mainBuckets` buckets; writes the others into the ring. */
class SplitSink implements DecodedPacketSink {
  peakOpenFlows = 0;
  firstFragments = 0;
  /** Set when the worker failed (its 'error' or 'exit' came between chunks): stop reading. */
  failed = false;
  // The last IPv4 pair's bucket: packets come in bursts of one flow.
  private lastSrc4 = -1;
  private lastDst4 = -1;
  private lastMine = true;

  constructor(private readonly tracker: FlowTracker, private readonly ring: RingWriter, private readonly mainBuckets: number) {}

  packet(d: Decoded, wireLen: number): void {
    let mine: boolean;
    if (d.family !== 4) mine = pairShardOf(d, RING_BUCKETS) < this.mainBuckets;
    else if (d.src4 === this.lastSrc4 && d.dst4 === this.lastDst4) mine = this.lastMine;
    else {
      mine = pairShardOf(d, RING_BUCKETS) < this.mainBuckets;
      this.lastSrc4 = d.src4;
      this.lastDst4 = d.dst4;
      this.lastMine = mine;
    }
    const t = this.tracker;
    if (mine) {
      if (d.firstFragment && !d.laterFragment) this.firstFragments++;
      t.packet(d, wireLen);
      const open = t.openFlows;
      if (open > this.peakOpenFlows) this.peakOpenFlows = open;
      return;
    }
    if (this.failed) throw new Error('the ring worker failed');
    // Counted and kept in the window here first, so that the record carries the window with it.
    t.skipPacket(d);
    this.ring.write(d, wireLen, t);
  }
}

/** Starts the worker; resolves with its part, or null when it failed. */
function startWorker(file: string, job: RingJob, onFail: () => void): { worker: Worker; done: Promise<RingWorkerRead | null> } {
  const worker = new Worker(file, { workerData: job });
  const done = new Promise<RingWorkerRead | null>((resolve) => {
    let settled = false;
    const settle = (r: RingWorkerRead | null): void => {
      if (settled) return;
      settled = true;
      if (r === null) onFail();
      resolve(r);
    };
    worker.on('message', (m: RingMessage) => settle(m.kind === 'done' ? m.read : null));
    worker.on('error', () => settle(null));
    worker.on('exit', () => settle(null));
  });
  return { worker, done };
}

/**
 * Reads the capture at `path` on this thread and one worker; its two parts (this thread's first,
 * the one offered every packet), or null when the file is not a capture or the worker failed.
 */
export async function readCaptureRing(path: string, tracker: Partial<TrackerOptions>, maxDecompressedBytes: number | undefined,
  progress?: Progress, mainBuckets = RING_MAIN_BUCKETS): Promise<ShardRead[] | null> {
  const file = workerFile('ring-worker.js');
  if (file === null) return null;
  const ring: PacketRing = createPacketRing();
  const share = mainBuckets / RING_BUCKETS;
  const job: RingJob = { ring, tracker: { ...tracker, exactGapsLimit: exactGapsLimitOf(1 - share) } };
  // Started first: it loads its modules while this thread opens and parses the file.
  let sink: SplitSink | null = null;
  let failed = false;
  const { worker, done } = startWorker(file, job, () => {
    failed = true;
    if (sink !== null) sink.failed = true;
  });
  const writer = new RingWriter(ring);
  let closed = false;
  try {
    const input = await openInput(path, maxDecompressedBytes);
    const { head, chunks } = await peek(input);
    const format = captureFormat(head);
    if (format === null || failed) return null;
    const t = new FlowTracker({ ...tracker, exactGapsLimit: exactGapsLimitOf(share) });
    sink = new SplitSink(t, writer, mainBuckets);
    const summary = await readCapture(input, chunks, format, sink, progress);
    writer.close(t.windowStartUs, t.windowEndUs);
    closed = true;
    const stats = t.stats;
    const flows = canonicalFlowSet(t.finish());
    const distribution = canonicalGapDistribution(t.gapsAll.result());
    const mine: ShardRead = { flows, distribution, stats, summary, peakOpenFlows: sink.peakOpenFlows, firstFragments: sink.firstFragments };
    const theirs = await done;
    if (theirs === null) return null;
    return [mine, { ...theirs, summary }];
  } catch {
    // The worker failed while this thread waited for ring space, or the file did: the caller reads it again on one thread.
    return null;
  } finally {
    // A worker still waiting for records is let go (it finishes on an empty ring), then stopped.
    if (!closed) writer.close(Number.NaN, Number.NaN);
    void worker.terminate();
  }
}
