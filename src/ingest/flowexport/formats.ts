/**
 * One reader per flow-export format: each takes the fields of one line and appends a record to
 * the RecordTable (src/flows/records.ts), or says why the line cannot be read. Column positions
 * come from each format's header, never from fixed offsets, so added or reordered columns work.
 * docs/EXPORTS.md lists, per source, the command that produces the file and what it can show.
 */
import {
  REC_CLOSED, REC_FIN_DST, REC_FIN_SRC, REC_OPENS, REC_RST, REC_UNIDIRECTIONAL, STATE_UNKNOWN,
  internAddress, type ExporterTimeouts, type RecordTable,
} from '../../flows/records.js';
import { FlowState, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP } from '../../flows/types.js';
import { inputError } from '../../util/errors.js';
import {
  normaliseHeader, parseAnyTimeUs, parseCount, parseEpochUs, parsePort, parseProto, type EpochUnit,
} from './fields.js';

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

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Column index by any of several names (compared with normaliseHeader), or -1. */
function column(index: Map<string, number>, ...names: string[]): number {
  for (const n of names) {
    const i = index.get(normaliseHeader(n));
    if (i !== undefined) return i;
  }
  return -1;
}

function headerIndex(fields: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < fields.length; i++) {
    const k = normaliseHeader(fields[i]);
    if (!m.has(k)) m.set(k, i);
  }
  return m;
}

function missingColumns(name: string, line: number, format: string, missing: string[]): never {
  throw inputError('EXPORT_MISSING_COLUMN', `the ${format} header has no column ${missing.join(', ')}`, { file: name, line });
}

