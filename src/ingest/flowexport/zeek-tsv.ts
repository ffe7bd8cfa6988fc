/**
 * Zeek conn.log as TSV (`#fields` header, `#separator`).
 */
import { inputError } from '../../util/errors.js';
import { missingColumns } from './columns.js';
import { type FormatReader, ReadContext } from './reader.js';
import { ZEEK_EXPORTER, ZEEK_FIELDS, ZeekColumns, zeekRecord } from './zeek.js';

export class ZeekTsvReader implements FormatReader {
  readonly format = 'zeek-tsv' as const;
  // A later '#fields' block (concatenated logs) must be split whole: no limit.
  readonly fieldLimit = 0;
  readonly quote = false;
  readonly wholeLine = false;
  readonly exporter = ZEEK_EXPORTER;
  private cols: ZeekColumns | null = null;
  private ipBytes = { orig: -1, resp: -1 };
  private unset = '-';
  private pathOk = true;
  private width = 0;

  constructor(private readonly ctx: ReadContext, readonly delimiter: string) {}

  row(f: string[], line: number): void {
    const f0 = f[0]!;
    if (f0.charCodeAt(0) === 35) { // '#'
      this.header(f, line);
      return;
    }
    const c = this.cols;
    if (c === null) {
      this.ctx.skip(line, 'a record before the #fields header');
      return;
    }
    if (!this.pathOk) return;
    if (f.length < this.width) {
      this.ctx.skip(line, `${f.length} fields where the #fields header names ${this.width}`);
      return;
    }
    const t = this.ctx.table;
    const i = t.reserve();
    t.line[i] = line;
    const get = (ix: number): string => (ix < 0 ? this.unset : f[ix]!);
    const why = zeekRecord(t, i, {
      ts: f[c.ts]!, origH: f[c.origH]!, origP: f[c.origP]!, respH: f[c.respH]!, respP: f[c.respP]!, proto: get(c.proto),
      ipProto: get(c.ipProto), duration: get(c.duration), origPkts: get(c.origPkts), respPkts: get(c.respPkts),
      origBytes: get(this.ipBytes.orig >= 0 ? this.ipBytes.orig : c.origBytes),
      respBytes: get(this.ipBytes.resp >= 0 ? this.ipBytes.resp : c.respBytes),
      connState: get(c.connState), history: get(c.history),
    }, this.unset);
    if (why !== null) {
      t.unreserve();
      this.ctx.skip(line, why);
    }
  }

  private header(f: string[], line: number): void {
    const key = f[0];
    if (key === '#fields') {
      const names = f.slice(1);
      const at = (n: string): number => names.indexOf(n);
      const cols: ZeekColumns = {
        ts: at(ZEEK_FIELDS.ts), origH: at(ZEEK_FIELDS.origH), origP: at(ZEEK_FIELDS.origP), respH: at(ZEEK_FIELDS.respH),
        respP: at(ZEEK_FIELDS.respP), proto: at(ZEEK_FIELDS.proto), ipProto: at(ZEEK_FIELDS.ipProto), duration: at(ZEEK_FIELDS.duration),
        origPkts: at(ZEEK_FIELDS.origPkts), respPkts: at(ZEEK_FIELDS.respPkts), origBytes: at(ZEEK_FIELDS.origBytes),
        respBytes: at(ZEEK_FIELDS.respBytes), connState: at(ZEEK_FIELDS.connState), history: at(ZEEK_FIELDS.history),
      };
      const missing = (['ts', 'origH', 'origP', 'respH', 'respP'] as const).filter((k) => cols[k] < 0).map((k) => ZEEK_FIELDS[k]);
      if (missing.length > 0) missingColumns(this.ctx.name, line, 'Zeek #fields', missing);
      // IP-level byte counts are what a firewall sees; orig_bytes/resp_bytes are payload only.
      this.ipBytes = { orig: at(ZEEK_FIELDS.origIpBytes), resp: at(ZEEK_FIELDS.respIpBytes) };
      this.cols = cols;
      this.width = names.length;
    } else if (key === '#unset_field' && f.length > 1) {
      this.unset = f[1]!;
    } else if (key === '#path' && f.length > 1) {
      this.pathOk = f[1] === 'conn';
      if (!this.pathOk) throw inputError('EXPORT_NOT_CONN_LOG', `a Zeek ${JSON.stringify(f[1]!.slice(0, 60))} log, not a conn.log: it has no flows`, { file: this.ctx.name, line });
    }
    // #separator is applied before tokenising; #set_separator, #empty_field, #open, #close, #types need nothing.
  }

  finish(): void {
    if (this.cols === null) throw inputError('EXPORT_MISSING_COLUMN', 'a Zeek log without a #fields header', { file: this.ctx.name });
  }
}
