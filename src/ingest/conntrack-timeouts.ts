/**
 * Which timeout governs a conntrack entry, and what it is: the kernel's per-protocol, per-state
 * timeouts, named as sysctl names them (net.netfilter.nf_conntrack_<key>), mapped to and from
 * fwtp's FlowState vocabulary (src/flows/types.ts).
 *
 * An entry's idle age is the timeout of its state minus the seconds it has left
 * (docs/CONNTRACK.md "Ages"); that needs the timeout the kernel armed at the last packet:
 * - TCP: the state's timeout (nf_conntrack_proto_tcp.c tcp_packet), except that with
 *   retransmissions or unacknowledged data the kernel arms min(state, max_retrans /
 *   unacknowledged); a dump cannot show which, see `tcpAmbiguousBelowSeconds`.
 * - UDP / UDP-Lite: udp_timeout until the flow is a stream (replied and still active after 2 s,
 *   when ASSURED is set), then udp_timeout_stream (nf_conntrack_proto_udp.c udp_packet).
 * - GRE: gre_timeout until a reply, then gre_timeout_stream (nf_conntrack_proto_gre.c).
 * - ICMP / ICMPv6: icmp_timeout / icmpv6_timeout; SCTP and DCCP: per state; anything else:
 *   generic_timeout.
 */
