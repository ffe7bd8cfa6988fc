/**
 * One reader per flow-export format, one file each (zeek-tsv, zeek-json, nfdump, argus, aws-vpc,
 * cicflowmeter, mapped-csv): each takes the fields of one line and appends a record to the
 * RecordTable (records.ts), or says why the line cannot be read. Column positions come from each
 * format's header, never from fixed offsets, so added or reordered columns work. docs/EXPORTS.md
 * lists, per source, the command that produces the file and what it can show.
 */
import { ArgusReader } from './argus.js';
import { AwsVpcReader } from './aws-vpc.js';
import { CicReader } from './cicflowmeter.js';
import { guessDelimiter } from './columns.js';
import { MappedReader } from './mapped-csv.js';
import { NfdumpReader } from './nfdump.js';
import { type FlowExportFormat, type FormatReader, ReadContext } from './reader.js';
import { ZeekJsonReader } from './zeek-json.js';
import { ZeekTsvReader } from './zeek-tsv.js';
import { zeekSeparator } from './zeek.js';

export { FLOW_EXPORT_FORMATS, ReadContext, type FlowExportFormat, type FormatReader } from './reader.js';
export { guessDelimiter } from './columns.js';
export { zeekSeparator } from './zeek.js';
export { AWS_DEFAULT_FIELDS } from './aws-vpc.js';
export { MAP_KEYS } from './mapped-csv.js';

export function makeReader(format: FlowExportFormat, ctx: ReadContext, head: string, map: Record<string, string> | undefined): FormatReader {
  const firstLine = head.split('\n', 1)[0]!.replace(/\r$/, '').replace(/^\uFEFF/, '');
  switch (format) {
    case 'zeek-tsv': return new ZeekTsvReader(ctx, zeekSeparator(head));
    case 'zeek-json': return new ZeekJsonReader(ctx);
    case 'nfdump-csv': return new NfdumpReader(ctx, ',', true);
    case 'argus-csv': return new ArgusReader(ctx, guessDelimiter(firstLine), true);
    case 'aws-vpc': return new AwsVpcReader(ctx, !/\bsrcaddr\b/.test(firstLine));
    case 'cicflowmeter': return new CicReader(ctx, guessDelimiter(firstLine), true);
    case 'csv': return new MappedReader(ctx, guessDelimiter(firstLine), map ?? {});
  }
}
