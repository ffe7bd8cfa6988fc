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
import { AddressBook, ConntrackTable, parseEntryLine, ST_USERSPACE } from './conntrack-line.js';
import { parseXmlFlow } from './conntrack-xml.js';
import {
  CLOSE_NONE, closingOf, ENDED_CLOSE, ENDED_OPEN, ENDED_REMOVED, ENDED_TIMEOUT, normaliseTimeoutName, stateTimeoutsFromKeys,
} from './conntrack-timeouts.js';
import {
  excerpt, FORMATS_READ, isConntrackSummaryLine, parseSysctlLine, parseTimestampLine, sniffConntrack, type ConntrackFormat,
} from './conntrack-text.js';

export { sniffConntrack, parseTimestampLine, type ConntrackFormat } from './conntrack-text.js';
export { AddressBook, ConntrackTable, CT_STATE_NAMES, ctProtoName, type ConntrackEntry } from './conntrack-line.js';
export { ENDED_CLOSE, ENDED_NAMES, ENDED_OPEN, ENDED_REMOVED, ENDED_TIMEOUT } from './conntrack-timeouts.js';
export { conntrackToFlowSet, conntrackFlows, type ConntrackFlows } from './conntrack-flows.js';

/** Longest line read (bytes); longer lines stop the file (CONNTRACK_LINE_TOO_LONG). */
export const MAX_LINE_BYTES = 64 * 1024;
/** Skipped lines kept with their reason (all are counted). */
const MAX_SKIPPED_KEPT = 1000;

export interface ConntrackSnapshot {
  /** Seconds since the epoch of the dump (its timestamp line, or --at), null when unknown. */
  atSeconds: number | null;
  /** Line of the timestamp line that began it (0 when none). */
  line: number;
  /** The entries, in columns (`table.entry(i)` / `table.entries()` give objects). */
  table: ConntrackTable;
}


/**
 * One row per conntrack entry seen in an event stream. `entries` holds the entry as its latest
 * event showed it (tuple, state, flags; counters and delta-time from DESTROY when accounting and
 * timestamps are on); the other columns are aligned with it. Times are seconds since the epoch,
 * NaN without `-o timestamp`.
 */
export interface ConntrackLifetimes {
  entries: ConntrackTable;
  /** Time of the entry's first event (its NEW when `newSeen`). */
  firstSeconds: Float64Array;
  /** Time of its last NEW/UPDATE event. */
  lastEventSeconds: Float64Array;
  /** Time of its DESTROY, NaN when not destroyed within the stream. */
  destroySeconds: Float64Array;
  /** 1 when the stream showed its NEW (else it existed before the stream began). */
  newSeen: Uint8Array;
  /** State index (CT_STATE_NAMES) of its first event. */
  firstState: Uint8Array;
  /** Furthest closing step seen before or at DESTROY (CLOSE_NONE/HALF/FIN/RST of conntrack-timeouts.ts). */
  closing: Uint8Array;
  /** ENDED_OPEN, ENDED_CLOSE, ENDED_TIMEOUT or ENDED_REMOVED. */
  endedBy: Uint8Array;
  /** Events seen for the entry. */
  eventCount: Uint32Array;
}

export interface ConntrackEvents {
  /** Whether the lines carried `-o timestamp` times. */
  timestamps: boolean;
  counts: { new: number; update: number; destroy: number };
  /** First and last event time (NaN without timestamps). */
  firstSeconds: number;
  lastSeconds: number;
  lifetimes: ConntrackLifetimes;
}

export interface ConntrackInput {
  name: string;
  format: ConntrackFormat;
  /** Listings (plain, extended, /proc, XML): one snapshot per dump. Empty for events and sysctl. */
  snapshots: ConntrackSnapshot[];
  events?: ConntrackEvents;
  /** From a sysctl dump: timeouts by FlowState name (established, udp_replied, ...), seconds. */
  sysctlTimeouts?: Record<string, number>;
  /** From a sysctl dump: every numeric net.netfilter.nf_conntrack_* value by its name without the prefix. */
  sysctlRaw?: Record<string, number>;
  addresses: AddressBook;
  linesRead: number;
  /** Lines that could not be read (the first 1000; `skippedCount` counts all). */
  skipped: Array<{ line: number; reason: string }>;
  skippedCount: number;
  warnings: string[];
}

export interface ConntrackReadOptions {
  /** A line that cannot be read stops the file (FwtpError CONNTRACK_UNPARSABLE_LINE). */
  strict?: boolean;
  /** Seconds since the epoch for a dump without a timestamp line. */
  at?: number;
}