import { FLOW_STATE_NAMES, FlowState, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../flows/types.js';
import { CT_STATE_NAMES, ST_ASSURED, ST_UNREPLIED, stateIndex } from './conntrack-line.js';

const PROTO_DCCP = 33;
const PROTO_GRE = 47;
const PROTO_SCTP = 132;
const PROTO_UDPLITE = 136;

/** Timeout names, as sysctl net.netfilter.nf_conntrack_<name>. */
export const TIMEOUT_KEYS = [
  'tcp_timeout_syn_sent', 'tcp_timeout_syn_recv', 'tcp_timeout_established', 'tcp_timeout_fin_wait',
  'tcp_timeout_close_wait', 'tcp_timeout_last_ack', 'tcp_timeout_time_wait', 'tcp_timeout_close',
  'tcp_timeout_max_retrans', 'tcp_timeout_unacknowledged',
  'udp_timeout', 'udp_timeout_stream', 'icmp_timeout', 'icmpv6_timeout', 'generic_timeout',
  'gre_timeout', 'gre_timeout_stream',
  'sctp_timeout_closed', 'sctp_timeout_cookie_wait', 'sctp_timeout_cookie_echoed', 'sctp_timeout_established',
  'sctp_timeout_shutdown_sent', 'sctp_timeout_shutdown_recd', 'sctp_timeout_shutdown_ack_sent',
  'sctp_timeout_heartbeat_sent', 'sctp_timeout_heartbeat_acked',
  'dccp_timeout_request', 'dccp_timeout_respond', 'dccp_timeout_partopen', 'dccp_timeout_open',
  'dccp_timeout_closereq', 'dccp_timeout_closing', 'dccp_timeout_timewait',
] as const;
export type TimeoutKey = (typeof TIMEOUT_KEYS)[number];
const KEY_INDEX = new Map<string, number>(TIMEOUT_KEYS.map((k, i) => [k, i]));
export function timeoutKeyIndex(key: string): number {
  return KEY_INDEX.get(key) ?? -1;
}
export const TK_ESTABLISHED = KEY_INDEX.get('tcp_timeout_established')!;

/**
 * Linux kernel defaults. TCP, UDP, ICMP, generic, GRE and SCTP: read off kernel 6.18
 * (corpus/conntrack/kernel-6.18/sysctl-netfilter.txt) except established, whose default is
 * 432000 (Documentation/networking/nf_conntrack-sysctl.rst; the corpus namespace set 600).
 * heartbeat_acked: 210 in kernels before 6.1, which printed HEARTBEAT_ACKED. DCCP
 * (nf_conntrack_proto_dccp.c, removed in 6.16): DCCP_MSL = 120 s, request 2 MSL, respond and
 * partopen 4 MSL, open 12 h, closereq and closing 64 s, timewait 2 MSL.
 */
export const KERNEL_DEFAULT_TIMEOUTS: Readonly<Record<TimeoutKey, number>> = {
  tcp_timeout_syn_sent: 120, tcp_timeout_syn_recv: 60, tcp_timeout_established: 432000, tcp_timeout_fin_wait: 120,
  tcp_timeout_close_wait: 60, tcp_timeout_last_ack: 30, tcp_timeout_time_wait: 120, tcp_timeout_close: 10,
  tcp_timeout_max_retrans: 300, tcp_timeout_unacknowledged: 300,
  udp_timeout: 30, udp_timeout_stream: 120, icmp_timeout: 30, icmpv6_timeout: 30, generic_timeout: 600,
  gre_timeout: 30, gre_timeout_stream: 180,
  sctp_timeout_closed: 10, sctp_timeout_cookie_wait: 3, sctp_timeout_cookie_echoed: 3, sctp_timeout_established: 210,
  sctp_timeout_shutdown_sent: 3, sctp_timeout_shutdown_recd: 3, sctp_timeout_shutdown_ack_sent: 3,
  sctp_timeout_heartbeat_sent: 30, sctp_timeout_heartbeat_acked: 210,
  dccp_timeout_request: 240, dccp_timeout_respond: 480, dccp_timeout_partopen: 480, dccp_timeout_open: 43200,
  dccp_timeout_closereq: 64, dccp_timeout_closing: 64, dccp_timeout_timewait: 240,
};

/** The timeout keys a FlowState name (platform profile vocabulary) sets. */
const STATE_TO_KEYS: Record<string, TimeoutKey[]> = {
  syn_sent: ['tcp_timeout_syn_sent'], syn_recv: ['tcp_timeout_syn_recv'], established: ['tcp_timeout_established'],
  fin_wait: ['tcp_timeout_fin_wait'], close_wait: ['tcp_timeout_close_wait'], last_ack: ['tcp_timeout_last_ack'],
  time_wait: ['tcp_timeout_time_wait'], close: ['tcp_timeout_close'],
  udp_unreplied: ['udp_timeout'], udp_replied: ['udp_timeout_stream'],
  icmp: ['icmp_timeout', 'icmpv6_timeout'], other: ['generic_timeout'],
};

/** The FlowState name whose timeout a key is, where there is one (for sysctl -> profile overrides). */
const KEY_TO_STATE: Partial<Record<TimeoutKey, string>> = {
  tcp_timeout_syn_sent: 'syn_sent', tcp_timeout_syn_recv: 'syn_recv', tcp_timeout_established: 'established',
  tcp_timeout_fin_wait: 'fin_wait', tcp_timeout_close_wait: 'close_wait', tcp_timeout_last_ack: 'last_ack',
  tcp_timeout_time_wait: 'time_wait', tcp_timeout_close: 'close', udp_timeout: 'udp_unreplied',
  udp_timeout_stream: 'udp_replied', icmp_timeout: 'icmp', generic_timeout: 'other',
};

/** `net.netfilter.nf_conntrack_tcp_timeout_close`, `nf_conntrack_tcp_timeout_close` or `tcp_timeout_close` -> the key, or null. */
export function normaliseTimeoutName(name: string): TimeoutKey | null {
  let n = name.trim().toLowerCase();
  if (n.startsWith('net.netfilter.')) n = n.slice('net.netfilter.'.length);
  if (n.startsWith('nf_conntrack_')) n = n.slice('nf_conntrack_'.length);
  return KEY_INDEX.has(n) ? (n as TimeoutKey) : null;
}

/** FlowState-name timeouts (e.g. `sysctlTimeouts` of a ConntrackInput) from sysctl key values. */
export function stateTimeoutsFromKeys(values: Partial<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    const key = normaliseTimeoutName(k);
    if (key === null || v === undefined) continue;
    const state = KEY_TO_STATE[key];
    if (state !== undefined) out[state] = v;
  }
  return out;
}

/**
 * A table of seconds per timeout key (Float64Array indexed like TIMEOUT_KEYS), built from layers
 * applied in order: kernel defaults (`linuxLike`) or, for other platforms, the profile's `other`
 * timeout for every key without a FlowState equivalent; then each layer's values, whose names may
 * be FlowState names (`established`, `udp_replied`) or sysctl names (`tcp_timeout_established`,
 * `net.netfilter.nf_conntrack_udp_timeout`). Unknown names are ignored.
 */
