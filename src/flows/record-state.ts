/**
 * What a flow record says about its flow's state where the exporter gives none, and counters
 * read as zero when unknown.
 */
import { FlowState, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../util/protocols.js';

export function protoClass(proto: number): 'tcp' | 'udp' | 'other' {
  return proto === PROTO_TCP ? 'tcp' : proto === PROTO_UDP ? 'udp' : 'other';
}

export function datagramState(proto: number, replied: boolean): FlowState {
  if (proto === PROTO_UDP || proto === 136) return replied ? FlowState.UdpReplied : FlowState.UdpUnreplied;
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) return FlowState.Icmp;
  return FlowState.Other;
}
export function nz(x: number): number {
  return x === x ? x : 0;
}
