/**
 * The TCP lifecycle of a flow in Linux conntrack's terms (net/netfilter/nf_conntrack_proto_tcp.c,
 * the tcp_conntracks table, simplified): the state a segment leaves the entry in, and what kind of
 * packet it is for the gap it ends. Module-level functions over the tracker's columns, so the
 * per-packet path stays monomorphic and allocates nothing.
 *
 * finBits (one Uint8 per flow): bit d = FIN sent by direction d (0 = client to server);
 * bit 2 + d = that FIN acknowledged by the peer; bit 4 = RST seen.
 * finEnd (two Uint32 per flow, [slot * 2 + d]): the sequence number just past direction d's FIN.
 */
import { FlowEnd, FlowStart, PacketKind, type Direction } from './types.js';
import { FlowState } from '../util/protocols.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Decoded } from '../ingest/packet.js';

export const FIN_RST = 16;

/** How a TCP flow's first packet starts it: its FlowStart. */
export function tcpStartOf(flags: number): FlowStart {
  return (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN ? FlowStart.Syn : FlowStart.MidStream;
}

/** The state a TCP flow's first packet leaves it in. */
export function tcpInitialState(flags: number): FlowState {
  const synAck = flags & (TCP_SYN | TCP_ACK);
  if (synAck === TCP_SYN) return FlowState.SynSent;
  if (synAck === (TCP_SYN | TCP_ACK)) return FlowState.SynRecv;
  return FlowState.Established;
}

/**
 * Advance the state of the flow in `slot` for one analysed segment `d` sent in direction `dir`,
 * and return its PacketKind (keep-alive flags from the sequence analysis decide Data's kind).
 * The segment's fields are read from the record, not passed: sequence numbers past 2^30 are not
 * small integers, and as arguments to a call V8 does not inline each would be boxed (a heap
 * number per packet).
 */
export function tcpLifecycleStep(
  state: Uint8Array, finBits: Uint8Array, finEnd: Uint32Array, slot: number, dir: Direction,
  d: Decoded, isKeepAlive: boolean, isKeepAliveAck: boolean,
): PacketKind {
  const flags = d.tcpFlags;
  const before = state[slot];
  let fin = finBits[slot]!;
  let kind: PacketKind;
  if ((flags & TCP_RST) !== 0) {
    fin |= FIN_RST;
    state[slot] = FlowState.Close;
    kind = PacketKind.Rst;
  } else if ((flags & TCP_SYN) !== 0) {
    if ((flags & TCP_ACK) !== 0) {
      if (before === FlowState.SynSent) state[slot] = FlowState.SynRecv;
    }
    kind = PacketKind.Syn;
  } else {
    if (before === FlowState.SynSent || before === FlowState.SynRecv) state[slot] = FlowState.Established;
    if ((flags & TCP_FIN) !== 0) {
      fin |= 1 << dir;
      finEnd[slot * 2 + dir] = (d.seq + d.segLen + 1) >>> 0;
      kind = PacketKind.Fin;
    } else {
      kind = isKeepAlive ? PacketKind.KeepAliveProbe : isKeepAliveAck ? PacketKind.KeepAliveAck : PacketKind.Data;
    }
    // An ACK from this side at or past the peer's FIN acknowledges it.
    const peer = 1 - dir;
    if ((flags & TCP_ACK) !== 0 && (fin & (1 << peer)) !== 0 && ((d.ack - finEnd[slot * 2 + peer]!) | 0) >= 0) fin |= 4 << peer;
    if ((fin & FIN_RST) === 0 && (fin & 3) !== 0) {
      if ((fin & 3) === 3) state[slot] = (fin & 12) === 12 ? FlowState.TimeWait : FlowState.LastAck;
      else state[slot] = (fin & 12) !== 0 ? FlowState.CloseWait : FlowState.FinWait;
    }
  }
  finBits[slot] = fin;
  return kind;
}

/** How a finished TCP (or any) flow ended, from its FIN/RST bits and why it is being finished. */
export function flowEndOf(fin: number, endHint: FlowEnd): FlowEnd {
  if ((fin & FIN_RST) !== 0) return FlowEnd.Rst;
  if ((fin & 3) === 3) return FlowEnd.Fin;
  if ((fin & 3) !== 0 && endHint === FlowEnd.Open) return FlowEnd.HalfClosed;
  return endHint;
}
