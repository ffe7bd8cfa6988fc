/**
 * Linux conntrack dumps as inputs (docs/CONNTRACK.md): `conntrack -L` (plain, `-o extended`,
 * `,id`), `/proc/net/nf_conntrack`, `conntrack -L -o xml`, `conntrack -E` event streams (with
 * or without `-o timestamp`), series of dumps separated by timestamp lines, and `sysctl` dumps
 * for the timeouts in force. The form is recognised by content, never by file name.
 *
 * Reading streams line by line over the (decompressed) chunks of `openInput`, with a cap on the
 * line length; a line that cannot be read is counted, skipped and reported with its number
 * (CONNTRACK_UNPARSABLE_LINE), or stops the file with `strict`.
 */
import { inputError } from '../util/errors.js';
import { AddressBook } from './conntrack-addresses.js';
import { eventSink } from './conntrack-events.js';
import type { ConntrackInput, ConntrackReadOptions } from './conntrack-input.js';
import { listSink, xmlSink } from './conntrack-listing.js';
import { MAX_LINE_BYTES, type Sink } from './conntrack-sink.js';
import { sysctlSink } from './conntrack-sysctl.js';
import { excerpt, FORMATS_READ, sniffConntrack } from './conntrack-text.js';

export { sniffConntrack, parseTimestampLine, type ConntrackFormat } from './conntrack-text.js';
export { AddressBook } from './conntrack-addresses.js';
export { ConntrackTable, CT_STATE_NAMES, ctProtoName, type ConntrackEntry } from './conntrack-table.js';
export { ENDED_CLOSE, ENDED_NAMES, ENDED_OPEN, ENDED_REMOVED, ENDED_TIMEOUT } from './conntrack-closing.js';
export type { ConntrackEvents, ConntrackInput, ConntrackLifetimes, ConntrackReadOptions, ConntrackSnapshot } from './conntrack-input.js';
export { MAX_LINE_BYTES } from './conntrack-sink.js';

/** Skipped lines kept with their reason (all are counted). */
const MAX_SKIPPED_KEPT = 1000;

/**
 * Reads one conntrack input. The form is sniffed from the first lines; unknown content stops
 * with CONNTRACK_UNKNOWN_FORMAT naming the forms fwtp reads.
 */
export async function readConntrack(name: string, chunks: AsyncIterable<Buffer>, opts: ConntrackReadOptions = {}): Promise<ConntrackInput> {
  const it = chunks[Symbol.asyncIterator]();
  // Gather enough of the start to recognise the form: 64 KiB or 20 lines, or the whole input.
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let done = false;
  const newlines = (b: Buffer): number => { let n = 0; for (let p = b.indexOf(10); p >= 0 && n < 32; p = b.indexOf(10, p + 1)) n++; return n; };
  let lines = 0;
  while (pendingBytes < MAX_LINE_BYTES && lines < 20) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    pending.push(r.value);
    pendingBytes += r.value.length;
    lines += newlines(r.value);
  }
  const headBuf = Buffer.concat(pending);
  const head = headBuf.toString('latin1', 0, Math.min(headBuf.length, MAX_LINE_BYTES));
  const format = sniffConntrack(head);
  if (format === null) {
    const first = head.split('\n').find((l) => l.trim() !== '') ?? '';
    const lineNo = head.split('\n').findIndex((l) => l.trim() !== '') + 1;
    throw inputError('CONNTRACK_UNKNOWN_FORMAT',
      headBuf.length === 0 ? `is empty: fwtp reads ${FORMATS_READ}`
        : `not a form fwtp reads (line ${lineNo}: "${excerpt(first)}"): fwtp reads packet captures (pcap, pcapng), ${FORMATS_READ}`,
      { file: name, ...(headBuf.length === 0 ? {} : { line: Math.max(1, lineNo) }) });
  }

  const input: ConntrackInput = {
    name, format, snapshots: [], addresses: new AddressBook(), linesRead: 0, skipped: [], skippedCount: 0, warnings: [],
  };
  const skip = (lineNo: number, why: string, b: Buffer, s: number, e: number): void => {
    // Reasons quote the input: printable and short, as messages are one line (test/fuzz/regressions.test.ts).
    const reason = excerpt(why, 160);
    if (opts.strict) {
      throw inputError('CONNTRACK_UNPARSABLE_LINE', `cannot read this line (${reason}): "${excerpt(b.toString('latin1', s, Math.min(e, s + 200)))}"`, { file: name, line: lineNo });
    }
    input.skippedCount++;
    if (input.skipped.length < MAX_SKIPPED_KEPT) input.skipped.push({ line: lineNo, reason });
  };
  const sink: Sink = format === 'conntrack-list' ? listSink(input, opts, skip)
    : format === 'conntrack-xml' ? xmlSink(input, opts, skip)
      : format === 'conntrack-events' ? eventSink(input, skip)
        : sysctlSink(input, skip);

  // Lines over the chunks: complete lines are read in place; a line cut by a chunk boundary is
  // carried (copied) into the next.
  let lineNo = 0;
  let carry: Buffer | null = null;
  const tooLong = (): never => {
    throw inputError('CONNTRACK_LINE_TOO_LONG',
      `line ${lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes: not a conntrack dump${format === 'conntrack-xml' ? ' (an XML document on one line? conntrack -o xml writes one <flow> per line)' : ''}`,
      { file: name, line: lineNo + 1 });
  };
  const emit = (b: Buffer, s: number, e: number): void => {
    lineNo++;
    if (e > s && b[e - 1] === 13) e--;
    sink.line(b, s, e, lineNo);
  };
  const feed = (chunk: Buffer): void => {
    let start = 0;
    if (carry !== null) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        if (carry.length + chunk.length > MAX_LINE_BYTES) tooLong();
        carry = Buffer.concat([carry, chunk]);
        return;
      }
      if (carry.length + nl > MAX_LINE_BYTES) tooLong();
      const line = Buffer.concat([carry, chunk.subarray(0, nl)]);
      carry = null;
      emit(line, 0, line.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (nl - start > MAX_LINE_BYTES) tooLong();
      emit(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) {
      if (chunk.length - start > MAX_LINE_BYTES) tooLong();
      carry = Buffer.from(chunk.subarray(start));
    }
  };
  for (const c of pending) feed(c);
  while (!done) {
    const r = await it.next();
    if (r.done) break;
    feed(r.value);
  }
  if (carry !== null) emit(carry, 0, (carry as Buffer).length);
  input.linesRead = lineNo;
  sink.finish();

  if (input.skippedCount > 0) {
    const first = input.skipped[0]!;
    input.warnings.push(`${input.skippedCount} of ${lineNo} lines could not be read and were skipped [CONNTRACK_UNPARSABLE_LINE] (first: line ${first.line}, ${first.reason})`);
    const read = input.snapshots.reduce((n, s) => n + s.table.count, 0) + (input.events?.lifetimes.entries.count ?? 0) +
      Object.keys(input.sysctlRaw ?? {}).length;
    if (read === 0) {
      throw inputError('CONNTRACK_UNPARSABLE_LINE', `no line could be read as ${format} (line ${first.line}: ${first.reason})`, { file: name, line: first.line });
    }
  }
  return input;
}
