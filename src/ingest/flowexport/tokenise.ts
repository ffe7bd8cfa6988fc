/**
 * Lines into fields for the flow-export readers, two engines over the same contract:
 *
 * - 'csv-parse': csv-parse's streaming API (RFC 4180 quoting, multi-line fields).
 * - 'fast' (default): lines are split on the delimiter directly when they hold no quote
 *   character, and any line that does is handed to csv-parse (its sync API, the same parser core),
 *   joined with the following lines while its quotes are unbalanced. Flow exports are almost never
 *   quoted, and csv-parse alone tops out near 300 thousand records per second here, below the
 *   500 thousand we aim for (docs/EXPORTS.md "Speed"); test/ingest/flowexport.test.ts checks that
 *   both engines give the same records.
 *
 * The sink gets the fields and the 1-based line number where the record starts; empty lines are
 * skipped (and counted in the line numbers).
 */
import { isAscii } from 'node:buffer';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { inputError } from '../../util/errors.js';

export type Engine = 'fast' | 'csv-parse';

export interface TokeniseOptions {
  /** One character. */
  delimiter: string;
  /** Whether '"' quotes fields (CSV); false for Zeek TSV and space-separated logs. */
  quote: boolean;
  engine: Engine;
  /** Do not split: the sink gets the whole line as the only field (JSON lines). */
  wholeLine?: boolean;
  /** Name for error messages. */
  name: string;
  /**
   * Read per line: split off at most this many fields (0 = all). Readers that need only the first
   * columns of a wide file (nfdump's 48) set it after the header; splitting less is the main saving.
   */
  limit?: { fieldLimit: number };
}

export type FieldSink = (fields: string[], line: number) => void;

/**
 * Longest line (or quoted record spanning lines) read, in characters: flow-export lines are a
 * few hundred; beyond this the input is not an export, and reading on would hold it all in memory
 * (EXPORT_LINE_TOO_LONG, docs/LIMITS.md).
 */
export const MAX_LINE_CHARS = 1 << 20;

function lineTooLong(name: string, line: number): never {
  throw inputError('EXPORT_LINE_TOO_LONG', `a line (or quoted record) longer than ${MAX_LINE_CHARS} characters: not a flow export`, { file: name, line });
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}

