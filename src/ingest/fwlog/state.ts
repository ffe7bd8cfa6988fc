/**
 * The per-file state every firewall-log reader writes into: records, lines not needed (counted
 * by message kind), unreadable lines (with line numbers; fatal with `strict`), and the line
 * splitting over string chunks. Every line ends up in exactly one of the three counts.
 */
import { inputError } from '../../util/errors.js';
import { SyslogClock } from './syslog.js';
import type { FwLogOptions, FwLogResult, FwRecord, FwVendor, UnreadableLine } from './types.js';

/** Longest line read, in characters; longer lines are unreadable (a corrupt or binary file). */
export const MAX_LINE_CHARS = 65_536;
const KEEP_UNREADABLE = 100;

/** First printable characters of a line, for messages. */
export function excerpt(text: string, max = 80): string {
  const t = text.replace(/[^\x20-\x7e]/g, '?');
  return t.length > max ? `${t.slice(0, max)}...` : t;
}

export class ReadState {
  readonly clock: SyslogClock;
  readonly records: FwRecord[] = [];
  readonly notNeeded = new Map<string, number>();
  readonly unreadable: UnreadableLine[] = [];
  readonly warnings: string[] = [];
  unreadableCount = 0;
  recordCount = 0;
  linesWithRecords = 0;
  notNeededLines = 0;
  linesRead = 0;
  /** How the current line was classified: 0 not yet, 1 record(s), 2 not needed, 3 unreadable. */
  private lineClass = 0;
  /** 1-based number of the line being read. */
  lineNo = 0;
  private lineText = '';

  constructor(readonly vendor: FwVendor, readonly file: string, readonly options: FwLogOptions) {
    this.clock = new SyslogClock(options);
  }

  beginLine(lineNo: number, text: string): void {
    this.lineNo = lineNo; this.lineText = text; this.lineClass = 0; this.linesRead++;
  }

  /** A record from the current line. */
  emit(r: FwRecord): void {
    if (this.lineClass === 0) { this.lineClass = 1; this.linesWithRecords++; }
    this.recordCount++;
    if (this.options.onRecord) this.options.onRecord(r); else this.records.push(r);
  }

  /** The current line is read but not needed; `kind` is its message kind ('305011', 'event/system'). */
  skip(kind: string): void {
    if (this.lineClass !== 0) return;
    this.lineClass = 2; this.notNeededLines++;
    this.notNeeded.set(kind, (this.notNeeded.get(kind) ?? 0) + 1);
  }

  /** The current line cannot be read. */
  bad(reason: string): void {
    if (this.lineClass !== 0) return;
    this.lineClass = 3; this.unreadableCount++;
    if (this.options.strict) {
      throw inputError('FWLOG_UNREADABLE_LINE', `cannot read this ${this.vendor} line (${reason}): "${excerpt(this.lineText)}"`, { file: this.file, line: this.lineNo });
    }
    if (this.unreadable.length < KEEP_UNREADABLE) this.unreadable.push({ line: this.lineNo, reason, excerpt: excerpt(this.lineText) });
  }

  endLine(): void {
    if (this.lineClass === 0) this.bad('no reader decision'); // a reader bug must still be counted
  }

  result(): FwLogResult {
    if (this.unreadableCount > 0) {
      const first = this.unreadable[0]!;
      this.warnings.push(`${this.unreadableCount} of ${this.linesRead} lines could not be read [FWLOG_UNREADABLE_LINE] (first: line ${first.line}, ${first.reason})`);
    }
    return {
      vendor: this.vendor, file: this.file, records: this.records, linesRead: this.linesRead,
      linesWithRecords: this.linesWithRecords, recordCount: this.recordCount,
      notNeeded: Object.fromEntries([...this.notNeeded.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
      notNeededLines: this.notNeededLines, unreadable: this.unreadable, unreadableCount: this.unreadableCount,
      year: { value: this.clock.year, source: this.clock.yearSource }, tz: this.clock.tzLabel, warnings: this.warnings,
    };
  }
}

/** Reads one line (no line terminator) into the state. */
export type LineReader = (text: string, st: ReadState) => void;

/**
 * Splits string chunks into lines (LF or CRLF; a last line without newline counts) and feeds
 * them to a reader. Empty lines count as not needed ('empty line').
 */
export class LineStream {
  private carry = '';
  private lineNo = 0;

  constructor(private readonly st: ReadState, private readonly read: LineReader) {}

  push(chunk: string): void {
    // The carry is joined to the first line only, never to the whole chunk: indexOf on the
    // concatenation (a V8 cons string) costs about a microsecond per call, once per line.
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (this.carry.length > 0) {
      if (nl < 0) { this.carry += chunk; this.dropOverlongCarry(); return; }
      const first = this.carry + chunk.slice(0, nl);
      this.carry = '';
      this.one(first, 0, first.length);
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    for (; nl >= 0; nl = chunk.indexOf('\n', start)) {
      this.one(chunk, start, nl);
      start = nl + 1;
    }
    this.carry = start < chunk.length ? chunk.slice(start) : '';
    this.dropOverlongCarry();
  }

  private dropOverlongCarry(): void {
    if (this.carry.length > MAX_LINE_CHARS) {
      // Count the over-long line now, then drop the rest of it up to its newline.
      this.one(this.carry, 0, MAX_LINE_CHARS);
      this.carry = '';
      this.skipRest = true;
    }
  }

  private skipRest = false;

  private one(text: string, start: number, end: number): void {
    if (this.skipRest) { this.skipRest = false; return; }
    let e = end;
    if (e > start && text.charCodeAt(e - 1) === 13) e--;
    const line = text.slice(start, e);
    this.lineNo++;
    this.st.beginLine(this.lineNo, line);
    if (line.length >= MAX_LINE_CHARS) this.st.bad(`line longer than ${MAX_LINE_CHARS} characters`);
    else if (line.length === 0 || isBlank(line)) this.st.skip('empty line');
    else this.read(line, this.st);
    this.st.endLine();
  }

  end(): FwLogResult {
    if (this.carry.length > 0) { const c = this.carry; this.carry = ''; this.one(c, 0, c.length); }
    this.skipRest = false;
    return this.st.result();
  }
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c !== 32 && c !== 9 && c !== 0) return false; }
  return true;
}
