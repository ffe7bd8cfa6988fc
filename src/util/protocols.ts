/**
 * The vocabulary every stage shares: IP protocol numbers and their names, and the states a
 * firewall entry goes through, in Linux conntrack's words (net/netfilter/nf_conntrack_proto_tcp.c).
 * Readers record them, flows analyse with them, the model maps them to timeouts.
 */

/** IP protocol numbers we name; any other number is kept as is. */
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** Our name for an IP protocol: tcp, udp, icmp, icmpv6, else ip-N. */
export function protoName(proto: number): string {
  switch (proto) {
    case PROTO_TCP: return 'tcp';
    case PROTO_UDP: return 'udp';
    case PROTO_ICMP: return 'icmp';
    case PROTO_ICMPV6: return 'icmpv6';
    default: return `ip-${proto}`;
  }
}

/**
 * The protocol state an entry is in during a gap, in Linux conntrack's vocabulary
 * (net/netfilter/nf_conntrack_proto_tcp.c). A platform profile maps each state to
 * its own timeout (src/model/platforms.ts); the candidate replaces `Established`.
 */
export enum FlowState {
  SynSent = 0, // only the initiator's SYN seen
  SynRecv = 1, // SYN-ACK seen, handshake not completed
  Established = 2,
  FinWait = 3, // one side sent FIN
  CloseWait = 4, // one FIN, acknowledged
  LastAck = 5, // both sides sent FIN, last not yet acknowledged
  TimeWait = 6, // both FINs acknowledged
  Close = 7, // RST seen
  UdpUnreplied = 8, // UDP (and other datagram) flow, one direction only so far
  UdpReplied = 9, // UDP flow with traffic both ways
  Icmp = 10, // ICMP / ICMPv6
  Other = 11, // any other IP protocol
}

export const FLOW_STATE_NAMES: readonly string[] = [
  'syn_sent', 'syn_recv', 'established', 'fin_wait', 'close_wait', 'last_ack',
  'time_wait', 'close', 'udp_unreplied', 'udp_replied', 'icmp', 'other',
];
