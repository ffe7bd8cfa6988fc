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
 * This file holds the names, the kernel defaults and the sysctl reading; which key governs an
 * entry, and the table of seconds the analysis uses, are in src/flows/conntrack-timeouts.ts.
 */
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
export const STATE_TO_KEYS: Record<string, TimeoutKey[]> = {
  syn_sent: ['tcp_timeout_syn_sent'], syn_recv: ['tcp_timeout_syn_recv'], established: ['tcp_timeout_established'],
  fin_wait: ['tcp_timeout_fin_wait'], close_wait: ['tcp_timeout_close_wait'], last_ack: ['tcp_timeout_last_ack'],
  time_wait: ['tcp_timeout_time_wait'], close: ['tcp_timeout_close'],
  udp_unreplied: ['udp_timeout'], udp_replied: ['udp_timeout_stream'],
  icmp: ['icmp_timeout', 'icmpv6_timeout'], other: ['generic_timeout'],
};

/** The FlowState name whose timeout a key is, where there is one (for sysctl -> profile overrides). */
export const KEY_TO_STATE: Partial<Record<TimeoutKey, string>> = {
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
