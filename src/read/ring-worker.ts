/**
 * The worker thread of a shared-parse read (ring-capture.ts): tracks the flows of the packets
 * the parsing thread hands over through the packet ring (packet-ring.ts), with its own
 * FlowTracker, and sends back its canonical flow set with the typed-array columns transferred.
 * The main thread loads the compiled dist/read/ring-worker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Decoded } from '../ingest/packet.js';
import { FlowTracker, type TrackerOptions, type TrackerStats } from '../flows/tracker.js';
import { canonicalFlowSet, canonicalGapDistribution } from '../flows/canonical.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';
import { RingReader, type PacketRing } from './packet-ring.js';

export interface RingJob {
  ring: PacketRing;
  tracker: Partial<TrackerOptions>;
}

/** The worker's part: a ShardRead without the summary (the parsing thread's). */
export interface RingWorkerRead {
  flows: FlowSet;
  distribution: GapDistribution;
  stats: TrackerStats;
  peakOpenFlows: number;
  firstFragments: number;
}

export type RingMessage = { kind: 'done'; read: RingWorkerRead } | { kind: 'failed'; reason: string };

/** The distinct ArrayBuffers under the typed arrays of a result, to hand over without a copy. */
function buffersOf(values: Iterable<unknown>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of values) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  return [...out];
}

/** Every record of the ring through one tracker, until the writer is done. */
function track(reader: RingReader, t: FlowTracker): { peakOpenFlows: number; firstFragments: number } {
  const d = new Decoded();
  let peakOpenFlows = 0;
  let firstFragments = 0;
  for (let n = reader.nextSlot(); n >= 0; n = reader.nextSlot()) {
    for (let i = 0; i < n; i++) {
      const wireLen = reader.fill(i, d);
      // The whole read's window so far (ring-capture.ts counted this packet in it before writing it).
      reader.fillWindowStart(i, t);
      if (d.firstFragment && !d.laterFragment) firstFragments++;
      t.packet(d, wireLen);
      const open = t.openFlows;
      if (open > peakOpenFlows) peakOpenFlows = open;
    }
    reader.release();
  }
  return { peakOpenFlows, firstFragments };
}

function main(): void {
  const port = parentPort;
  if (port === null) return;
  const job = workerData as RingJob;
  const reader = new RingReader(job.ring);
  try {
    const t = new FlowTracker(job.tracker);
    const counts = track(reader, t);
    // The window of every packet, not only of this tracker's: the censored gaps and the flow set's window.
    [t.windowStartUs, t.windowEndUs] = reader.finalWindow();
    const stats = t.stats;
    const flows = canonicalFlowSet(t.finish());
    const distribution = canonicalGapDistribution(t.gapsAll.result());
    const read: RingWorkerRead = { flows, distribution, stats, ...counts };
    port.postMessage({ kind: 'done', read } satisfies RingMessage, buffersOf([...Object.values(flows), ...Object.values(distribution)]));
  } catch (e) {
    reader.giveUp();
    // The main thread reads the file again on its own.
    port.postMessage({ kind: 'failed', reason: e instanceof Error ? e.message : String(e) } satisfies RingMessage);
  }
}

main();