export async function tokenise(chunks: AsyncIterable<Buffer>, opts: TokeniseOptions, sink: FieldSink): Promise<void> {
  if (opts.engine === 'csv-parse' && !opts.wholeLine) return tokeniseCsvParse(chunks, opts, sink);
  const decoder = new StringDecoder('utf8');
  const delimiter = opts.delimiter;
  const quote = opts.quote && !opts.wholeLine;
  const whole = opts.wholeLine === true;
  const limit = opts.limit;
  let rest = '';
  const restParts: string[] = [];
  let restLength = 0;
  let line = 0;
  let first = true;
  // A quoted record spanning lines: its text so far and its first line.
  let pending: string | null = null;
  let pendingLine = 0;
  // Quotes in `pending`, counted as lines are added (recounting it all per line is quadratic).
  let pendingQuotes = 0;
  const one: string[] = [''];

  const emit = (text: string, at: number): void => {
    if (pending !== null) {
      pending += '\n' + text;
      pendingQuotes += countQuotes(text);
      if (pending.length > MAX_LINE_CHARS) lineTooLong(opts.name, pendingLine);
      if (pendingQuotes % 2 === 0) {
        const rec = pending;
        pending = null;
        sink(parseQuoted(rec, delimiter, opts.name, pendingLine), pendingLine);
      }
      return;
    }
    if (text.length === 0) return;
    if (whole) {
      one[0] = text;
      sink(one, at);
      return;
    }
    if (quote && text.indexOf('"') >= 0) {
      pendingQuotes = countQuotes(text);
      if (pendingQuotes % 2 !== 0) {
        pending = text;
        pendingLine = at;
        return;
      }
      sink(parseQuoted(text, delimiter, opts.name, at), at);
      return;
    }
    const n = limit === undefined ? 0 : limit.fieldLimit;
    sink(n > 0 ? text.split(delimiter, n) : text.split(delimiter), at);
  };

  // While every chunk so far was ASCII no character can straddle two chunks, and latin1 decoding
  // of ASCII is a plain copy (measured: twice as fast as the UTF-8 decoder on a 350 MB export).
  let ascii = true;
  for await (const chunk of chunks) {
    let s: string;
    if (ascii && isAscii(chunk)) s = chunk.toString('latin1');
    else { ascii = false; s = decoder.write(chunk); }
    if (first && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    // A long line over many chunks: gather its pieces and join them once its end arrives (joining
    // and searching per chunk is quadratic); `rest` holds no newline, so search only what is new.
    if (s.indexOf('\n') < 0) {
      restParts.push(s);
      restLength += s.length;
      if (rest.length + restLength > MAX_LINE_CHARS) lineTooLong(opts.name, line + 1);
      continue;
    }
    if (restParts.length > 0) {
      rest += restParts.join('');
      restParts.length = 0;
      restLength = 0;
    }
    let from = rest.length;
    if (rest.length > 0) s = rest + s;
    let i = 0;
    for (;;) {
      const j = s.indexOf('\n', from);
      if (j < 0) break;
      from = j + 1;
      line++;
      if (j - i > MAX_LINE_CHARS) lineTooLong(opts.name, line);
      const end = j > i && s.charCodeAt(j - 1) === 13 ? j - 1 : j;
      emit(s.slice(i, end), line);
      i = j + 1;
    }
    rest = i === 0 ? s : s.slice(i);
    if (rest.length > MAX_LINE_CHARS) lineTooLong(opts.name, line + 1);
  }
  rest += restParts.join('') + decoder.end();
  if (rest.length > 0) {
    line++;
    emit(rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest, line);
  }
  if (pending !== null) {
    throw inputError('EXPORT_UNTERMINATED_QUOTE', 'a quoted field is not closed before the end of the file', { file: opts.name, line: pendingLine });
  }
}

function parseQuoted(text: string, delimiter: string, name: string, line: number): string[] {
  try {
    const recs = parseSync(text, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][];
    return recs.length > 0 ? recs[0]! : [];
  } catch (e) {
    throw inputError('EXPORT_CSV_MALFORMED', `CSV quoting is malformed (${(e as Error).message})`, { file: name, line });
  }
}

async function tokeniseCsvParse(chunks: AsyncIterable<Buffer>, opts: TokeniseOptions, sink: FieldSink): Promise<void> {
  let endLine = 0, emptyLines = 0;
  // Records are handed over in on_record and filtered out of the stream (return null): measured
  // here, that is faster than reading them back from the stream with `info: true`.
  const parser = parse({
    delimiter: opts.delimiter,
    quote: opts.quote ? '"' : null,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    bom: true,
    max_record_size: MAX_LINE_CHARS,
    on_record: (record: string[], info: { lines: number; empty_lines: number }) => {
      // info.lines is the line where the record ends; report where it starts, as the fast engine
      // does: after the previous record's end and any empty lines skipped since.
      const startLine = endLine + 1 + (info.empty_lines - emptyLines);
      endLine = info.lines;
      emptyLines = info.empty_lines;
      sink(record, startLine);
      return null;
    },
  });
  const source = Readable.from(chunks, { objectMode: false });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  source.on('error', (e) => parser.destroy(e));
  parser.resume();
  source.pipe(parser);
  try {
    await done;
  } catch (e) {
    if ((e as { kind?: string }).kind !== undefined) throw e;
    const ce = e as { code?: string; lines?: number; message: string };
    if (ce.code === 'CSV_MAX_RECORD_SIZE') lineTooLong(opts.name, ce.lines ?? endLine + 1);
    if (typeof ce.code === 'string' && ce.code.startsWith('CSV_')) {
      throw inputError('EXPORT_CSV_MALFORMED', `CSV is malformed (${ce.message})`, { file: opts.name, line: ce.lines });
    }
    throw e;
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
}
