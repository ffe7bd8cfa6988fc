/**
 * Which of the kernel's conntrack timeouts governs an entry, and the table of seconds the
 * analysis reads ages and candidates with (docs/CONNTRACK.md "Ages"; the names, the kernel
 * defaults and the sysctl reading are in src/ingest/conntrack-timeouts.ts).
 */
import { FLOW_STATE_NAMES, FlowState, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../util/protocols.js';
import { CT_STATE_NAMES, ST_ASSURED, ST_UNREPLIED, stateIndex } from '../ingest/conntrack-table.js';
import {
  KERNEL_DEFAULT_TIMEOUTS, KEY_TO_STATE, normaliseTimeoutName, STATE_TO_KEYS, TIMEOUT_KEYS, timeoutKeyIndex, type TimeoutKey,
} from '../ingest/conntrack-timeouts.js';

const PROTO_DCCP = 33;
const PROTO_GRE = 47;
const PROTO_SCTP = 132;
const PROTO_UDPLITE = 136;

/** Index of tcp_timeout_established in a timeout table. */
export const TK_ESTABLISHED = timeoutKeyIndex('tcp_timeout_established');

/**
 * A table of seconds per timeout key (Float64Array indexed like TIMEOUT_KEYS), built from layers
 * applied in order: kernel defaults (`linuxLike`) or, for other platforms, the profile's `other`
 * timeout for every key without a FlowState equivalent; then each layer's values, whose names may
 * be FlowState names (`established`, `udp_replied`) or sysctl names (`tcp_timeout_established`,
 * `net.netfilter.nf_conntrack_udp_timeout`). Unknown names are ignored.
 */
export function timeoutTable(layers: Array<Partial<Record<string, number>> | undefined>, linuxLike = true): Float64Array {
  const t = new Float64Array(TIMEOUT_KEYS.length);
  for (let k = 0; k < TIMEOUT_KEYS.length; k++) t[k] = KERNEL_DEFAULT_TIMEOUTS[TIMEOUT_KEYS[k]!];
  const set = (name: string, v: number | undefined): void => {
    if (v === undefined || !Number.isFinite(v) || v < 0) return;
    if (Object.hasOwn(STATE_TO_KEYS, name)) {
      for (const key of STATE_TO_KEYS[name]!) t[timeoutKeyIndex(key)] = v;
      if (name === 'other' && !linuxLike) {
        for (let k = 0; k < TIMEOUT_KEYS.length; k++) if (KEY_TO_STATE[TIMEOUT_KEYS[k]!] === undefined && TIMEOUT_KEYS[k] !== 'icmpv6_timeout') t[k] = v;
      }
      return;
    }
    const key = normaliseTimeoutName(name);
    if (key !== null) t[timeoutKeyIndex(key)] = v;
  };
  for (const layer of layers) {
    if (layer === undefined) continue;
    // FlowState names first, so that a sysctl name in the same layer is the more specific value.
    for (const name of FLOW_STATE_NAMES) set(name, layer[name]);
    for (const [name, v] of Object.entries(layer)) if (!Object.hasOwn(STATE_TO_KEYS, name)) set(name, v);
  }
  return t;
}

/** Record form of a timeout table, for messages and JSON. */
export function timeoutRecord(t: Float64Array): Record<TimeoutKey, number> {
  const out = {} as Record<TimeoutKey, number>;
  for (let k = 0; k < TIMEOUT_KEYS.length; k++) out[TIMEOUT_KEYS[k]!] = t[k]!;
  return out;
}

const S = (name: string): number => stateIndex(name);
const TCP_KEYS = new Int8Array(CT_STATE_NAMES.length).fill(-1);
const TCP_FLOW = new Uint8Array(CT_STATE_NAMES.length).fill(FlowState.Other);
const SCTP_KEYS = new Int8Array(CT_STATE_NAMES.length).fill(-1);
const DCCP_KEYS = new Int8Array(CT_STATE_NAMES.length).fill(-1);
function tk(name: TimeoutKey): number {
  return timeoutKeyIndex(name);
}
for (const [state, key, flow] of [
  ['SYN_SENT', 'tcp_timeout_syn_sent', FlowState.SynSent], ['SYN_SENT2', 'tcp_timeout_syn_sent', FlowState.SynSent],
  ['LISTEN', 'tcp_timeout_syn_sent', FlowState.SynSent], ['SYN_RECV', 'tcp_timeout_syn_recv', FlowState.SynRecv],
  ['ESTABLISHED', 'tcp_timeout_established', FlowState.Established], ['FIN_WAIT', 'tcp_timeout_fin_wait', FlowState.FinWait],
  ['CLOSE_WAIT', 'tcp_timeout_close_wait', FlowState.CloseWait], ['LAST_ACK', 'tcp_timeout_last_ack', FlowState.LastAck],
  ['TIME_WAIT', 'tcp_timeout_time_wait', FlowState.TimeWait], ['CLOSE', 'tcp_timeout_close', FlowState.Close],
] as const) {
  TCP_KEYS[S(state)] = tk(key);
  TCP_FLOW[S(state)] = flow;
}
for (const [state, key] of [
  ['CLOSED', 'sctp_timeout_closed'], ['COOKIE_WAIT', 'sctp_timeout_cookie_wait'], ['COOKIE_ECHOED', 'sctp_timeout_cookie_echoed'],
  ['ESTABLISHED', 'sctp_timeout_established'], ['SHUTDOWN_SENT', 'sctp_timeout_shutdown_sent'],
  ['SHUTDOWN_RECD', 'sctp_timeout_shutdown_recd'], ['SHUTDOWN_ACK_SENT', 'sctp_timeout_shutdown_ack_sent'],
  ['HEARTBEAT_SENT', 'sctp_timeout_heartbeat_sent'], ['HEARTBEAT_ACKED', 'sctp_timeout_heartbeat_acked'],
] as const) SCTP_KEYS[S(state)] = tk(key);
// DCCP: its own names; some libnetfilter_conntrack releases print DCCP states from the SCTP name
// table (__snprintf_protoinfo_dccp indexes sctp_states), so those names map by position.
for (const [state, key] of [
  ['REQUEST', 'dccp_timeout_request'], ['RESPOND', 'dccp_timeout_respond'], ['PARTOPEN', 'dccp_timeout_partopen'],
  ['OPEN', 'dccp_timeout_open'], ['CLOSEREQ', 'dccp_timeout_closereq'], ['CLOSING', 'dccp_timeout_closing'],
  ['TIMEWAIT', 'dccp_timeout_timewait'],
  ['CLOSED', 'dccp_timeout_request'], ['COOKIE_WAIT', 'dccp_timeout_respond'], ['COOKIE_ECHOED', 'dccp_timeout_partopen'],
  ['ESTABLISHED', 'dccp_timeout_open'], ['SHUTDOWN_SENT', 'dccp_timeout_closereq'], ['SHUTDOWN_RECD', 'dccp_timeout_closing'],
  ['SHUTDOWN_ACK_SENT', 'dccp_timeout_timewait'],
] as const) DCCP_KEYS[S(state)] = tk(key);

const K_UDP = tk('udp_timeout'), K_UDP_STREAM = tk('udp_timeout_stream');
const K_GRE = tk('gre_timeout'), K_GRE_STREAM = tk('gre_timeout_stream');
const K_ICMP = tk('icmp_timeout'), K_ICMPV6 = tk('icmpv6_timeout'), K_GENERIC = tk('generic_timeout');

/** Index into TIMEOUT_KEYS of the timeout the kernel armed for this entry, or -1 when unknown (an unknown state). */
export function timeoutKeyOf(proto: number, state: number, status: number): number {
  switch (proto) {
    case PROTO_TCP: return TCP_KEYS[state]!;
    case PROTO_UDP:
    case PROTO_UDPLITE: return (status & ST_ASSURED) !== 0 ? K_UDP_STREAM : K_UDP;
    case PROTO_GRE: return (status & ST_UNREPLIED) !== 0 ? K_GRE : K_GRE_STREAM;
    case PROTO_ICMP: return K_ICMP;
    case PROTO_ICMPV6: return K_ICMPV6;
    case PROTO_SCTP: return SCTP_KEYS[state]!;
    case PROTO_DCCP: return DCCP_KEYS[state]!;
    default: return K_GENERIC;
  }
}

/** fwtp's FlowState for an entry (the model's vocabulary). */
export function flowStateOf(proto: number, state: number, status: number): FlowState {
  switch (proto) {
    case PROTO_TCP: return TCP_FLOW[state] as FlowState;
    case PROTO_UDP:
    case PROTO_UDPLITE: return (status & ST_UNREPLIED) !== 0 ? FlowState.UdpUnreplied : FlowState.UdpReplied;
    case PROTO_ICMP:
    case PROTO_ICMPV6: return FlowState.Icmp;
    default: return FlowState.Other;
  }
}

/**
 * An ESTABLISHED entry with at most this many seconds left may be waiting for an
 * acknowledgement rather than idle: the kernel then arms min(established, unacknowledged or
 * max_retrans), and the age read from the dump is too large.
 */
export function tcpAmbiguousBelowSeconds(t: Float64Array): number {
  return Math.max(t[tk('tcp_timeout_max_retrans')]!, t[tk('tcp_timeout_unacknowledged')]!);
}
