/**
 * nfdump CSV (`nfdump -o csv`): NetFlow/IPFIX records.
 */
import { PROTO_TCP } from '../../util/protocols.js';
import { column, count, HeaderReader, icmpFamily, missingColumns } from './columns.js';
import { parseAnyTimeUs, parseProto } from './fields.js';
import { REC_FIN_SRC, REC_OPENS, REC_RST, REC_UNIDIRECTIONAL, STATE_UNKNOWN } from './records.js';

/** nfdump's flag string: 8 positions C E U A P R S F, '.' for unset (nfdump output_util.c FlagsString). */
export function tcpFlagLetters(s: string): number {
  let flags = 0;
  if (s.indexOf('S') >= 0) flags |= REC_OPENS;
  if (s.indexOf('F') >= 0) flags |= REC_FIN_SRC;
  if (s.indexOf('R') >= 0) flags |= REC_RST;
  return flags;
}

/** nfdump prints an ICMP type and code as "type.code" in the port column. */
export function nfdumpPort(s: string): string {
  const dot = s.indexOf('.');
  if (dot < 0) return s;
  const type = Number(s.slice(0, dot)), code = Number(s.slice(dot + 1));
  return type >= 0 && type < 256 && code >= 0 && code < 256 ? String(type * 256 + code) : s;
}

/** `nfdump -o csv` (nfdump 1.7): header `ts,te,td,sa,da,sp,dp,pr,flg,...`, a `Summary` trailer. */
export class NfdumpReader extends HeaderReader {
  readonly format = 'nfdump-csv' as const;
  // NetFlow/IPFIX exporters differ (softflowd, routers): no default can be assumed; see records.ts.
  readonly exporter = undefined;
  private ix = { ts: -1, te: -1, td: -1, sa: -1, da: -1, sp: -1, dp: -1, pr: -1, flg: -1, ipkt: -1, ibyt: -1, opkt: -1, obyt: -1 };
  private need = 0;
  private trailer = false;

  protected lastColumn(): number {
    return Math.max(...Object.values(this.ix));
  }

  protected header(index: Map<string, number>, _f: string[], line: number): void {
    const ix = this.ix;
    for (const k of Object.keys(ix) as Array<keyof typeof ix>) ix[k] = column(index, k);
    const missing = (['ts', 'sa', 'da', 'pr'] as const).filter((k) => ix[k] < 0);
    if (ix.te < 0 && ix.td < 0) missing.push('te' as 'ts');
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'nfdump CSV', missing);
    this.need = Math.max(ix.ts, ix.te, ix.sa, ix.da, ix.sp, ix.dp, ix.pr) + 1;
  }

  protected record(f: string[], line: number): void {
    if (this.trailer) return;
    if (f[0] === 'Summary') { // the trailer: "Summary", its header and totals
      this.trailer = true;
      return;
    }
    if (this.short(f, line, this.need)) return;
    const ix = this.ix;
    const t = this.ctx.table;
    const proto = parseProto(f[ix.pr]!);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(f[ix.pr])} is not known`); return; }
    const startUs = parseAnyTimeUs(f[ix.ts]!, 's');
    // `te` and `ts` are printed to the second (nfdump 1.7 csv): gaps between records carry that error.
    const endUs = ix.te >= 0 ? parseAnyTimeUs(f[ix.te]!, 's') : startUs + Math.round(Number(f[ix.td]) * 1e6);
    const i = t.reserve();
    if (!this.fill(i, line, startUs, endUs, proto, f[ix.sa]!, f[ix.da]!, ix.sp < 0 ? '0' : nfdumpPort(f[ix.sp]!), ix.dp < 0 ? '0' : nfdumpPort(f[ix.dp]!), { start: 'ts', end: 'te' })) return;
    t.proto[i] = icmpFamily(t, i, proto);
    const opkt = count(f, ix.opkt), obyt = count(f, ix.obyt);
    // opkt/obyt are 0 for unidirectional NetFlow records, filled for bidirectional ones (NSEL, IPFIX biflows).
    const bidirectional = opkt > 0 || obyt > 0;
    if (!this.counts(i, line, count(f, ix.ipkt), bidirectional ? opkt : Number.NaN, count(f, ix.ibyt), bidirectional ? obyt : Number.NaN)) return;
    t.flags[i] = (proto === PROTO_TCP && ix.flg >= 0 ? tcpFlagLetters(f[ix.flg]!) : 0) | (bidirectional ? 0 : REC_UNIDIRECTIONAL);
    t.state[i] = STATE_UNKNOWN;
  }
}