export function timeoutTable(layers: Array<Partial<Record<string, number>> | undefined>, linuxLike = true): Float64Array {
  const t = new Float64Array(TIMEOUT_KEYS.length);
  for (let k = 0; k < TIMEOUT_KEYS.length; k++) t[k] = KERNEL_DEFAULT_TIMEOUTS[TIMEOUT_KEYS[k]];
  const set = (name: string, v: number | undefined): void => {
    if (v === undefined || !Number.isFinite(v) || v < 0) return;
    if (Object.hasOwn(STATE_TO_KEYS, name)) {
      for (const key of STATE_TO_KEYS[name]) t[KEY_INDEX.get(key)!] = v;
      if (name === 'other' && !linuxLike) {
        for (let k = 0; k < TIMEOUT_KEYS.length; k++) if (KEY_TO_STATE[TIMEOUT_KEYS[k]] === undefined && TIMEOUT_KEYS[k] !== 'icmpv6_timeout') t[k] = v;
      }
      return;
    }
    const key = normaliseTimeoutName(name);
    if (key !== null) t[KEY_INDEX.get(key)!] = v;
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
  for (let k = 0; k < TIMEOUT_KEYS.length; k++) out[TIMEOUT_KEYS[k]] = t[k];
  return out;
}

const S = (name: string): number => stateIndex(name);
const TCP_KEYS = new Int8Array(CT_STATE_NAMES.length).fill(-1);
const TCP_FLOW = new Uint8Array(CT_STATE_NAMES.length).fill(FlowState.Other);
const SCTP_KEYS = new Int8Array(CT_STATE_NAMES.length).fill(-1);
const DCCP_KEYS = new Int8Array(CT_STATE_NAMES.length).fill(-1);
function tk(name: TimeoutKey): number {
  return KEY_INDEX.get(name)!;
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
    case PROTO_TCP: return TCP_KEYS[state];
    case PROTO_UDP:
    case PROTO_UDPLITE: return (status & ST_ASSURED) !== 0 ? K_UDP_STREAM : K_UDP;
    case PROTO_GRE: return (status & ST_UNREPLIED) !== 0 ? K_GRE : K_GRE_STREAM;
    case PROTO_ICMP: return K_ICMP;
    case PROTO_ICMPV6: return K_ICMPV6;
    case PROTO_SCTP: return SCTP_KEYS[state];
    case PROTO_DCCP: return DCCP_KEYS[state];
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

/** How far an entry got in closing: none, half closed (one side's close seen), closed by FIN, closed by RST. */
export const CLOSE_NONE = 0;
export const CLOSE_HALF = 1;
export const CLOSE_FIN = 2;
export const CLOSE_RST = 3;
const CLOSING = new Map<string, number>([
  ['6:FIN_WAIT', CLOSE_HALF], ['6:CLOSE_WAIT', CLOSE_HALF], ['6:LAST_ACK', CLOSE_HALF], ['6:TIME_WAIT', CLOSE_FIN],
  ['6:CLOSE', CLOSE_RST],
  ['132:SHUTDOWN_SENT', CLOSE_HALF], ['132:SHUTDOWN_RECD', CLOSE_HALF], ['132:SHUTDOWN_ACK_SENT', CLOSE_HALF],
  ['132:CLOSED', CLOSE_FIN],
  ['33:CLOSEREQ', CLOSE_HALF], ['33:CLOSING', CLOSE_HALF], ['33:TIMEWAIT', CLOSE_FIN],
]);
const CLOSING_BY_STATE: Uint8Array[] = [];
for (const proto of [PROTO_TCP, PROTO_SCTP, PROTO_DCCP]) {
  const a = new Uint8Array(CT_STATE_NAMES.length);
  for (let s = 0; s < CT_STATE_NAMES.length; s++) a[s] = CLOSING.get(`${proto}:${CT_STATE_NAMES[s]}`) ?? CLOSE_NONE;
  CLOSING_BY_STATE[proto] = a;
}
/**
 * How an entry of an event stream ended: still present when the stream ended; closed (a close
 * state before or at DESTROY); timed out (DESTROY without one); removed (DESTROY without a close
 * state but caused by user space, [USERSPACE], or with time still left: conntrack -D, a flush,
 * early drop on a full table).
 */
export const ENDED_OPEN = 0;
export const ENDED_CLOSE = 1;
export const ENDED_TIMEOUT = 2;
export const ENDED_REMOVED = 3;
export const ENDED_NAMES = ['open', 'close', 'timeout', 'removed'] as const;

export function closingOf(proto: number, state: number): number {
  const a = CLOSING_BY_STATE[proto];
  return a === undefined ? CLOSE_NONE : a[state];
}

/**
 * An ESTABLISHED entry with at most this many seconds left may be waiting for an
 * acknowledgement rather than idle: the kernel then arms min(established, unacknowledged or
 * max_retrans), and the age read from the dump is too large.
 */
export function tcpAmbiguousBelowSeconds(t: Float64Array): number {
  return Math.max(t[tk('tcp_timeout_max_retrans')], t[tk('tcp_timeout_unacknowledged')]);
}