interface Sink {
  line(b: Buffer, s: number, e: number, lineNo: number): void;
  finish(): void;
}

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
    const first = input.skipped[0];
    input.warnings.push(`${input.skippedCount} of ${lineNo} lines could not be read and were skipped [CONNTRACK_UNPARSABLE_LINE] (first: line ${first.line}, ${first.reason})`);
    const read = input.snapshots.reduce((n, s) => n + s.table.count, 0) + (input.events?.lifetimes.entries.count ?? 0) +
      Object.keys(input.sysctlRaw ?? {}).length;
    if (read === 0) {
      throw inputError('CONNTRACK_UNPARSABLE_LINE', `no line could be read as ${format} (line ${first.line}: ${first.reason})`, { file: name, line: first.line });
    }
  }
  return input;
}

type Skip = (lineNo: number, reason: string, b: Buffer, s: number, e: number) => void;

function firstNonBlank(b: Buffer, s: number, e: number): number {
  let p = s;
  while (p < e && (b[p] === 32 || b[p] === 9)) p++;
  return p;
}

/** A line that is not an entry: blank, a comment, conntrack's stderr summary. */
function isNoise(b: Buffer, p: number, e: number): boolean {
  if (p === e) return true;
  const c = b[p];
  if (c === 35) return true; // '#' (a timestamp behind '#' is tested first)
  return c === 99 && isConntrackSummaryLine(b.toString('latin1', p, e)); // 'c'onntrack v1.4.7 ...
}

/** Starts a new snapshot at a timestamp line, or opens the first one without a time. */
function newSnapshot(input: ConntrackInput, atSeconds: number | null, line: number): ConntrackSnapshot {
  const snap: ConntrackSnapshot = { atSeconds, line, table: new ConntrackTable(input.addresses, 1024) };
  input.snapshots.push(snap);
  return snap;
}

function timestampAt(b: Buffer, p: number, e: number): number | null {
  const c = b[p];
  // Entry lines start with a letter; only digits and '#' can begin a timestamp line.
  if (!(c >= 48 && c <= 57) && c !== 35) return null;
  if (e - p > 64) return null;
  return parseTimestampLine(b.toString('latin1', p, e));
}

function finishSnapshots(input: ConntrackInput, opts: ConntrackReadOptions): void {
  for (const s of input.snapshots) s.table.trim();
  const untimed = input.snapshots.filter((s) => s.atSeconds === null).length;
  if (untimed > 0 && input.snapshots.length > 1) {
    input.warnings.push(`${untimed} of ${input.snapshots.length} dumps have no timestamp line before them: they cannot be placed in time`);
  }
  if (opts.at !== undefined && input.snapshots.length > 0 && untimed === 0) {
    input.warnings.push('--at was not used: every dump has its own timestamp line');
  }
  for (let k = 1; k < input.snapshots.length; k++) {
    const a = input.snapshots[k - 1].atSeconds, b = input.snapshots[k].atSeconds;
    if (a !== null && b !== null && b < a) {
      input.warnings.push(`the timestamp at line ${input.snapshots[k].line} is earlier than the one before it: dumps are ordered by time, not by position`);
      break;
    }
  }
}

function listSink(input: ConntrackInput, opts: ConntrackReadOptions, skip: Skip): Sink {
  let snap: ConntrackSnapshot | null = null;
  return {
    line(b, s, e, lineNo) {
      const p = firstNonBlank(b, s, e);
      const at = timestampAt(b, p, e);
      if (at !== null) {
        snap = newSnapshot(input, at, lineNo);
        return;
      }
      if (isNoise(b, p, e)) return;
      if (snap === null) snap = newSnapshot(input, opts.at ?? null, 0);
      const why = parseEntryLine(b, p, e, snap.table, lineNo);
      if (why !== null) {
        skip(lineNo, b[p] === 91 ? 'an event line (conntrack -E) in a listing' : why, b, s, e);
      }
    },
    finish() { finishSnapshots(input, opts); },
  };
}

