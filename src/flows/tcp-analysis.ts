/**
 * Wireshark's TCP sequence analysis, reduced to what fwtp needs: the keep-alive and keep-alive
 * ACK flags, retransmissions of data, and the ISN checks that split a reused 4-tuple into a new
 * conversation. Mirrors Wireshark 4.0 (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number);
 * docs/WIRESHARK-RULES.md has the rules with source references.
 *
 * State is kept per direction in typed-array columns indexed [slot * 2 + keyDir], where keyDir is
 * the direction relative to the flow KEY (0 = address A to B), not client/server.
 */
import { growU16, growU32, growU8 } from '../util/typed-arrays.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Decoded } from '../ingest/packet.js';

/** Bits of TcpSequenceAnalysis.analyse()'s result. */
export const TCP_KEEP_ALIVE = 1; // tcp.analysis.keep_alive
export const TCP_KEEP_ALIVE_ACK = 2; // tcp.analysis.keep_alive_ack
export const TCP_RETRANSMISSION = 4; // the segment resends data already seen

// tFlags bits
const BASE_SET = 1;
const LAST_WAS_KEEPALIVE = 2; // Wireshark's TCP_A_KEEP_ALIVE on this direction's previous segment
const WINDOW_SET = 4; // window[] holds this direction's last advertised window (none yet: never a zero window, never repeated)

export class TcpSequenceAnalysis {
  private base: Uint32Array; // base sequence number (ISN, or seq - 1 when joined mid-stream)
  private nextSeq: Uint32Array; // next expected sequence number (absolute), 0 = unknown
  private maxSeqToBeAcked: Uint32Array; // Wireshark's maxseqtobeacked
  private lastAck: Uint32Array;
  private window: Uint16Array; // the header's 16-bit window, valid once WINDOW_SET
  private flags: Uint8Array; // BASE_SET | LAST_WAS_KEEPALIVE | WINDOW_SET

  constructor(slotCapacity: number) {
    this.base = new Uint32Array(slotCapacity * 2);
    this.nextSeq = new Uint32Array(slotCapacity * 2);
    this.maxSeqToBeAcked = new Uint32Array(slotCapacity * 2);
    this.lastAck = new Uint32Array(slotCapacity * 2);
    this.window = new Uint16Array(slotCapacity * 2);
    this.flags = new Uint8Array(slotCapacity * 2);
  }

  growSlots(slotCapacity: number): void {
    const n = slotCapacity * 2;
    this.base = growU32(this.base, n);
    this.nextSeq = growU32(this.nextSeq, n);
    this.maxSeqToBeAcked = growU32(this.maxSeqToBeAcked, n);
    this.lastAck = growU32(this.lastAck, n);
    this.window = growU16(this.window, n);
    this.flags = growU8(this.flags, n);
  }

  /** A new flow in `slot`: nothing known of either direction. */
  clear(slot: number): void {
    const s2 = slot * 2;
    this.base[s2] = 0; this.base[s2 + 1] = 0;
    this.nextSeq[s2] = 0; this.nextSeq[s2 + 1] = 0;
    this.maxSeqToBeAcked[s2] = 0; this.maxSeqToBeAcked[s2 + 1] = 0;
    this.lastAck[s2] = 0; this.lastAck[s2 + 1] = 0;
    // No WINDOW_SET: the first segment of a direction is never a keep-alive ACK.
    this.flags[s2] = 0; this.flags[s2 + 1] = 0;
  }

  /**
   * A pure SYN on an open flow (docs/WIRESHARK-RULES.md section 2): true when its sequence number
   * differs from the base sequence number of its direction, which starts a new conversation on the
   * 4-tuple (port reuse); the same ISN is a retransmitted SYN, which restores nextseq.
   */
  synStartsNewConversation(slot: number, keyDir: number, seq: number): boolean {
    const td = slot * 2 + keyDir;
    if ((this.flags[td]! & BASE_SET) === 0) return false;
    if (seq !== this.base[td]) return true;
    this.nextSeq[td] = this.maxSeqToBeAcked[td]!;
    return false;
  }

  /** A SYN-ACK on an open flow with another ISN than its direction's base: take it as the base. */
  synAckSeen(slot: number, keyDir: number, seq: number): void {
    const td = slot * 2 + keyDir;
    if ((this.flags[td]! & BASE_SET) !== 0 && seq !== this.base[td]) this.base[td] = seq;
  }

