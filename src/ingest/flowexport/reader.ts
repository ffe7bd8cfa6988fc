/**
 * The reader of one flow-export format, and what it reports besides records.
 */
import { inputError } from '../../util/errors.js';
import type { ExporterTimeouts, RecordTable } from './records.js';

export type FlowExportFormat = 'zeek-tsv' | 'zeek-json' | 'nfdump-csv' | 'argus-csv' | 'aws-vpc' | 'cicflowmeter' | 'csv';

export const FLOW_EXPORT_FORMATS: readonly FlowExportFormat[] = ['zeek-tsv', 'zeek-json', 'nfdump-csv', 'argus-csv', 'aws-vpc', 'cicflowmeter', 'csv'];

/** What a reader reports besides records. */
export class ReadContext {
  readonly skipped: Array<{ line: number; reason: string }> = [];
  skippedCount = 0;
  /** Records that are not flows, by kind (management records, NODATA ...), for the warnings. */
  readonly ignored = new Map<string, number>();
  readonly warnings: string[] = [];

  constructor(readonly name: string, readonly strict: boolean, readonly table: RecordTable, private readonly keep = 1000) {}

  /** A line that cannot be read: counted and listed, or fatal under strict. */
  skip(line: number, reason: string): void {
    // Reasons quote fields, which can be long: keep messages to a line (test/fuzz/regressions.test.ts).
    if (reason.length > 200) reason = `${reason.slice(0, 200)}...`;
    if (this.strict) throw inputError('EXPORT_UNPARSABLE_LINE', reason, { file: this.name, line });
    this.skippedCount++;
    if (this.skipped.length < this.keep) this.skipped.push({ line, reason });
  }

  ignore(kind: string): void {
    this.ignored.set(kind, (this.ignored.get(kind) ?? 0) + 1);
  }
}

export interface FormatReader {
  readonly format: FlowExportFormat;
  readonly delimiter: string;
  readonly quote: boolean;
  readonly wholeLine: boolean;
  /** Fields the reader needs per line from now on (0 = all): tokenise.ts TokeniseOptions.limit. */
  fieldLimit: number;
  /** Known hiding behaviour of the exporter (records.ts ExporterTimeouts), if any. */
  readonly exporter: ExporterTimeouts | undefined;
  row(fields: string[], line: number): void;
  /** After the last line: whole-file problems (no header at all) throw here. */
  finish(): void;
}
