/**
 * Zeek conn.log as JSON lines (LogAscii::use_json).
 */
import { type FormatReader, ReadContext } from './reader.js';
import { ZEEK_EXPORTER, zeekRecord } from './zeek.js';

export class ZeekJsonReader implements FormatReader {
  readonly format = 'zeek-json' as const;
  readonly fieldLimit = 0;
  readonly delimiter = '\n';
  readonly quote = false;
  readonly wholeLine = true;
  readonly exporter = ZEEK_EXPORTER;

  constructor(private readonly ctx: ReadContext) {}

  row(f: string[], line: number): void {
    const text = f[0]!;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.ctx.skip(line, 'not a JSON object');
      return;
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      this.ctx.skip(line, 'not a JSON object');
      return;
    }
    // Zeek writes the conn id flat ("id.orig_h") by default, nested ({"id": {"orig_h"}}) with some plugins.
    const id = (o.id !== null && typeof o.id === 'object' ? o.id : {}) as Record<string, unknown>;
    const s = (k: string, nested?: string): string => {
      const v = o[k] ?? (nested !== undefined ? id[nested] : undefined);
      return v === undefined || v === null ? '-' : String(v);
    };
    if (o['id.orig_h'] === undefined && id.orig_h === undefined) {
      this.ctx.skip(line, 'no id.orig_h: not a conn.log record');
      return;
    }
    const t = this.ctx.table;
    const i = t.reserve();
    t.line[i] = line;
    const why = zeekRecord(t, i, {
      ts: s('ts'), origH: s('id.orig_h', 'orig_h'), origP: s('id.orig_p', 'orig_p'), respH: s('id.resp_h', 'resp_h'),
      respP: s('id.resp_p', 'resp_p'), proto: s('proto'), ipProto: s('ip_proto'), duration: s('duration'),
      origPkts: s('orig_pkts'), respPkts: s('resp_pkts'),
      origBytes: o.orig_ip_bytes !== undefined ? s('orig_ip_bytes') : s('orig_bytes'),
      respBytes: o.resp_ip_bytes !== undefined ? s('resp_ip_bytes') : s('resp_bytes'),
      connState: s('conn_state'), history: s('history'),
    }, '-');
    if (why !== null) {
      t.unreserve();
      this.ctx.skip(line, why);
    }
  }

  finish(): void {}
}
