/**
 * Exported flow datasets as inputs: Zeek conn.log (TSV and JSON lines), nfdump CSV, Argus CSV,
 * AWS VPC flow logs, CICFlowMeter CSV and any CSV/TSV through a column map. Recognised by content;
 * read line by line into flow records (formats.ts); src/flows/export-flows.ts makes them flows
 * and idle gaps. docs/EXPORTS.md: per source, the command and what it can show.
 */
import { RecordTable } from './records.js';
import { inputError, usageError } from '../../util/errors.js';
import { normaliseHeader } from './fields.js';
import {
  AWS_DEFAULT_FIELDS, FLOW_EXPORT_FORMATS, ReadContext, makeReader, type FlowExportFormat,
} from './formats.js';
import { tokenise, type Engine } from './tokenise.js';

export { FLOW_EXPORT_FORMATS, MAP_KEYS, type FlowExportFormat } from './formats.js';
export { parseColumnMap } from './column-map.js';
export type { Engine } from './tokenise.js';

export type SniffedFormat = 'zeek-tsv' | 'zeek-json' | 'nfdump-csv' | 'argus-csv' | 'aws-vpc' | 'cicflowmeter';

/** The first `n` non-empty lines of `head` (a prefix of the file; the last line may be cut). */
function firstLines(head: string, n: number): string[] {
  const out: string[] = [];
  for (const l of head.replace(/^\uFEFF/, '').split('\n')) {
    const s = l.replace(/\r$/, '');
    if (s.trim().length === 0) continue;
    out.push(s);
    if (out.length === n) break;
  }
  return out;
}

/** The default VPC flow log record, for files without a header (CloudWatch Logs exports). */
const AWS_V2_LINE = /^2 (\d{12}|unknown|-) (eni-[0-9a-f]+|-) \S+ \S+ \S+ \S+ \S+ \S+ \S+ \d+ \d+ (ACCEPT|REJECT|-) (OK|NODATA|SKIPDATA)$/;

/**
 * Which flow export `head` (the first kilobytes of the decompressed input) is, from its content
 * only; null when it is none of them (a capture, a conntrack dump, an unmapped CSV).
 */
export function sniffFlowExport(head: string): SniffedFormat | null {
  const lines = firstLines(head, 3);
  if (lines.length === 0) return null;
  const first = lines[0]!;
  if (first.startsWith('#separator') || (first.startsWith('#') && lines.some((l) => l.startsWith('#fields\t')))) return 'zeek-tsv';
  // Zeek test baselines start with a "### BTest baseline" line before the header.
  if (first.startsWith('### ') && lines.length > 1 && lines[1]!.startsWith('#separator')) return 'zeek-tsv';
  if (first.startsWith('{') && (first.includes('"id.orig_h"') || first.includes('"orig_h"'))) return 'zeek-json';
  if (first === AWS_DEFAULT_FIELDS || (/^\S+( \S+)+$/.test(first) && /(^| )srcaddr( |$)/.test(first) && /(^| )dstaddr( |$)/.test(first) && /(^| )start( |$)/.test(first))) return 'aws-vpc';
  if (AWS_V2_LINE.test(first)) return 'aws-vpc';
  const names = new Set(first.split(/[,\t;|]/).map(normaliseHeader));
  const has = (...n: string[]): boolean => n.every((x) => names.has(normaliseHeader(x)));
  if (has('ts', 'te', 'sa', 'da', 'pr') && (has('ipkt') || has('ibyt'))) return 'nfdump-csv';
  if (has('StartTime', 'Proto') && (has('SrcAddr') || has('saddr'))) return 'argus-csv';
  if (has('Flow Duration', 'Timestamp') && (has('Src IP') || has('Source IP'))) return 'cicflowmeter';
  return null;
}

export interface FlowExportOptions {
  /** Force a format instead of sniffing ('csv' needs `map`). */
  format?: string;
  map?: Record<string, string>;
  /** Make an unreadable line fatal. */
  strict?: boolean;
  gapFloorUs: number;
  exportInactiveTimeoutSeconds?: number;
  /** Tokeniser: 'fast' (default) or 'csv-parse' alone (tokenise.ts). */
  engine?: Engine;
}


const HEAD_BYTES = 64 * 1024;

/** Gather the first HEAD_BYTES (or all) of the input without losing any of it. */
async function peekHead(chunks: AsyncIterable<Buffer>): Promise<{ head: string; rest: AsyncIterable<Buffer> }> {
  const it = chunks[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < HEAD_BYTES) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    taken.push(r.value);
    size += r.value.length;
  }
  const head = Buffer.concat(taken).subarray(0, HEAD_BYTES).toString('utf8');
  async function* rest(): AsyncGenerator<Buffer> {
    for (const b of taken) yield b;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, rest: rest() };
}

/** Read flow records from one input and read the lot into records (for tests and tools). */
export async function readFlowExportRecords(name: string, chunks: AsyncIterable<Buffer>, opts: Omit<FlowExportOptions, 'gapFloorUs'> = {}): Promise<{
  format: FlowExportFormat; table: RecordTable; ctx: ReadContext; exporter: ReturnType<typeof makeReader>['exporter'];
}> {
  const { head, rest } = await peekHead(chunks);
  let format: FlowExportFormat | null;
  if (opts.format !== undefined) {
    if (!(FLOW_EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
      throw usageError('CLI_INVALID_EXPORT_FORMAT', `unknown export format ${JSON.stringify(opts.format)} (known: ${FLOW_EXPORT_FORMATS.join(', ')})`);
    }
    format = opts.format as FlowExportFormat;
  } else if (opts.map !== undefined) {
    format = 'csv';
  } else {
    format = sniffFlowExport(head);
  }
  if (format === null) {
    throw inputError('EXPORT_UNKNOWN_FORMAT', 'not a flow export this tool reads (Zeek conn.log, nfdump/Argus/CICFlowMeter CSV, VPC flow log); for another CSV give --map', { file: name });
  }
  if (format === 'csv' && opts.map === undefined) throw usageError('CLI_INVALID_MAP', 'the csv format needs --map to name its columns');
  const table = new RecordTable(1024);
  const ctx = new ReadContext(name, opts.strict === true, table);
  const reader = makeReader(format, ctx, head, opts.map);
  await tokenise(rest, {
    delimiter: reader.delimiter, quote: reader.quote, engine: opts.engine ?? 'fast', wholeLine: reader.wholeLine, name, limit: reader,
  }, (fields, line) => reader.row(fields, line));
  reader.finish();
  return { format, table, ctx, exporter: reader.exporter };
}
