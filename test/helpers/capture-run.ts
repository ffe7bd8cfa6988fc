/**
 * Runs the capture reader on in-memory buffers for tests: the container parsers alone
 * (collecting every record they hand out), one capture through decode and the flow tracker,
 * or whole files through readInputs (written to a temporary directory).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapParser } from '../../src/ingest/pcap.js';
import { PcapngParser } from '../../src/ingest/pcapng.js';
import type { ContainerStats, PacketSink } from '../../src/ingest/packets.js';
import { readCapture, type CaptureSummary } from '../../src/ingest/captures.js';
import { readInputs, type ReadOptions, type ReadResult } from '../../src/read/inputs.js';
import type { OpenedInput } from '../../src/ingest/source.js';
import { FlowTracker, type TrackerOptions, type TrackerStats } from '../../src/flows/tracker.js';
import type { FlowSet, GapDistribution } from '../../src/flows/types.js';

export interface CollectedPacket {
  tsUs: number;
  linkType: number;
  capLen: number;
  wireLen: number;
  /** A copy of the captured bytes (the parser's buffer is only valid during the call). */
  bytes: Buffer;
}

/** Split `buf` into chunks: a fixed size, or sizes taken in turn from a list (cycled). */
export function chunk(buf: Buffer, sizes: number | number[]): Buffer[] {
  const list = typeof sizes === 'number' ? [sizes] : sizes;
  const out: Buffer[] = [];
  let pos = 0;
  let k = 0;
  while (pos < buf.length) {
    const n = Math.max(1, list[k++ % list.length]!);
    // Copies, so a parser that kept a reference to a chunk would be caught by the next one.
    out.push(Buffer.from(buf.subarray(pos, pos + n)));
    pos += n;
  }
  return out;
}

export interface Collected {
  stats: ContainerStats;
  packets: CollectedPacket[];
}

/**
 * Feed a buffer to the pcap or pcapng parser in chunks and collect what it emits.
 * Errors thrown by the parser propagate; `onError` receives the partial result first.
 */
export function collect(format: 'pcap' | 'pcapng', buf: Buffer, sizes: number | number[] = 1 << 20, file = 'test-capture'): Collected {
  const packets: CollectedPacket[] = [];
  const sink: PacketSink = {
    packet(tsUs, linkType, b, offset, capLen, wireLen) {
      packets.push({ tsUs, linkType, capLen, wireLen, bytes: Buffer.from(b.subarray(offset, offset + capLen)) });
    },
  };
  const parser = format === 'pcap' ? new PcapParser(file, sink) : new PcapngParser(file, sink);
  for (const c of chunk(buf, sizes)) parser.feed(c);
  parser.finish();
  return { stats: parser.stats, packets };
}

/** Like collect, but returns the thrown error (or null) with what was emitted before it. */
export function collectUntilError(format: 'pcap' | 'pcapng', buf: Buffer, sizes: number | number[] = 1 << 20, file = 'test-capture'): Collected & { error: unknown } {
  const packets: CollectedPacket[] = [];
  const sink: PacketSink = {
    packet(tsUs, linkType, b, offset, capLen, wireLen) {
      packets.push({ tsUs, linkType, capLen, wireLen, bytes: Buffer.from(b.subarray(offset, offset + capLen)) });
    },
  };
  const parser = format === 'pcap' ? new PcapParser(file, sink) : new PcapngParser(file, sink);
  try {
    for (const c of chunk(buf, sizes)) parser.feed(c);
    parser.finish();
  } catch (e) {
    return { stats: parser.stats, packets, error: e };
  }
  return { stats: parser.stats, packets, error: null };
}

export interface TrackedCapture {
  summary: CaptureSummary;
  flows: FlowSet;
  distribution: GapDistribution;
  tracker: TrackerStats;
}

async function* fromChunks(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
}

/** One capture (format known) through decode and a fresh FlowTracker, as readInputs does it. */
export async function trackCapture(format: 'pcap' | 'pcapng', buf: Buffer, opts: Partial<TrackerOptions> = {},
  sizes: number | number[] = 1 << 20, name = 'test-capture'): Promise<TrackedCapture> {
  const tracker = new FlowTracker(opts);
  const chunks = chunk(buf, sizes);
  const input: OpenedInput = { name, chunks: fromChunks(chunks), gzip: false, sizeBytes: buf.length, rawBytesRead: () => buf.length };
  const summary = await readCapture(input, input.chunks, format, tracker);
  const stats = tracker.stats;
  const flows = tracker.finish();
  return { summary, flows, distribution: tracker.gapsAll.result(), tracker: stats };
}

/** Write buffers to temporary files and read them with readInputs; the files are removed after. */
export async function readBuffers(files: Array<{ name: string; data: Buffer }>, opts: ReadOptions = {}): Promise<ReadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fwtp-test-'));
  try {
    const paths = files.map((f) => {
      const p = join(dir, f.name);
      writeFileSync(p, f.data);
      return p;
    });
    return await readInputs(paths, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
