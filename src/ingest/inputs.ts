/**
 * All inputs of one run: each is opened, recognised by its content (never its name) and
 * read into one flow tracker, so flows continue across consecutive capture files.
 */
import { openInput, type OpenedInput } from './source.js';
import { captureFormat, notACapture, readCapture, type CaptureSummary, type Progress } from './captures.js';
import { FlowTracker, type TrackerOptions, type TrackerStats } from '../flows/tracker.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';

export type InputSummary = CaptureSummary;

export interface ReadResult {
  flows: FlowSet;
  distribution: GapDistribution;
  inputs: InputSummary[];
  tracker: TrackerStats;
  warnings: string[];
}

export interface ReadOptions extends Partial<TrackerOptions> {
  maxDecompressedBytes?: number;
  /** Called with (input index, bytes read of that input, its size or null, packets so far). */
  onProgress?: (input: number, bytes: number, sizeBytes: number | null, packets: number) => void;
}

const PEEK_BYTES = 4096;

/** Peek at the first bytes without losing them. */
async function peek(input: OpenedInput): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
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
  const head = parts.length === 1 ? parts[0] : Buffer.concat(parts);
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

export async function readInputs(paths: string[], opts: ReadOptions = {}): Promise<ReadResult> {
  const tracker = new FlowTracker(opts);
  const inputs: InputSummary[] = [];
  for (let i = 0; i < paths.length; i++) {
    const input = await openInput(paths[i], opts.maxDecompressedBytes);
    const { head, chunks } = await peek(input);
    const format = captureFormat(head);
    if (format === null) throw notACapture(input.name);
    const progress: Progress | undefined = opts.onProgress === undefined ? undefined
      : (bytes, packets) => opts.onProgress!(i, bytes, input.sizeBytes, packets);
    inputs.push(await readCapture(input, chunks, format, tracker, progress));
  }
  const stats = tracker.stats;
  const flows = tracker.finish();
  const warnings: string[] = [];
  if (stats.evictedForSpace > 0) {
    warnings.push(`${stats.evictedForSpace} flows were evicted to stay within --max-flows (least recently active first); their later packets started new flows`);
  }
  if (stats.evictedIdle > 0) {
    warnings.push(`${stats.evictedIdle} flows were evicted after idling longer than --flow-idle-limit; a later packet on the same addresses and ports started a new flow`);
  }
  if (stats.timeReversals > 0) {
    warnings.push(`${stats.timeReversals} packets carry a timestamp earlier than the previous packet of their flow (taken as a gap of 0)`);
  }
  if (stats.fragmentsOrphaned > 0) {
    warnings.push(`${stats.fragmentsOrphaned} IP fragments arrived without their first fragment: counted, not in any flow`);
  }
  return { flows, distribution: tracker.gapsAll.result(), inputs, tracker: stats, warnings };
}