function xmlSink(input: ConntrackInput, opts: ConntrackReadOptions, skip: Skip): Sink {
  let snap: ConntrackSnapshot | null = null;
  let gathering: string | null = null; // a <flow> element spread over lines
  let gatherLine = 0;
  const flows = (text: string, lineNo: number, b: Buffer, s: number, e: number): void => {
    let pos = 0;
    for (;;) {
      const open = text.indexOf('<flow', pos);
      if (open < 0) return;
      const close = text.indexOf('</flow>', open);
      if (close < 0) {
        gathering = text.slice(open);
        gatherLine = lineNo;
        return;
      }
      if (snap === null) snap = newSnapshot(input, opts.at ?? null, 0);
      const why = parseXmlFlow(text.slice(open, close + 7), snap.table, lineNo);
      if (why !== null) skip(lineNo, why, b, s, e);
      pos = close + 7;
    }
  };
  return {
    line(b, s, e, lineNo) {
      const p = firstNonBlank(b, s, e);
      if (gathering !== null) {
        const text = gathering + b.toString('latin1', p, e);
        if (text.length > MAX_LINE_BYTES) throw inputError('CONNTRACK_LINE_TOO_LONG', `a <flow> element longer than ${MAX_LINE_BYTES} bytes`, { file: input.name, line: gatherLine });
        if (!text.includes('</flow>')) { gathering = text; return; }
        gathering = null;
        flows(text, gatherLine, b, s, e);
        return;
      }
      const at = timestampAt(b, p, e);
      if (at !== null) {
        snap = newSnapshot(input, at, lineNo);
        return;
      }
      if (p === e || isNoise(b, p, e)) return;
      const text = b.toString('latin1', p, e);
      if (text.startsWith('<?xml')) return;
      if (text.startsWith('<conntrack')) {
        // A second document without a timestamp line between: another dump of unknown time.
        if (snap !== null && snap.table.count > 0) snap = newSnapshot(input, null, lineNo);
        const rest = text.indexOf('<flow');
        if (rest >= 0) flows(text.slice(rest), lineNo, b, s, e);
        return;
      }
      if (text.startsWith('</conntrack>')) return;
      if (!text.startsWith('<flow')) {
        skip(lineNo, 'not a <flow> element', b, s, e);
        return;
      }
      flows(text, lineNo, b, s, e);
    },
    finish() {
      if (gathering !== null) skip(gatherLine, 'a <flow> element without </flow> at the end of the input', Buffer.alloc(0), 0, 0);
      finishSnapshots(input, opts);
    },
  };
}

const EV_NEW = 0, EV_UPDATE = 1, EV_DESTROY = 2;

