/**
 * Zeek conn.log, what its TSV and JSON forms share: the exporter's timeouts, conn_state and
 * history as record flags and state, and one record from the conn.log fields.
 */
import { FlowState, PROTO_TCP } from '../../util/protocols.js';
import { endpoints, icmpFamily } from './columns.js';
import { parseAnyTimeUs, parseCount, parseProto } from './fields.js';
import { type ExporterTimeouts, REC_CLOSED, REC_FIN_DST, REC_FIN_SRC, REC_OPENS, REC_RST, type RecordTable, STATE_UNKNOWN } from './records.js';

/** Zeek's defaults: tcp_inactivity_timeout 5 min, udp_inactivity_timeout and icmp_inactivity_timeout 1 min. */
export const ZEEK_EXPORTER: ExporterTimeouts = {
  name: 'Zeek', kind: 'inactive', setting: 'inactivity timeout', tcpSeconds: 300, udpSeconds: 60, otherSeconds: 60,
  source: 'tcp_inactivity_timeout, udp_inactivity_timeout, icmp_inactivity_timeout in base/init-bare.zeek',
};

/**
 * conn_state to record flags and the TCP state after the record (Zeek base/protocols/conn/main.zeek,
 * the conn_state documentation). `opens` is used only when the history field is unset.
 */
export const ZEEK_STATES: Record<string, { flags: number; opens: boolean; state: FlowState }> = {
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

export interface ZeekColumns {
  ts: number; origH: number; origP: number; respH: number; respP: number; proto: number; ipProto: number;
  duration: number; origPkts: number; respPkts: number; origBytes: number; respBytes: number; connState: number; history: number;
}

/** The Zeek field names, in TSV `#fields` and JSON keys alike. */
export const ZEEK_FIELDS = {
  ts: 'ts', origH: 'id.orig_h', origP: 'id.orig_p', respH: 'id.resp_h', respP: 'id.resp_p', proto: 'proto', ipProto: 'ip_proto',
  duration: 'duration', origPkts: 'orig_pkts', respPkts: 'resp_pkts', origIpBytes: 'orig_ip_bytes', respIpBytes: 'resp_ip_bytes',
  origBytes: 'orig_bytes', respBytes: 'resp_bytes', connState: 'conn_state', history: 'history',
};

export const MASKED_TS = /^X+\.X+$/;

/**
 * One Zeek conn record from its text values into record i. Returns a reason when unreadable.
 * `unset` is the `#unset_field` text ('-').
 */
export function zeekRecord(t: RecordTable, i: number, v: {
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
  const text = m[1]!.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return text.length === 1 ? text : '\t';
}
