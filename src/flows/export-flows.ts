/**
 * A flow export read into flows: the records of src/ingest/flowexport (one reader per format)
 * become flows and idle gaps (records.ts), with what could not be read said as warnings.
 */
import { readFlowExportRecords, type FlowExportOptions } from '../ingest/flowexport/index.js';
import { flowsFromRecords } from './records.js';
import type { FlowSet, GapDistribution } from './types.js';

export interface FlowExportResult {
  format: string;
  flows: FlowSet;
  distribution: GapDistribution;
  /** Flow records read (management, NODATA and non-IP records are not counted). */
  records: number;
  skipped: Array<{ line: number; reason: string }>;
  warnings: string[];
}

/** Read one flow export into flows, its gap distribution and what could not be read. */
export async function readFlowExport(name: string, chunks: AsyncIterable<Buffer>, opts: FlowExportOptions): Promise<FlowExportResult> {
  const { format, table, ctx, exporter } = await readFlowExportRecords(name, chunks, opts);
  const built = flowsFromRecords(table, {
    gapFloorUs: opts.gapFloorUs, exportInactiveTimeoutSeconds: opts.exportInactiveTimeoutSeconds, exporter,
  });
  const warnings: string[] = [];
  for (const [kind, n] of ctx.ignored) warnings.push(`${name}: ${n} ${kind} left out`);
  if (ctx.skippedCount > 0) {
    const first = ctx.skipped[0]!;
    warnings.push(`${name}: ${ctx.skippedCount} lines could not be read and were skipped (first: line ${first.line}: ${first.reason})` +
      (ctx.skippedCount > ctx.skipped.length ? `; only the first ${ctx.skipped.length} are listed` : ''));
  }
  if (format === 'nfdump-csv') warnings.push(`${name}: nfdump CSV prints times to the whole second: gaps between records are known to within 1 s`);
  for (const w of built.warnings) warnings.push(`${name}: ${w}`);
  return { format, flows: built.flows, distribution: built.distribution, records: table.count, skipped: ctx.skipped, warnings };
}