/** Fill the address, port and protocol columns of record i; returns a reason on failure. */
function endpoints(t: RecordTable, i: number, src: string, dst: string, sport: string, dport: string): string | null {
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
function count(fields: string[], ix: number): number {
  return ix < 0 || ix >= fields.length ? Number.NaN : parseCount(fields[ix]);
}

/** ICMP on an IPv6 address pair is ICMPv6 (Zeek writes "icmp" for both). */
function icmpFamily(t: RecordTable, i: number, proto: number): number {
  return proto === PROTO_ICMP && t.addresses.text(t.srcAddr[i]).indexOf(':') >= 0 ? PROTO_ICMPV6 : proto;
}

// ---------------------------------------------------------------------------------------------
// Zeek conn.log

/** Zeek's defaults: tcp_inactivity_timeout 5 min, udp_inactivity_timeout and icmp_inactivity_timeout 1 min. */
const ZEEK_EXPORTER: ExporterTimeouts = {
  name: 'Zeek', kind: 'inactive', setting: 'inactivity timeout', tcpSeconds: 300, udpSeconds: 60, otherSeconds: 60,
  source: 'tcp_inactivity_timeout, udp_inactivity_timeout, icmp_inactivity_timeout in base/init-bare.zeek',
};

/**
 * conn_state to record flags and the TCP state after the record (Zeek base/protocols/conn/main.zeek,
 * the conn_state documentation). `opens` is used only when the history field is unset.
 */
const ZEEK_STATES: Record<string, { flags: number; opens: boolean; state: FlowState }> = {
  S0: { flags: 0, opens: true, state: FlowState.SynSent },
  S1: { flags: 0, opens: true, state: FlowState.Established },
  SF: { flags: REC_CLOSED, opens: true, state: FlowState.TimeWait },
  REJ: { flags: REC_RST, opens: true, state: FlowState.Close },
  S2: { flags: REC_FIN_SRC, opens: true, state: FlowState.FinWait },
  S3: { flags: REC_FIN_DST, opens: true, state: FlowState.FinWait },
  RSTO: { flags: REC_RST, opens: true, state: FlowState.Close },
  RSTR: { flags: REC_RST, opens: true, state: FlowState.Close },
  RSTOS0: { flags: REC_RST, opens: true, state: FlowState.Close },
  RSTRH: { flags: REC_RST, opens: false, state: FlowState.Close },
  SH: { flags: REC_FIN_SRC, opens: true, state: FlowState.FinWait },
  SHR: { flags: REC_FIN_DST, opens: false, state: FlowState.FinWait },
  OTH: { flags: 0, opens: false, state: FlowState.Established },
};

interface ZeekColumns {
  ts: number; origH: number; origP: number; respH: number; respP: number; proto: number; ipProto: number;
  duration: number; origPkts: number; respPkts: number; origBytes: number; respBytes: number; connState: number; history: number;
}

/** The Zeek field names, in TSV `#fields` and JSON keys alike. */
const ZEEK_FIELDS = {
  ts: 'ts', origH: 'id.orig_h', origP: 'id.orig_p', respH: 'id.resp_h', respP: 'id.resp_p', proto: 'proto', ipProto: 'ip_proto',
  duration: 'duration', origPkts: 'orig_pkts', respPkts: 'resp_pkts', origIpBytes: 'orig_ip_bytes', respIpBytes: 'resp_ip_bytes',
  origBytes: 'orig_bytes', respBytes: 'resp_bytes', connState: 'conn_state', history: 'history',
};

const MASKED_TS = /^X+\.X+$/;

/**
 * One Zeek conn record from its text values into record i. Returns a reason when unreadable.
 * `unset` is the `#unset_field` text ('-').
 */
function zeekRecord(t: RecordTable, i: number, v: {
  ts: string; origH: string; origP: string; respH: string; respP: string; proto: string; ipProto: string;
  duration: string; origPkts: string; respPkts: string; origBytes: string; respBytes: string; connState: string; history: string;
}, unset: string): string | null {
  if (MASKED_TS.test(v.ts)) return `timestamp is masked (${v.ts}, as in Zeek's test baselines): the record has no time`;
  const startUs = parseAnyTimeUs(v.ts, 's');
  if (startUs !== startUs) return `ts ${JSON.stringify(v.ts)} is not a time`;
  let durationUs = 0;
  if (v.duration !== unset && v.duration.length > 0) {
    const d = Number(v.duration);
    if (!(d >= 0)) return `duration ${JSON.stringify(v.duration)} is not a duration`;
    durationUs = Math.round(d * 1e6);
  }
  const why = endpoints(t, i, v.origH, v.respH, v.origP === unset ? '0' : v.origP, v.respP === unset ? '0' : v.respP);
  if (why !== null) return why;
  let proto = v.ipProto !== unset && v.ipProto.length > 0 ? parseProto(v.ipProto) : -1;
  if (proto < 0) proto = parseProto(v.proto);
  if (proto < 0) return `protocol ${JSON.stringify(v.proto)} is not known and there is no ip_proto`;
  proto = icmpFamily(t, i, proto);
  const op = v.origPkts === unset ? Number.NaN : parseCount(v.origPkts);
  const rp = v.respPkts === unset ? Number.NaN : parseCount(v.respPkts);
  const ob = v.origBytes === unset ? Number.NaN : parseCount(v.origBytes);
  const rb = v.respBytes === unset ? Number.NaN : parseCount(v.respBytes);
  if (op < 0 || rp < 0 || ob < 0 || rb < 0) return 'a packet or byte count is not a number';
  t.startUs[i] = startUs;
  t.endUs[i] = startUs + durationUs;
  t.proto[i] = proto;
  t.packetsFwd[i] = op;
  t.packetsBwd[i] = rp;
  t.bytesFwd[i] = ob;
  t.bytesBwd[i] = rb;
  let flags = 0, state: number = STATE_UNKNOWN;
  if (proto === PROTO_TCP) {
    // Own keys only: "constructor" is not a state (test/fuzz/regressions.test.ts).
    const cs = Object.hasOwn(ZEEK_STATES, v.connState) ? ZEEK_STATES[v.connState] : undefined;
    if (cs !== undefined) {
      flags = cs.flags;
      state = cs.state;
      // History: upper case = originator, 'S' a SYN without ACK, '^' the roles were flipped.
      const opens = v.history !== unset && v.history.length > 0 ? v.history.indexOf('S') >= 0 : cs.opens;
      if (opens) flags |= REC_OPENS;
    }
  }
  t.flags[i] = flags;
  t.state[i] = state;
  return null;
}

/** `#separator \x09` to the separator character. */
export function zeekSeparator(head: string): string {
  const m = /^#separator[ \t]+(\S+)/m.exec(head);
  if (m === null) return '\t';
  const text = m[1].replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return text.length === 1 ? text : '\t';
}

class ZeekTsvReader implements FormatReader {
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
    const f0 = f[0];
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
    const get = (ix: number): string => (ix < 0 ? this.unset : f[ix]);
    const why = zeekRecord(t, i, {
      ts: f[c.ts], origH: f[c.origH], origP: f[c.origP], respH: f[c.respH], respP: f[c.respP], proto: get(c.proto),
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
      this.unset = f[1];
    } else if (key === '#path' && f.length > 1) {
      this.pathOk = f[1] === 'conn';
      if (!this.pathOk) throw inputError('EXPORT_NOT_CONN_LOG', `a Zeek ${JSON.stringify(f[1].slice(0, 60))} log, not a conn.log: it has no flows`, { file: this.ctx.name, line });
    }
    // #separator is applied before tokenising; #set_separator, #empty_field, #open, #close, #types need nothing.
  }

  finish(): void {
    if (this.cols === null) throw inputError('EXPORT_MISSING_COLUMN', 'a Zeek log without a #fields header', { file: this.ctx.name });
  }
}

class ZeekJsonReader implements FormatReader {
  readonly format = 'zeek-json' as const;
  readonly fieldLimit = 0;
  readonly delimiter = '\n';
  readonly quote = false;
  readonly wholeLine = true;
  readonly exporter = ZEEK_EXPORTER;

  constructor(private readonly ctx: ReadContext) {}

  row(f: string[], line: number): void {
    const text = f[0];
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

// ---------------------------------------------------------------------------------------------
// Header-driven CSV family: nfdump, Argus, AWS VPC, CICFlowMeter, mapped CSV

abstract class HeaderReader implements FormatReader {
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

/** nfdump's flag string: 8 positions C E U A P R S F, '.' for unset (nfdump output_util.c FlagsString). */
function tcpFlagLetters(s: string): number {
  let flags = 0;
  if (s.indexOf('S') >= 0) flags |= REC_OPENS;
  if (s.indexOf('F') >= 0) flags |= REC_FIN_SRC;
  if (s.indexOf('R') >= 0) flags |= REC_RST;
  return flags;
}

/** nfdump prints an ICMP type and code as "type.code" in the port column. */
function nfdumpPort(s: string): string {
  const dot = s.indexOf('.');
  if (dot < 0) return s;
  const type = Number(s.slice(0, dot)), code = Number(s.slice(dot + 1));
  return type >= 0 && type < 256 && code >= 0 && code < 256 ? String(type * 256 + code) : s;
}

/** `nfdump -o csv` (nfdump 1.7): header `ts,te,td,sa,da,sp,dp,pr,flg,...`, a `Summary` trailer. */
class NfdumpReader extends HeaderReader {
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
    const proto = parseProto(f[ix.pr]);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(f[ix.pr])} is not known`); return; }
    const startUs = parseAnyTimeUs(f[ix.ts], 's');
    // `te` and `ts` are printed to the second (nfdump 1.7 csv): gaps between records carry that error.
    const endUs = ix.te >= 0 ? parseAnyTimeUs(f[ix.te], 's') : startUs + Math.round(Number(f[ix.td]) * 1e6);
    const i = t.reserve();
    if (!this.fill(i, line, startUs, endUs, proto, f[ix.sa], f[ix.da], ix.sp < 0 ? '0' : nfdumpPort(f[ix.sp]), ix.dp < 0 ? '0' : nfdumpPort(f[ix.dp]), { start: 'ts', end: 'te' })) return;
    t.proto[i] = icmpFamily(t, i, proto);
    const opkt = count(f, ix.opkt), obyt = count(f, ix.obyt);
    // opkt/obyt are 0 for unidirectional NetFlow records, filled for bidirectional ones (NSEL, IPFIX biflows).
    const bidirectional = opkt > 0 || obyt > 0;
    if (!this.counts(i, line, count(f, ix.ipkt), bidirectional ? opkt : Number.NaN, count(f, ix.ibyt), bidirectional ? obyt : Number.NaN)) return;
    t.flags[i] = (proto === PROTO_TCP && ix.flg >= 0 ? tcpFlagLetters(f[ix.flg]) : 0) | (bidirectional ? 0 : REC_UNIDIRECTIONAL);
    t.state[i] = STATE_UNKNOWN;
  }
}

/**
 * Argus: `ra -n -u -c , -L0 -s stime ltime proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state`.
 * Argus writes a status record per flow every status interval (ARGUS_FLOW_STATUS_INTERVAL, 5 s
 * by default in argus.conf), so no silence longer than that hides inside a record.
 */
const ARGUS_EXPORTER: ExporterTimeouts = {
  name: 'Argus', kind: 'interval', setting: 'status interval', tcpSeconds: 5, udpSeconds: 5, otherSeconds: 5,
  source: 'ARGUS_FLOW_STATUS_INTERVAL in argus.conf',
};

/** Link-layer and other non-IP "protocols" Argus reports: not flows a firewall tracks. */
const ARGUS_NON_IP = new Set(['arp', 'rarp', 'llc', 'ipx', 'stp', 'lldp', 'cdp', 'ieee8021q', 'lacp', 'eapol', 'mpls', 'ppp', 'isis', 'wlan']);

/** Argus TCP states (ra(1) "state"): flags and the state after the record. */
const ARGUS_TCP_STATES: Record<string, { flags: number; state: number }> = {
  REQ: { flags: REC_OPENS, state: FlowState.SynSent },
  ACC: { flags: REC_OPENS, state: FlowState.SynRecv },
  CON: { flags: 0, state: FlowState.Established },
  CLO: { flags: REC_CLOSED, state: FlowState.TimeWait },
  FIN: { flags: REC_CLOSED, state: FlowState.TimeWait },
  RST: { flags: REC_RST, state: FlowState.Close },
  TIM: { flags: 0, state: FlowState.Established },
};

class ArgusReader extends HeaderReader {
  readonly format = 'argus-csv' as const;
  readonly exporter = ARGUS_EXPORTER;
  private ix = { stime: -1, ltime: -1, dur: -1, proto: -1, saddr: -1, sport: -1, daddr: -1, dport: -1, spkts: -1, dpkts: -1, sbytes: -1, dbytes: -1, state: -1 };
  private need = 0;

  protected lastColumn(): number {
    return Math.max(...Object.values(this.ix));
  }

  protected header(index: Map<string, number>, _f: string[], line: number): void {
    const ix = this.ix;
    ix.stime = column(index, 'StartTime', 'stime');
    ix.ltime = column(index, 'LastTime', 'ltime');
    ix.dur = column(index, 'Dur', 'dur');
    ix.proto = column(index, 'Proto', 'proto');
    ix.saddr = column(index, 'SrcAddr', 'saddr');
    ix.sport = column(index, 'Sport', 'sport');
    ix.daddr = column(index, 'DstAddr', 'daddr');
    ix.dport = column(index, 'Dport', 'dport');
    ix.spkts = column(index, 'SrcPkts', 'spkts');
    ix.dpkts = column(index, 'DstPkts', 'dpkts');
    ix.sbytes = column(index, 'SrcBytes', 'sbytes');
    ix.dbytes = column(index, 'DstBytes', 'dbytes');
    ix.state = column(index, 'State', 'state');
    const missing: string[] = [];
    if (ix.stime < 0) missing.push('StartTime');
    if (ix.ltime < 0 && ix.dur < 0) missing.push('LastTime');
    if (ix.proto < 0) missing.push('Proto');
    if (ix.saddr < 0) missing.push('SrcAddr');
    if (ix.daddr < 0) missing.push('DstAddr');
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'Argus', missing);
    this.need = Math.max(ix.stime, ix.ltime, ix.dur, ix.proto, ix.saddr, ix.daddr) + 1;
  }

  protected record(f: string[], line: number): void {
    if (this.short(f, line, this.need)) return;
    const ix = this.ix;
    const protoText = f[ix.proto];
    if (protoText === 'man') { this.ctx.ignore('Argus management records (man)'); return; }
    const proto = parseProto(protoText);
    if (proto < 0) {
      if (ARGUS_NON_IP.has(protoText.toLowerCase())) { this.ctx.ignore(`non-IP records (${protoText.toLowerCase()})`); return; }
      this.ctx.skip(line, `protocol ${JSON.stringify(protoText)} is not known`);
      return;
    }
    const startUs = parseEpochUs(f[ix.stime], 's');
    const endUs = ix.ltime >= 0 ? parseEpochUs(f[ix.ltime], 's') : startUs + Math.round(Number(f[ix.dur]) * 1e6);
    const t = this.ctx.table;
    const i = t.reserve();
    if (!this.fill(i, line, startUs, endUs, proto, f[ix.saddr], f[ix.daddr], ix.sport < 0 ? '0' : f[ix.sport], ix.dport < 0 ? '0' : f[ix.dport],
      { start: 'StartTime (run ra with -u for epoch seconds)', end: 'LastTime' })) return;
    if (!this.counts(i, line, count(f, ix.spkts), count(f, ix.dpkts), count(f, ix.sbytes), count(f, ix.dbytes))) return;
    const st = ix.state >= 0 && proto === PROTO_TCP && Object.hasOwn(ARGUS_TCP_STATES, f[ix.state] ?? '') ? ARGUS_TCP_STATES[f[ix.state]] : undefined;
    t.flags[i] = st === undefined ? 0 : st.flags;
    t.state[i] = st === undefined ? STATE_UNKNOWN : st.state;
  }
}

/**
 * AWS VPC flow logs: space-separated, a header naming the fields (default format version 2:
 * `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start
 * end action log-status`). One record per direction and aggregation interval (600 s by default,
 * 60 s optional); `start`/`end` are whole seconds and may lag the packets by up to 60 s (AWS
 * "Flow log records", "Aggregation interval").
 */
const AWS_EXPORTER: ExporterTimeouts = {
  name: 'AWS VPC flow logs', kind: 'interval', setting: 'aggregation interval', tcpSeconds: 600, udpSeconds: 600, otherSeconds: 600,
  source: 'default maximum aggregation interval of 10 minutes (1 minute if so configured); times are whole seconds',
};

export const AWS_DEFAULT_FIELDS = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

class AwsVpcReader extends HeaderReader {
  readonly format = 'aws-vpc' as const;
  readonly exporter = AWS_EXPORTER;
  private ix = { srcaddr: -1, dstaddr: -1, srcport: -1, dstport: -1, protocol: -1, packets: -1, bytes: -1, start: -1, end: -1, action: -1, logStatus: -1, tcpFlags: -1 };
  private need = 0;

  constructor(ctx: ReadContext, private readonly headerless: boolean) {
    super(ctx, ' ', false);
  }

  override row(f: string[], line: number): void {
    if (!this.seenHeader && this.headerless) {
      // CloudWatch Logs exports carry no header: the default format's fields in order.
      const names = AWS_DEFAULT_FIELDS.split(' ');
      this.header(headerIndex(names), names, line);
      this.seenHeader = true;
      this.width = names.length;
    }
    super.row(f, line);
  }

  protected lastColumn(): number {
    return Math.max(...Object.values(this.ix));
  }

  protected header(index: Map<string, number>, _f: string[], line: number): void {
    const ix = this.ix;
    ix.srcaddr = column(index, 'srcaddr');
    ix.dstaddr = column(index, 'dstaddr');
    ix.srcport = column(index, 'srcport');
    ix.dstport = column(index, 'dstport');
    ix.protocol = column(index, 'protocol');
    ix.packets = column(index, 'packets');
    ix.bytes = column(index, 'bytes');
    ix.start = column(index, 'start');
    ix.end = column(index, 'end');
    ix.action = column(index, 'action');
    ix.logStatus = column(index, 'log-status');
    ix.tcpFlags = column(index, 'tcp-flags');
    const missing = (['srcaddr', 'dstaddr', 'protocol', 'start', 'end'] as const).filter((k) => ix[k] < 0);
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'VPC flow log', missing);
    this.need = Math.max(ix.srcaddr, ix.dstaddr, ix.protocol, ix.start, ix.end) + 1;
  }

  protected record(f: string[], line: number): void {
    const ix = this.ix;
    const status = ix.logStatus >= 0 && ix.logStatus < f.length ? f[ix.logStatus] : 'OK';
    if (status === 'NODATA') { this.ctx.ignore('NODATA records (no traffic in the interval)'); return; }
    if (status === 'SKIPDATA') { this.ctx.ignore('SKIPDATA records (AWS skipped flow records in that interval: gaps there may be false)'); return; }
    if (this.short(f, line, this.need)) return;
    if (ix.action >= 0 && f[ix.action] === 'REJECT') { this.ctx.ignore('REJECT records (traffic the security group or network ACL dropped: no connection entry)'); return; }
    const proto = parseProto(f[ix.protocol]);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(f[ix.protocol])} is not known`); return; }
    const t = this.ctx.table;
    const i = t.reserve();
    if (!this.fill(i, line, parseEpochUs(f[ix.start], 's'), parseEpochUs(f[ix.end], 's'), proto, f[ix.srcaddr], f[ix.dstaddr],
      ix.srcport < 0 ? '0' : f[ix.srcport], ix.dstport < 0 ? '0' : f[ix.dstport], { start: 'start', end: 'end' })) return;
    if (!this.counts(i, line, count(f, ix.packets), Number.NaN, count(f, ix.bytes), Number.NaN)) return;
    let flags = REC_UNIDIRECTIONAL;
    if (proto === PROTO_TCP && ix.tcpFlags >= 0) {
      // tcp-flags (format version 3+): OR of FIN 1, SYN 2, RST 4, SYN-ACK 18 over the interval.
      const bits = Number(f[ix.tcpFlags]);
      if (bits === bits) {
        if ((bits & 2) !== 0) flags |= REC_OPENS;
        if ((bits & 1) !== 0) flags |= REC_FIN_SRC;
        if ((bits & 4) !== 0) flags |= REC_RST;
      }
    }
    t.flags[i] = flags;
    t.state[i] = STATE_UNKNOWN;
  }
}