  /**
   * One segment of the flow in `slot`, sent in key direction `keyDir`: updates the direction's
   * state and returns TCP_KEEP_ALIVE / TCP_KEEP_ALIVE_ACK (only when the whole header was
   * captured, as Wireshark shows them) and TCP_RETRANSMISSION bits.
   */
  analyse(slot: number, keyDir: number, d: Decoded): number {
    const fwd = slot * 2 + keyDir;
    const rev = slot * 2 + (1 - keyDir);
    const flags = d.tcpFlags;
    const segLen = d.segLen;
    const seq = d.seq;
    const ack = d.ack;
    // tcp_analyze_sequence_number(), docs/WIRESHARK-RULES.md section 3: absolute sequence numbers,
    // nextseq 0 = unknown.
    if ((this.flags[fwd]! & BASE_SET) === 0) {
      this.base[fwd] = (flags & TCP_SYN) !== 0 ? seq : (seq - 1) >>> 0;
      this.flags[fwd]! |= BASE_SET;
    }
    if ((this.flags[rev]! & BASE_SET) === 0 && (flags & TCP_ACK) !== 0) {
      this.base[rev] = (ack - 1) >>> 0;
      this.flags[rev]! |= BASE_SET;
    }
    const nextSeq = this.nextSeq[fwd]!;
    let zeroWindowProbe = false;
    let isKeepAlive = false;
    let isKeepAliveAck = false;
    const revFlags = this.flags[rev]!;
    const fwdFlags = this.flags[fwd]!;
    if (segLen === 1 && seq === nextSeq && this.window[rev] === 0 && (revFlags & WINDOW_SET) !== 0) {
      zeroWindowProbe = true;
    } else {
      // KEEP ALIVE: 0 or 1 byte starting one byte before the next expected sequence number; never SYN/FIN/RST.
      if ((segLen === 0 || segLen === 1) && seq === ((nextSeq - 1) >>> 0) && (flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0) isKeepAlive = true;
      // KEEP ALIVE ACK: repeats this direction's previous ACK and window right after a keep-alive the other way.
      if (segLen === 0 && d.window !== 0 && d.window === this.window[fwd] && (fwdFlags & WINDOW_SET) !== 0 && seq === nextSeq && ack === this.lastAck[fwd] &&
        (revFlags & LAST_WAS_KEEPALIVE) !== 0 && (flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0) isKeepAliveAck = true;
    }
    // ACKED LOST PACKET: only its effect on the other side's maxseqtobeacked matters.
    const revMax = this.maxSeqToBeAcked[rev]!;
    if (revMax !== 0 && ((revMax - ack) | 0) < 0 && (flags & TCP_ACK) !== 0 && revMax > this.nextSeq[rev]!) this.maxSeqToBeAcked[rev] = this.nextSeq[rev]!;
    const retrans = !isKeepAlive && segLen > 0 && nextSeq !== 0 && ((seq + segLen - nextSeq) | 0) <= 0;
    let candidate = (seq + segLen) >>> 0;
    if ((flags & (TCP_SYN | TCP_FIN)) !== 0) candidate = (candidate + 1) >>> 0;
    if (!zeroWindowProbe) {
      if (((this.nextSeq[fwd]! - candidate) | 0) < 0 || this.nextSeq[fwd] === 0) this.nextSeq[fwd] = candidate;
      if (seq === this.maxSeqToBeAcked[fwd] || this.maxSeqToBeAcked[fwd] === 0) this.maxSeqToBeAcked[fwd] = this.nextSeq[fwd]!;
    }
    this.window[fwd] = d.window;
    this.lastAck[fwd] = ack;
    this.flags[fwd] = (this.flags[fwd]! & ~LAST_WAS_KEEPALIVE) | WINDOW_SET | (isKeepAlive ? LAST_WAS_KEEPALIVE : 0);
    let result = retrans ? TCP_RETRANSMISSION : 0;
    // Wireshark shows the flags only when the whole header was captured.
    if (d.tcpFlagsVisible) {
      if (isKeepAlive) result |= TCP_KEEP_ALIVE;
      if (isKeepAliveAck) result |= TCP_KEEP_ALIVE_ACK;
    }
    return result;
  }
}
