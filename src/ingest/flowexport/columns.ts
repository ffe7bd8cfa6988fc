/**
 * What the readers share: columns found by header name, endpoints and counts of a record, the
 * header-driven CSV reader base, and the delimiter of a CSV-like header.
 */
import { PROTO_ICMP, PROTO_ICMPV6 } from '../../util/protocols.js';
import { inputError } from '../../util/errors.js';
import { normaliseHeader, parseCount, parsePort } from './fields.js';
import { type FlowExportFormat, type FormatReader, ReadContext } from './reader.js';
import { type ExporterTimeouts, internAddress, type RecordTable } from './records.js';

/** Column index by any of several names (compared with normaliseHeader), or -1. */
export function column(index: Map<string, number>, ...names: string[]): number {
  for (const n of names) {
    const i = index.get(normaliseHeader(n));
    if (i !== undefined) return i;
  }
  return -1;
}

export function headerIndex(fields: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < fields.length; i++) {
    const k = normaliseHeader(fields[i]!);
    if (!m.has(k)) m.set(k, i);
  }
  return m;
}

export function missingColumns(name: string, line: number, format: string, missing: string[]): never {
  throw inputError('EXPORT_MISSING_COLUMN', `the ${format} header has no column ${missing.join(', ')}`, { file: name, line });
}

/** Fill the address, port and protocol columns of record i; returns a reason on failure. */
export function endpoints(t: RecordTable, i: number, src: string, dst: string, sport: string, dport: string): string | null {
  const a = internAddress(t.addresses, src);
  if (a < 0) return `source address ${JSON.stringify(src)} is not an IP address`;
  const b = internAddress(t.addresses, dst);
  if (b < 0) return `destination address ${JSON.stringify(dst)} is not an IP address`;
  // Port columns are optional and may lie past the end of a short row: unset (test/fuzz/regressions.test.ts).
  const sp = parsePort(sport ?? '');
  if (sp < 0) return `source port ${JSON.stringify(sport)} is not a port`;
  const dp = parsePort(dport ?? '');
  if (dp < 0) return `destination port ${JSON.stringify(dport)} is not a port`;
  t.srcAddr[i] = a;
  t.dstAddr[i] = b;
  t.srcPort[i] = sp;
  t.dstPort[i] = dp;
  return null;
}

/** A count column: NaN when unset; a reason when malformed. */
export function count(fields: string[], ix: number): number {
  return ix < 0 || ix >= fields.length ? Number.NaN : parseCount(fields[ix]!);
}

/** ICMP on an IPv6 address pair is ICMPv6 (Zeek writes "icmp" for both). */
export function icmpFamily(t: RecordTable, i: number, proto: number): number {
  return proto === PROTO_ICMP && t.addresses.text(t.srcAddr[i]!).indexOf(':') >= 0 ? PROTO_ICMPV6 : proto;
}

export abstract class HeaderReader implements FormatReader {
  abstract readonly format: FlowExportFormat;
  abstract readonly exporter: ExporterTimeouts | undefined;
  readonly wholeLine = false;
  protected seenHeader = false;
  protected width = 0;
  fieldLimit = 0;

  constructor(protected readonly ctx: ReadContext, readonly delimiter: string, readonly quote: boolean) {}

  row(f: string[], line: number): void {
    if (!this.seenHeader) {
      this.header(headerIndex(f), f, line);
      this.seenHeader = true;
      this.width = f.length;
      this.fieldLimit = this.lastColumn() + 1;
      return;
    }
    this.record(f, line);
  }

  protected abstract header(index: Map<string, number>, fields: string[], line: number): void;
  /** The highest column index the reader looks at (after header()). */
  protected abstract lastColumn(): number;
  protected abstract record(f: string[], line: number): void;

  finish(): void {
    if (!this.seenHeader) throw inputError('EXPORT_MISSING_COLUMN', `an empty ${this.format} file (no header line)`, { file: this.ctx.name });
  }

  /** Common tail: endpoints and counters; returns false (and skips) when the line is unreadable. */
  protected fill(i: number, line: number, startUs: number, endUs: number, proto: number,
    src: string, dst: string, sport: string, dport: string, what: { start: string; end: string }): boolean {
    const t = this.ctx.table;
    let why: string | null = null;
    if (startUs !== startUs) why = `${what.start} is not a time`;
    else if (endUs !== endUs) why = `${what.end} is not a time`;
    else why = endpoints(t, i, src, dst, sport, dport);
    if (why !== null) {
      t.unreserve();
      this.ctx.skip(line, why);
      return false;
    }
    t.startUs[i] = startUs;
    t.endUs[i] = endUs < startUs ? startUs : endUs;
    t.proto[i] = proto;
    t.line[i] = line;
    return true;
  }

  protected counts(i: number, line: number, pf: number, pb: number, bf: number, bb: number): boolean {
    if (pf < 0 || pb < 0 || bf < 0 || bb < 0) {
      this.ctx.table.unreserve();
      this.ctx.skip(line, 'a packet or byte count is not a number');
      return false;
    }
    const t = this.ctx.table;
    t.packetsFwd[i] = pf;
    t.packetsBwd[i] = pb;
    t.bytesFwd[i] = bf;
    t.bytesBwd[i] = bb;
    return true;
  }

  protected short(f: string[], line: number, need: number): boolean {
    if (f.length < need) {
      this.ctx.skip(line, `${f.length} fields where the header names ${this.width}`);
      return true;
    }
    return false;
  }
}

/** The delimiter of a CSV-like header line: the most frequent of , \t ; | */
export function guessDelimiter(headerLine: string): string {
  let best = ',', bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    const n = headerLine.split(d).length - 1;
    if (n > bestCount) { best = d; bestCount = n; }
  }
  return best;
}