/**
 * CICFlowMeter (Java, "Flow ID,Src IP,Src Port,...,Idle Min,Label"; the CIC-IDS2017 names
 * "Source IP", " Flow Duration"...; the Python port's src_ip, flow_duration ...). Durations and
 * idle statistics in microseconds. Defaults: flow timeout 120 s, activity timeout 5 s (a silence
 * longer than that counts as an idle period in Idle Mean/Min/Max).
 */
const CIC_EXPORTER: ExporterTimeouts = {
  name: 'CICFlowMeter', kind: 'interval', setting: 'activity timeout', tcpSeconds: 5, udpSeconds: 5, otherSeconds: 5,
  source: 'activity timeout 5 s (shorter silences are not idle periods), flow timeout 120 s',
};

class CicReader extends HeaderReader {
  readonly format = 'cicflowmeter' as const;
  readonly exporter = CIC_EXPORTER;
  private ix = {
    src: -1, dst: -1, sport: -1, dport: -1, proto: -1, ts: -1, dur: -1, fwdPkts: -1, bwdPkts: -1, fwdBytes: -1, bwdBytes: -1,
    fin: -1, syn: -1, rst: -1, activeMean: -1, idleMean: -1, idleMax: -1, idleMin: -1,
  };
  private need = 0;

  protected lastColumn(): number {
    return Math.max(...Object.values(this.ix));
  }