/** Whether b[s..e) spells `text` (ASCII), without making a string. */
function spells(b: Buffer, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> { const b = new Float64Array(n); b.set(a); return b; }
function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> { const b = new Uint8Array(n); b.set(a); return b; }
function growU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> { const b = new Uint32Array(n); b.set(a); return b; }

/** Copies row i of `from` over row j of `to` (same AddressBook). */
function copyRow(from: ConntrackTable, i: number, to: ConntrackTable, j: number): void {
  to.line[j] = from.line[i];
  to.family[j] = from.family[i];
  to.proto[j] = from.proto[i];
  to.timeout[j] = from.timeout[i];
  to.state[j] = from.state[i];
  to.status[j] = from.status[i];
  to.src[j] = from.src[i];
  to.dst[j] = from.dst[i];
  to.replySrc[j] = from.replySrc[i];
  to.replyDst[j] = from.replyDst[i];
  to.sport[j] = from.sport[i];
  to.dport[j] = from.dport[i];
  to.replySport[j] = from.replySport[i];
  to.replyDport[j] = from.replyDport[i];
  to.icmpType[j] = from.icmpType[i];
  to.icmpCode[j] = from.icmpCode[i];
  to.packetsOrig[j] = from.packetsOrig[i];
  to.bytesOrig[j] = from.bytesOrig[i];
  to.packetsReply[j] = from.packetsReply[i];
  to.bytesReply[j] = from.bytesReply[i];
  to.mark[j] = from.mark[i];
  to.zone[j] = from.zone[i];
  to.use[j] = from.use[i];
  to.id[j] = from.id[i];
  to.deltaSeconds[j] = from.deltaSeconds[i];
  const ctx = from.secctx.get(i);
  if (ctx !== undefined) to.secctx.set(j, ctx);
}

/** `[1795550609.927337]` at b[p]: seconds, or NaN when malformed. Sets `tsEnd` past the `]`. */
let tsEnd = 0;
function eventTime(b: Buffer, p: number, e: number): number {
  const close = b.indexOf(93, p);
  if (close < 0 || close >= e) return NaN;
  tsEnd = close + 1;
  let sec = 0, frac = 0, scale = 1, dot = false, digits = 0;
  for (let q = p + 1; q < close; q++) {
    const c = b[q];
    if (c === 46 && !dot) { dot = true; continue; }
    if (c < 48 || c > 57) return NaN;
    digits++;
    if (dot) { frac = frac * 10 + (c - 48); scale *= 10; } else sec = sec * 10 + (c - 48);
  }
  return digits === 0 ? NaN : sec + frac / scale;
}

function eventSink(input: ConntrackInput, skip: Skip): Sink {
  const scratch = new ConntrackTable(input.addresses, 1);
  const entries = new ConntrackTable(input.addresses, 1024);
  let cap = 1024;
  let firstSeconds = new Float64Array(cap);
  let lastEventSeconds = new Float64Array(cap);
  let destroySeconds = new Float64Array(cap);
  let newSeen = new Uint8Array(cap);
  let firstState = new Uint8Array(cap);
  let closing = new Uint8Array(cap);
  let eventCount = new Uint32Array(cap);
  let fate = new Uint8Array(cap); // 0 live, 1 destroyed, 2 superseded by a NEW on the same key, 3 removed
  const byId = new Map<number, number>();
  const byTuple = new Map<string, number>();
  const counts = { new: 0, update: 0, destroy: 0 };
  let timed = 0, untimed = 0;
  let first = NaN, last = NaN;
  let reused = 0;

  const tupleKey = (t: ConntrackTable, i: number): string =>
    `${t.proto[i]}|${t.src[i]}|${t.dst[i]}|${t.sport[i]}|${t.dport[i]}|${t.icmpType[i]}|${t.zone[i]}`;

  return {
    line(b, s, e, lineNo) {
      let p = firstNonBlank(b, s, e);
      if (isNoise(b, p, e)) return;
      let when = NaN;
      if (b[p] === 91 && p + 1 < e && b[p + 1] >= 48 && b[p + 1] <= 57) {
        when = eventTime(b, p, e);
        if (Number.isNaN(when)) { skip(lineNo, 'malformed [timestamp]', b, s, e); return; }
        p = firstNonBlank(b, tsEnd, e);
      }
      let type: number;
      if (b[p] === 91) {
        let close = p + 1;
        while (close < e && b[close] !== 93) close++;
        type = spells(b, p + 1, close, 'NEW') ? EV_NEW : spells(b, p + 1, close, 'UPDATE') ? EV_UPDATE
          : spells(b, p + 1, close, 'DESTROY') ? EV_DESTROY : -1;
        if (close >= e || type < 0) { skip(lineNo, `unknown event type ${b.toString('latin1', p, Math.min(close + 1, e))}`, b, s, e); return; }
        p = close + 1;
      } else {
        skip(lineNo, 'no [NEW], [UPDATE] or [DESTROY]: a listing line in an event stream?', b, s, e);
        return;
      }
      scratch.count = 0;
      scratch.secctx.clear();
      const why = parseEntryLine(b, p, e, scratch, lineNo);
      if (why !== null) { skip(lineNo, why, b, s, e); return; }
      if (Number.isNaN(when)) untimed++;
      else {
        timed++;
        if (Number.isNaN(first) || when < first) first = when;
        if (Number.isNaN(last) || when > last) last = when;
      }
      if (type === EV_NEW) counts.new++; else if (type === EV_UPDATE) counts.update++; else counts.destroy++;

      const id = scratch.id[0];
      const key = Number.isNaN(id) ? tupleKey(scratch, 0) : null;
      let row = key === null ? byId.get(id) : byTuple.get(key);
      if (row !== undefined && type === EV_NEW) {
        // A NEW for a key still live: its DESTROY was lost (or the id was reused); start afresh.
        reused++;
        fate[row] = 2;
        row = undefined;
      }
      if (row === undefined) {
        row = entries.add(lineNo);
        if (row === cap) {
          cap *= 2;
          firstSeconds = growF64(firstSeconds, cap);
          lastEventSeconds = growF64(lastEventSeconds, cap);
          destroySeconds = growF64(destroySeconds, cap);
          newSeen = growU8(newSeen, cap);
          firstState = growU8(firstState, cap);
          closing = growU8(closing, cap);
          eventCount = growU32(eventCount, cap);
          fate = growU8(fate, cap);
        }
        copyRow(scratch, 0, entries, row);
        firstSeconds[row] = when;
        lastEventSeconds[row] = when;
        destroySeconds[row] = NaN;
        newSeen[row] = type === EV_NEW ? 1 : 0;
        firstState[row] = scratch.state[0];
        closing[row] = CLOSE_NONE;
        eventCount[row] = 0;
        fate[row] = 0;
        if (key === null) byId.set(id, row); else byTuple.set(key, row);
      } else {
        // The latest view of the entry; a DESTROY prints no timeout, keep the last one shown.
        const timeout = entries.timeout[row];
        copyRow(scratch, 0, entries, row);
        if (scratch.timeout[0] < 0) entries.timeout[row] = timeout;
      }
      eventCount[row]++;
      const c = closingOf(scratch.proto[0], scratch.state[0]);
      if (c > closing[row]) closing[row] = c;
      if (type === EV_DESTROY) {
        destroySeconds[row] = when;
        // A DESTROY that user space caused, or that still shows time left, did not time out.
        fate[row] = (scratch.status[0] & ST_USERSPACE) !== 0 || scratch.timeout[0] > 0 ? 3 : 1;
        if (key === null) byId.delete(id); else byTuple.delete(key);
      } else lastEventSeconds[row] = when;
    },
    finish() {
      const n = entries.count;
      entries.trim();
      const endedBy = new Uint8Array(n);
      for (let r = 0; r < n; r++) {
        // A DESTROY after a close state (or in one) is a close; one without is a timeout, or a removal.
        endedBy[r] = fate[r] !== 1 && fate[r] !== 3 ? ENDED_OPEN : closing[r] !== CLOSE_NONE ? ENDED_CLOSE
          : fate[r] === 3 ? ENDED_REMOVED : ENDED_TIMEOUT;
      }
      input.events = {
        timestamps: timed > 0,
        counts,
        firstSeconds: first,
        lastSeconds: last,
        lifetimes: {
          entries,
          firstSeconds: firstSeconds.slice(0, n),
          lastEventSeconds: lastEventSeconds.slice(0, n),
          destroySeconds: destroySeconds.slice(0, n),
          newSeen: newSeen.slice(0, n),
          firstState: firstState.slice(0, n),
          closing: closing.slice(0, n),
          endedBy,
          eventCount: eventCount.slice(0, n),
        },
      };
      if (timed > 0 && untimed > 0) input.warnings.push(`${untimed} events have no [timestamp] while ${timed} do: the stream mixes outputs`);
      if (timed === 0 && counts.new + counts.update + counts.destroy > 0) {
        input.warnings.push('the events carry no times (conntrack -E without -o timestamp): they show how entries ended, not when; use conntrack -E -o timestamp');
      }
      if (reused > 0) input.warnings.push(`${reused} NEW events arrived for entries still live (a lost DESTROY, or a reused id): each began a new entry`);
    },
  };
}

function sysctlSink(input: ConntrackInput, skip: Skip): Sink {
  const raw: Record<string, number> = {};
  return {
    line(b, s, e, lineNo) {
      const p = firstNonBlank(b, s, e);
      if (p === e || b[p] === 35) return;
      const text = b.toString('latin1', p, e);
      const kv = parseSysctlLine(text);
      if (kv === null) { skip(lineNo, 'not a sysctl "name = value" line', b, s, e); return; }
      if (!kv.name.startsWith('net.netfilter.nf_conntrack_')) return; // the rest of sysctl -a
      if (!/^\d+$/.test(kv.value)) return;
      raw[kv.name.slice('net.netfilter.'.length)] = Number(kv.value);
    },
    finish() {
      input.sysctlRaw = raw;
      const timeouts: Record<string, number> = {};
      for (const [k, v] of Object.entries(raw)) if (normaliseTimeoutName(k) !== null) timeouts[k] = v;
      input.sysctlTimeouts = stateTimeoutsFromKeys(timeouts);
      if (Object.keys(timeouts).length === 0) {
        input.warnings.push('no net.netfilter.nf_conntrack_*timeout* values in this sysctl dump: the timeouts come from the platform profile');
      }
      if (raw.nf_conntrack_icmp_timeout !== undefined && raw.nf_conntrack_icmpv6_timeout !== undefined &&
        raw.nf_conntrack_icmp_timeout !== raw.nf_conntrack_icmpv6_timeout) {
        input.warnings.push(`icmp and icmpv6 timeouts differ (${raw.nf_conntrack_icmp_timeout} s, ${raw.nf_conntrack_icmpv6_timeout} s): the model's icmp state uses the IPv4 value`);
      }
    },
  };
}