  protected header(index: Map<string, number>, _f: string[], line: number): void {
    const ix = this.ix;
    ix.src = column(index, 'Src IP', 'Source IP');
    ix.dst = column(index, 'Dst IP', 'Destination IP');
    ix.sport = column(index, 'Src Port', 'Source Port');
    ix.dport = column(index, 'Dst Port', 'Destination Port');
    ix.proto = column(index, 'Protocol');
    ix.ts = column(index, 'Timestamp');
    ix.dur = column(index, 'Flow Duration');
    ix.fwdPkts = column(index, 'Total Fwd Packet', 'Total Fwd Packets', 'Tot Fwd Pkts');
    ix.bwdPkts = column(index, 'Total Bwd packets', 'Total Backward Packets', 'Tot Bwd Pkts');
    ix.fwdBytes = column(index, 'Total Length of Fwd Packet', 'Total Length of Fwd Packets', 'TotLen Fwd Pkts');
    ix.bwdBytes = column(index, 'Total Length of Bwd Packet', 'Total Length of Bwd Packets', 'TotLen Bwd Pkts');
    ix.fin = column(index, 'FIN Flag Count', 'FIN Flag Cnt');
    ix.syn = column(index, 'SYN Flag Count', 'SYN Flag Cnt');
    ix.rst = column(index, 'RST Flag Count', 'RST Flag Cnt');
    ix.activeMean = column(index, 'Active Mean');
    ix.idleMean = column(index, 'Idle Mean');
    ix.idleMax = column(index, 'Idle Max');
    ix.idleMin = column(index, 'Idle Min');
    const missing: string[] = [];
    if (ix.src < 0) missing.push('Src IP');
    if (ix.dst < 0) missing.push('Dst IP');
    if (ix.proto < 0) missing.push('Protocol');
    if (ix.ts < 0) missing.push('Timestamp');
    if (ix.dur < 0) missing.push('Flow Duration');
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'CICFlowMeter', missing);
    this.need = Math.max(ix.src, ix.dst, ix.proto, ix.ts, ix.dur) + 1;
    if (ix.idleMax >= 0 && ix.idleMean >= 0) this.ctx.table.enableIdle();
  }

  protected record(f: string[], line: number): void {
    if (this.short(f, line, this.need)) return;
    const ix = this.ix;
    const proto = parseProto(f[ix.proto]);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(f[ix.proto])} is not known`); return; }
    const startUs = parseAnyTimeUs(f[ix.ts], 'us');
    const durUs = Number(f[ix.dur]);
    const t = this.ctx.table;
    const i = t.reserve();
    if (!(durUs >= 0)) {
      t.unreserve();
      this.ctx.skip(line, `Flow Duration ${JSON.stringify(f[ix.dur])} is not a duration`);
      return;
    }
    if (!this.fill(i, line, startUs, startUs + durUs, proto, f[ix.src], f[ix.dst], ix.sport < 0 ? '0' : f[ix.sport], ix.dport < 0 ? '0' : f[ix.dport],
      { start: 'Timestamp', end: 'Flow Duration' })) return;
    t.proto[i] = icmpFamily(t, i, proto);
    if (!this.counts(i, line, count(f, ix.fwdPkts), count(f, ix.bwdPkts), count(f, ix.fwdBytes), count(f, ix.bwdBytes))) return;
    let flags = 0;
    if (proto === PROTO_TCP) {
      if (count(f, ix.syn) > 0) flags |= REC_OPENS;
      const fins = count(f, ix.fin);
      if (fins >= 2) flags |= REC_CLOSED; else if (fins === 1) flags |= REC_FIN_SRC;
      if (count(f, ix.rst) > 0) flags |= REC_RST;
    }
    t.flags[i] = flags;
    t.state[i] = STATE_UNKNOWN;
    const idle = t.idle;
    if (idle !== null) {
      const mx = count(f, ix.idleMax), mn = count(f, ix.idleMin), mean = count(f, ix.idleMean), act = count(f, ix.activeMean);
      idle.maxUs[i] = mx > 0 ? mx : 0;
      idle.minUs[i] = mn > 0 ? mn : 0;
      idle.meanUs[i] = mean > 0 ? mean : 0;
      idle.activeMeanUs[i] = act > 0 ? act : 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Any CSV through --map

/** Keys of --map and what they name. */
export const MAP_KEYS: Readonly<Record<string, string>> = {
  start: 'column with the record start time (epoch s, ms, us or ISO 8601)',
  end: 'column with the record end time',
  duration: 'column with the record duration in seconds (instead of end)',
  src: 'column with the source address',
  dst: 'column with the destination address',
  sport: 'column with the source port',
  dport: 'column with the destination port',
  proto: 'column with the protocol (number or name)',
  packets: 'column with packets from source to destination',
  bytes: 'column with bytes from source to destination',
  rpackets: 'column with packets from destination to source',
  rbytes: 'column with bytes from destination to source',
  timeunit: 'not a column: unit of numeric times, auto (default), s, ms or us',
};

class MappedReader extends HeaderReader {
  readonly format = 'csv' as const;
  readonly exporter = undefined;
  // Column positions as plain numeric fields (-1 = not mapped): this runs once per record.
  private start = -1; private end = -1; private duration = -1; private src = -1; private dst = -1;
  private sport = -1; private dport = -1; private proto = -1; private packets = -1; private bytes = -1;
  private rpackets = -1; private rbytes = -1;
  private need = 0;
  private unit: EpochUnit = 'auto';
  private unidirectional = true;

  constructor(ctx: ReadContext, delimiter: string, private readonly map: Record<string, string>) {
    super(ctx, delimiter, true);
  }

  protected lastColumn(): number {
    return this.need - 1;
  }

  protected header(index: Map<string, number>, f: string[], line: number): void {
    const missing: string[] = [];
    const at = (key: string): number => {
      const col = this.map[key];
      if (col === undefined) return -1;
      let i = f.indexOf(col);
      if (i < 0) i = index.get(normaliseHeader(col)) ?? -1;
      if (i < 0) missing.push(`${col} (for ${key})`);
      return i;
    };
    this.start = at('start'); this.end = at('end'); this.duration = at('duration');
    this.src = at('src'); this.dst = at('dst'); this.sport = at('sport'); this.dport = at('dport'); this.proto = at('proto');
    this.packets = at('packets'); this.bytes = at('bytes'); this.rpackets = at('rpackets'); this.rbytes = at('rbytes');
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'CSV', missing);
    this.unit = (this.map.timeunit ?? 'auto') as EpochUnit;
    this.unidirectional = this.rpackets < 0 && this.rbytes < 0;
    this.need = Math.max(this.start, this.end, this.duration, this.src, this.dst, this.sport, this.dport, this.proto,
      this.packets, this.bytes, this.rpackets, this.rbytes) + 1;
  }

  protected record(f: string[], line: number): void {
    if (f.length < this.need) {
      this.ctx.skip(line, `${f.length} fields where the header names ${this.width}`);
      return;
    }
    const protoText = f[this.proto];
    const proto = parseProto(protoText);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(protoText)} is not known`); return; }
    const startUs = parseAnyTimeUs(f[this.start], this.unit);
    let endUs = startUs;
    if (this.end >= 0) endUs = parseAnyTimeUs(f[this.end], this.unit);
    else if (this.duration >= 0) endUs = startUs + Math.round(Number(f[this.duration]) * 1e6);
    const t = this.ctx.table;
    const i = t.reserve();
    if (!this.fill(i, line, startUs, endUs, proto, f[this.src], f[this.dst], this.sport < 0 ? '0' : f[this.sport],
      this.dport < 0 ? '0' : f[this.dport], { start: this.map.start, end: this.map.end ?? this.map.duration ?? 'end' })) return;
    if (proto === PROTO_ICMP) t.proto[i] = icmpFamily(t, i, proto);
    if (!this.counts(i, line, count(f, this.packets), count(f, this.rpackets), count(f, this.bytes), count(f, this.rbytes))) return;
    t.flags[i] = this.unidirectional ? REC_UNIDIRECTIONAL : 0;
    t.state[i] = STATE_UNKNOWN;
  }
}

// ---------------------------------------------------------------------------------------------

/** The delimiter of a CSV-like header line: the most frequent of , \t ; | */
export function guessDelimiter(headerLine: string): string {
  let best = ',', bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    const n = headerLine.split(d).length - 1;
    if (n > bestCount) { best = d; bestCount = n; }
  }
  return best;
}

export function makeReader(format: FlowExportFormat, ctx: ReadContext, head: string, map: Record<string, string> | undefined): FormatReader {
  const firstLine = head.split('\n', 1)[0].replace(/\r$/, '').replace(/^\uFEFF/, '');
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
