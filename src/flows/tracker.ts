/**
 * The flow table: bidirectional flows keyed on (protocol, address, port, address, port),
 * TCP lifecycle, Wireshark's keep-alive rules, idle gaps. Per packet it allocates nothing:
 * flows live in typed-array columns indexed by a slot id, found through an open-addressing
 * hash on the numeric key, and ordered in an LRU list so idle flows can be evicted cheaply.
 *
 * TCP analysis mirrors Wireshark 4.0 (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number);
 * docs/WIRESHARK-RULES.md has the rules with source references.
 */
import { AddressTable } from '../ingest/addresses.js';
import { FlowSetBuilder } from './builder.js';
import { growF64, growI32, growU16, growU32, growU8 } from '../util/typed-arrays.js';
import { GapCollector } from './distribution.js';
import { FlowEnd, FlowStart, PacketKind, packGapInfo, type Direction, type FlowSet } from './types.js';
import { FlowState, PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6 } from '../util/protocols.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Decoded } from '../ingest/packet.js';

export interface TrackerOptions {
  /** Gaps at least this long are stored per flow for the model (microseconds). */
  gapFloorUs: number;
  /** Evict a flow idle for longer than this (microseconds); 0 = never. */
  idleLimitUs: number;
  /** Most flows held open at once; beyond it the least recently active flow is evicted. */
  maxFlows: number;
  /** Keep only the flows whose key hashes to shard `index` of `count` (fwtp extract --shard I/N). */
  shard?: { index: number; count: number };
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  gapFloorUs: 1e6,
  idleLimitUs: 0,
  maxFlows: 4_000_000,
};

const NONE = -1;

/**
 * The shard of a packet's flow: a hash of the direction-independent key over the raw address
 * words (not interned ids, which differ between machines), so every machine that reads the
 * same packets puts a flow in the same shard. Later IP fragments carry no ports: they hash on
 * the addresses and protocol alone, as does every packet when ports are not used for the shard.
 */
export function shardOf(d: Decoded, count: number): number {
  let a0: number, b0: number, a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3: number, b3: number;
  if (d.family === 4) {
    a0 = 0; b0 = 0; a3 = d.src4; b3 = d.dst4;
  } else {
    a0 = d.src6[0]; a1 = d.src6[1]; a2 = d.src6[2]; a3 = d.src6[3];
    b0 = d.dst6[0]; b1 = d.dst6[1]; b2 = d.dst6[2]; b3 = d.dst6[3];
  }
  // Order-independent: combine the two endpoints symmetrically (xor and sum of their hashes).
  const ha = mixWords(a0, a1, a2, a3);
  const hb = mixWords(b0, b1, b2, b3);
  let h = (ha ^ hb) + Math.imul(ha + hb, 0x9e3779b1);
  h = Math.imul(h ^ d.proto, 0x85ebca6b);
  h ^= h >>> 16;
  return (h >>> 0) % count;
}

function mixWords(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x27d4eb2f, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ d, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Fragments of one datagram: IPv4 by source, destination, protocol and identification (RFC 791);
 * IPv6 by source, destination and identification (RFC 8200 section 4.5: the protocol after the
 * fragment header may differ between fragments).
 */
function fragmentKey(d: Decoded, aId: number, bId: number): string {
  return d.family === 4 ? `${aId},${bId},${d.proto},${d.fragId}` : `${aId},${bId},6,${d.fragId}`;
}

export interface TrackerStats {
  /** Packets offered to the tracker that had a network header. */
  ipPackets: number;
  /** Later IP fragments attributed to the flow of their first fragment. */
  fragmentsAttributed: number;
  /** Later fragments whose first fragment was never seen (counted, not in any flow). */
  fragmentsOrphaned: number;
  /** Flows evicted for idling past the limit, or to stay within maxFlows. */
  evictedIdle: number;
  evictedForSpace: number;
  /** Packets whose timestamp was earlier than the previous packet of their flow. */
  timeReversals: number;
  /** Packets left to other shards (--shard). */
  shardSkipped: number;
  tcpFlows: number;
  /** TCP conversations as Wireshark numbers them (tcp.stream): flows with at least one readable TCP header. */
  tcpStreams: number;
  udpFlows: number;
  otherFlows: number;
  keepAliveProbes: number;
  keepAliveAcks: number;
}

export class FlowTracker {
  readonly addresses = new AddressTable();
  readonly gapsAll = new GapCollector();
  readonly stats: TrackerStats = {
    ipPackets: 0, fragmentsAttributed: 0, fragmentsOrphaned: 0, evictedIdle: 0, evictedForSpace: 0,
    timeReversals: 0, shardSkipped: 0, tcpFlows: 0, tcpStreams: 0, udpFlows: 0, otherFlows: 0, keepAliveProbes: 0, keepAliveAcks: 0,
  };
  windowStartUs = Number.NaN;
  windowEndUs = Number.NaN;
  private lastTsUs = 0;

  private readonly opts: TrackerOptions;
  private readonly out = new FlowSetBuilder();

  // ---- open-flow columns, indexed by slot ----
  private cap = 1024;
  private used = 0; // slots ever handed out
  private freeHead = NONE;
  private kProto = new Uint8Array(this.cap);
  private kA = new Uint32Array(this.cap); // address ids, A <= B in key order
  private kB = new Uint32Array(this.cap);
  private kPorts = new Uint32Array(this.cap); // portA << 16 | portB
  private clientIsB = new Uint8Array(this.cap);
  private fFirst = new Float64Array(this.cap);
  private fLast = new Float64Array(this.cap);
  private fPkts = new Float64Array(this.cap * 2); // [slot*2 + dir], dir 0 = client->server
  private fBytes = new Float64Array(this.cap * 2);
  private fState = new Uint8Array(this.cap);
  private fStart = new Uint8Array(this.cap);
  private fFin = new Uint8Array(this.cap); // bit d: FIN sent by dir d; bit 2+d: that FIN acknowledged; bit 4: RST
  private fFinEnd = new Uint32Array(this.cap * 2); // sequence number just past each side's FIN
  private fKa = new Uint32Array(this.cap * 2); // keep-alive probes per dir
  private fKaAck = new Uint32Array(this.cap);
  private fLastKind = new Uint8Array(this.cap); // PacketKind | dir << 3 of the previous packet
  // TCP sequence analysis, per direction [slot*2 + d] where d is the direction relative to the KEY (0 = A->B).
  private tBase = new Uint32Array(this.cap * 2);
  private tNext = new Uint32Array(this.cap * 2); // next expected sequence number (absolute), 0 = unknown
  private tMaxAck = new Uint32Array(this.cap * 2); // Wireshark's maxseqtobeacked
  private fStream = new Uint8Array(this.cap); // 1 once a packet with a readable TCP header counted this flow as a tcp.stream
  private tLastAck = new Uint32Array(this.cap * 2);
  private tWin = new Uint32Array(this.cap * 2);
  private tFlags = new Uint8Array(this.cap * 2); // bit 0 base set, bit 1 LAST_WAS_KEEPALIVE(<<1)
  // gap list per open flow (singly linked through the pool)
  private gHead = new Int32Array(this.cap);
  private gTail = new Int32Array(this.cap);
  // LRU list
  private lruPrev = new Int32Array(this.cap);
  private lruNext = new Int32Array(this.cap);
  private lruHead = NONE;
  private lruTail = NONE;
  private open = 0;

  // ---- long-gap pool for open flows ----
  private pCap = 1024;
  private pStart = new Float64Array(this.pCap);
  private pEnd = new Float64Array(this.pCap);
  private pInfo = new Uint16Array(this.pCap);
  private pNext = new Int32Array(this.pCap);
  private pUsed = 0;
  private pFree = NONE;

  // ---- hash: slot + 1, 0 = empty ----
  private hSlots = new Int32Array(2048);
  private hMask = 2047;

  // ---- IP fragments: (src, dst, proto, id) -> slot of the first fragment's flow; rare, so a Map ----
  private fragments = new Map<string, number>();
  private finishing = false;
  // The last IPv4 addresses interned, per side: packets come in bursts of one flow.
  private lastSrc4 = -1;
  private lastSrc4Id = 0;
  private lastDst4 = -1;
  private lastDst4Id = 0;

  constructor(opts: Partial<TrackerOptions> = {}) {
    this.opts = { ...DEFAULT_TRACKER_OPTIONS, ...opts };
  }

  /** Offer one decoded IP packet (decode() returned DECODE_IP). */
  packet(tsIn: number, d: Decoded, wireLen: number): void {
    this.stats.ipPackets++;
    // An untimed packet (pcapng simple packet block) is counted in its flow but adds no gap.
    const ts = tsIn;
    if (ts === ts) {
      this.lastTsUs = ts;
      if (!(ts >= this.windowStartUs)) this.windowStartUs = ts;
      if (!(ts <= this.windowEndUs)) this.windowEndUs = ts;
    }
    if (this.opts.shard !== undefined && shardOf(d, this.opts.shard.count) !== this.opts.shard.index) {
      this.stats.shardSkipped++;
      return;
    }
    let aId: number, bId: number;
    if (d.family === 4) {
      if (d.src4 === this.lastSrc4) aId = this.lastSrc4Id;
      else { aId = this.addresses.internV4(d.src4); this.lastSrc4 = d.src4; this.lastSrc4Id = aId; }
      if (d.dst4 === this.lastDst4) bId = this.lastDst4Id;
      else { bId = this.addresses.internV4(d.dst4); this.lastDst4 = d.dst4; this.lastDst4Id = bId; }
    } else {
      aId = this.addresses.internV6(d.src6);
      bId = this.addresses.internV6(d.dst6);
    }

    if (d.laterFragment) {
      const slot = this.fragments.get(fragmentKey(d, aId, bId));
      if (slot === undefined || this.fState[slot] === 255) {
        this.stats.fragmentsOrphaned++;
        return;
      }
      this.stats.fragmentsAttributed++;
      if (!d.moreFragments && this.kProto[slot] === PROTO_TCP && this.fStream[slot] === 0) {
        // The last fragment completes the datagram: where Wireshark dissects (and numbers) the segment.
        this.fStream[slot] = 1;
        this.stats.tcpStreams++;
      }
      const dir: Direction = this.dirOf(slot, aId);
      this.touch(slot, ts, dir, wireLen, PacketKind.Data, false, this.fState[slot]);
      return;
    }

    const proto = d.proto;
    let sport = 0, dport = 0;
    if (d.hasPorts || (proto === PROTO_TCP && (d.sport | d.dport) !== 0)) {
      sport = d.sport;
      dport = d.dport;
    }
    // Canonical key order: lower (address id, port) first.
    let swapped = false;
    if (aId > bId || (aId === bId && sport > dport)) swapped = true;
    const ka = swapped ? bId : aId;
    const kb = swapped ? aId : bId;
    const ports = swapped ? ((dport << 16) | sport) >>> 0 : ((sport << 16) | dport) >>> 0;
    const keyDir = swapped ? 1 : 0; // direction of this packet relative to the key

    let slot = this.find(proto, ka, kb, ports);
    const isTcp = proto === PROTO_TCP && d.tcpStream;
    const flags = isTcp ? d.tcpFlags : 0;

    if (slot !== NONE && this.opts.idleLimitUs > 0 && ts - this.fLast[slot] > this.opts.idleLimitUs) {
      this.stats.evictedIdle++;
      this.finalize(slot, FlowEnd.Evicted);
      slot = NONE;
    }
    if (slot !== NONE && isTcp && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      // Wireshark (docs/WIRESHARK-RULES.md section 2): a pure SYN whose sequence number differs from
      // the base sequence number of its direction starts a new conversation on the 4-tuple (port
      // reuse); the same ISN is a retransmitted SYN, which restores nextseq.
      const td = slot * 2 + keyDir;
      if ((this.tFlags[td] & 1) !== 0) {
        if (d.seq !== this.tBase[td]) {
          this.finalize(slot, FlowEnd.Superseded);
          slot = NONE;
        } else {
          this.tNext[td] = this.tMaxAck[td];
        }
      }
    } else if (slot !== NONE && isTcp && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      const td = slot * 2 + keyDir;
      if ((this.tFlags[td] & 1) !== 0 && d.seq !== this.tBase[td]) this.tBase[td] = d.seq;
    }
    if (slot === NONE) {
      slot = this.create(proto, ka, kb, ports, keyDir, ts, isTcp, flags);
      if (d.firstFragment) this.fragments.set(fragmentKey(d, aId, bId), slot);
    } else if (d.firstFragment) {
      this.fragments.set(fragmentKey(d, aId, bId), slot);
    }
    if (this.fragments.size > 65536) this.fragments.clear(); // bounded: fragments are short-lived
    if (isTcp && this.fStream[slot] === 0) {
      this.fStream[slot] = 1;
      this.stats.tcpStreams++;
    }

    const dir: Direction = (keyDir === 1) === (this.clientIsB[slot] === 0) ? 1 : 0;
    let kind = PacketKind.Data;
    let retrans = false;
    const stateBefore = this.fState[slot];
    if (isTcp && d.tcpAnalyse) {
      const a = this.analyseTcp(slot, keyDir, dir, d);
      kind = a & 7;
      retrans = (a & 8) !== 0;
    } else if (proto === PROTO_UDP || proto === 136) {
      if (dir === 1) this.fState[slot] = FlowState.UdpReplied;
    }
    this.touch(slot, ts, dir, wireLen, kind, retrans, stateBefore);
    this.maybeEvictForSpace();
  }

  /** Direction of a packet from address id `src` in flow `slot`. */
  private dirOf(slot: number, src: number): Direction {
    const fromA = this.kA[slot] === src;
    return fromA === (this.clientIsB[slot] === 0) ? 0 : 1;
  }

  private hash(proto: number, a: number, b: number, ports: number): number {
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 13) ^ ports, 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 16) ^ proto, 0x165667b1);
    return (h ^ (h >>> 15)) & this.hMask;
  }

  private find(proto: number, a: number, b: number, ports: number): number {
    let i = this.hash(proto, a, b, ports);
    const slots = this.hSlots;
    for (;;) {
      const s = slots[i];
      if (s === 0) return NONE;
      const f = s - 1;
      if (this.kPorts[f] === ports && this.kA[f] === a && this.kB[f] === b && this.kProto[f] === proto) return f;
      i = (i + 1) & this.hMask;
    }
  }

  private hashInsert(slot: number): void {
    if ((this.open + 1) * 2 > this.hSlots.length) this.rehash(this.hSlots.length * 2);
    let i = this.hash(this.kProto[slot], this.kA[slot], this.kB[slot], this.kPorts[slot]);
    while (this.hSlots[i] !== 0) i = (i + 1) & this.hMask;
    this.hSlots[i] = slot + 1;
  }

  /** Linear-probing delete with backward shift (no tombstones). */
  private hashDelete(slot: number): void {
    const mask = this.hMask;
    let i = this.hash(this.kProto[slot], this.kA[slot], this.kB[slot], this.kPorts[slot]);
    while (this.hSlots[i] !== slot + 1) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const s = this.hSlots[j];
      if (s === 0) break;
      const f = s - 1;
      const home = this.hash(this.kProto[f], this.kA[f], this.kB[f], this.kPorts[f]);
      // Move f back into the hole at i if its home is not cyclically in (i, j].
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        this.hSlots[i] = s;
        i = j;
      }
    }
    this.hSlots[i] = 0;
  }

  private rehash(size: number): void {
    this.hSlots = new Int32Array(size);
    this.hMask = size - 1;
    for (let s = this.lruHead; s !== NONE; s = this.lruNext[s]) {
      let i = this.hash(this.kProto[s], this.kA[s], this.kB[s], this.kPorts[s]);
      while (this.hSlots[i] !== 0) i = (i + 1) & this.hMask;
      this.hSlots[i] = s + 1;
    }
  }

  private growSlots(): void {
    const n = this.cap * 2;
    this.kProto = growU8(this.kProto, n);
    this.kA = growU32(this.kA, n);
    this.kB = growU32(this.kB, n);
    this.kPorts = growU32(this.kPorts, n);
    this.clientIsB = growU8(this.clientIsB, n);
    this.fFirst = growF64(this.fFirst, n);
    this.fLast = growF64(this.fLast, n);
    this.fPkts = growF64(this.fPkts, n * 2);
    this.fBytes = growF64(this.fBytes, n * 2);
    this.fState = growU8(this.fState, n);
    this.fStart = growU8(this.fStart, n);
    this.fFin = growU8(this.fFin, n);
    this.fFinEnd = growU32(this.fFinEnd, n * 2);
    this.fKa = growU32(this.fKa, n * 2);
    this.fKaAck = growU32(this.fKaAck, n);
    this.fLastKind = growU8(this.fLastKind, n);
    this.tBase = growU32(this.tBase, n * 2);
    this.tNext = growU32(this.tNext, n * 2);
    this.tMaxAck = growU32(this.tMaxAck, n * 2);
    this.fStream = growU8(this.fStream, n);
    this.tLastAck = growU32(this.tLastAck, n * 2);
    this.tWin = growU32(this.tWin, n * 2);
    this.tFlags = growU8(this.tFlags, n * 2);
    this.gHead = growI32(this.gHead, n);
    this.gTail = growI32(this.gTail, n);
    this.lruPrev = growI32(this.lruPrev, n);
    this.lruNext = growI32(this.lruNext, n);
    this.cap = n;
  }

  private create(proto: number, ka: number, kb: number, ports: number, keyDir: number, ts: number, isTcp: boolean, flags: number): number {
    let slot: number;
    if (this.freeHead !== NONE) {
      slot = this.freeHead;
      this.freeHead = this.lruNext[slot];
    } else {
      if (this.used === this.cap) this.growSlots();
      slot = this.used++;
    }
    this.kProto[slot] = proto;
    this.kA[slot] = ka;
    this.kB[slot] = kb;
    this.kPorts[slot] = ports;
    // The initiator is the sender of the first packet, except that a SYN-ACK seen first
    // (capture started during the handshake) names its receiver as the client.
    let initiatorDir = keyDir;
    if (isTcp && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) initiatorDir = 1 - keyDir;
    this.clientIsB[slot] = initiatorDir;
    this.fFirst[slot] = ts;
    this.fLast[slot] = ts;
    const s2 = slot * 2;
    this.fPkts[s2] = 0; this.fPkts[s2 + 1] = 0;
    this.fBytes[s2] = 0; this.fBytes[s2 + 1] = 0;
    this.fKa[s2] = 0; this.fKa[s2 + 1] = 0;
    this.fKaAck[slot] = 0;
    this.fFin[slot] = 0;
    this.fFinEnd[s2] = 0; this.fFinEnd[s2 + 1] = 0;
    this.tBase[s2] = 0; this.tBase[s2 + 1] = 0;
    this.tNext[s2] = 0; this.tNext[s2 + 1] = 0;
    this.tMaxAck[s2] = 0; this.tMaxAck[s2 + 1] = 0;
    this.tLastAck[s2] = 0; this.tLastAck[s2 + 1] = 0;
    // A window no header can carry, so the first segment of a direction is never a keep-alive ACK.
    this.tWin[s2] = 0xffffffff; this.tWin[s2 + 1] = 0xffffffff;
    this.fStream[slot] = 0;
    this.tFlags[s2] = 0; this.tFlags[s2 + 1] = 0;
    this.fLastKind[slot] = 255;
    this.gHead[slot] = NONE;
    this.gTail[slot] = NONE;
    if (proto === PROTO_TCP) {
      this.stats.tcpFlows++;
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
        this.fStart[slot] = FlowStart.Syn;
        this.fState[slot] = FlowState.SynSent;
      } else if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
        this.fStart[slot] = FlowStart.MidStream;
        this.fState[slot] = FlowState.SynRecv;
      } else {
        this.fStart[slot] = FlowStart.MidStream;
        this.fState[slot] = FlowState.Established;
      }
    } else {
      this.fStart[slot] = FlowStart.Datagram;
      if (proto === PROTO_UDP || proto === 136) {
        this.stats.udpFlows++;
        this.fState[slot] = FlowState.UdpUnreplied;
      } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
        this.stats.otherFlows++;
        this.fState[slot] = FlowState.Icmp;
      } else {
        this.stats.otherFlows++;
        this.fState[slot] = FlowState.Other;
      }
    }
    // Into the hash first: a rehash walks the LRU list, which must not hold this slot yet.
    this.hashInsert(slot);
    this.lruPrev[slot] = this.lruTail;
    this.lruNext[slot] = NONE;
    if (this.lruTail !== NONE) this.lruNext[this.lruTail] = slot;
    else this.lruHead = slot;
    this.lruTail = slot;
    this.open++;
    return slot;
  }

  /**
   * Wireshark's sequence analysis for one segment, reduced to what fwtp needs: keep-alive and
   * keep-alive ACK flags, retransmissions of data, and the TCP state. Returns PacketKind | 8 if
   * the segment retransmits data.
   */
  private analyseTcp(slot: number, keyDir: number, dir: Direction, d: Decoded): number {
    const fwd = slot * 2 + keyDir;
    const rev = slot * 2 + (1 - keyDir);
    const flags = d.tcpFlags;
    const segLen = d.segLen;
    const seq = d.seq;
    const ack = d.ack;
    // tcp_analyze_sequence_number(), docs/WIRESHARK-RULES.md section 3: absolute sequence numbers,
    // nextseq 0 = unknown.
    if ((this.tFlags[fwd] & 1) === 0) {
      this.tBase[fwd] = (flags & TCP_SYN) !== 0 ? seq : (seq - 1) >>> 0;
      this.tFlags[fwd] |= 1;
    }
    if ((this.tFlags[rev] & 1) === 0 && (flags & TCP_ACK) !== 0) {
      this.tBase[rev] = (ack - 1) >>> 0;
      this.tFlags[rev] |= 1;
    }
    const nextSeq = this.tNext[fwd];
    let zeroWindowProbe = false;
    let isKeepAlive = false;
    let isKeepAliveAck = false;
    if (segLen === 1 && seq === nextSeq && this.tWin[rev] === 0) {
      zeroWindowProbe = true;
    } else {
      // KEEP ALIVE: 0 or 1 byte starting one byte before the next expected sequence number; never SYN/FIN/RST.
      if ((segLen === 0 || segLen === 1) && seq === ((nextSeq - 1) >>> 0) && (flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0) isKeepAlive = true;
      // KEEP ALIVE ACK: repeats this direction's previous ACK and window right after a keep-alive the other way.
      if (segLen === 0 && d.window !== 0 && d.window === this.tWin[fwd] && seq === nextSeq && ack === this.tLastAck[fwd] &&
        (this.tFlags[rev] & 2) !== 0 && (flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0) isKeepAliveAck = true;
    }
    // ACKED LOST PACKET: only its effect on the other side's maxseqtobeacked matters.
    const revMax = this.tMaxAck[rev];
    if (revMax !== 0 && ((revMax - ack) | 0) < 0 && (flags & TCP_ACK) !== 0 && revMax > this.tNext[rev]) this.tMaxAck[rev] = this.tNext[rev];
    const retrans = !isKeepAlive && segLen > 0 && nextSeq !== 0 && ((seq + segLen - nextSeq) | 0) <= 0;
    let candidate = (seq + segLen) >>> 0;
    if ((flags & (TCP_SYN | TCP_FIN)) !== 0) candidate = (candidate + 1) >>> 0;
    if (!zeroWindowProbe) {
      if (((this.tNext[fwd] - candidate) | 0) < 0 || this.tNext[fwd] === 0) this.tNext[fwd] = candidate;
      if (seq === this.tMaxAck[fwd] || this.tMaxAck[fwd] === 0) this.tMaxAck[fwd] = this.tNext[fwd];
    }
    this.tWin[fwd] = d.window;
    this.tLastAck[fwd] = ack;
    if (isKeepAlive) this.tFlags[fwd] |= 2;
    else this.tFlags[fwd] &= ~2;
    // Wireshark shows the flags only when the whole header was captured.
    if (!d.tcpFlagsVisible) {
      isKeepAlive = false;
      isKeepAliveAck = false;
    }

    // Keep-alive counters
    if (isKeepAlive) {
      this.fKa[slot * 2 + dir]++;
      this.stats.keepAliveProbes++;
    } else if (isKeepAliveAck) {
      this.fKaAck[slot]++;
      this.stats.keepAliveAcks++;
    }

    // TCP lifecycle in conntrack's terms (nf_conntrack_proto_tcp.c tcp_conntracks table, simplified).
    const state = this.fState[slot];
    let fin = this.fFin[slot];
    let kind: PacketKind;
    if ((flags & TCP_RST) !== 0) {
      fin |= 16;
      this.fState[slot] = FlowState.Close;
      kind = PacketKind.Rst;
    } else if ((flags & TCP_SYN) !== 0) {
      if ((flags & TCP_ACK) !== 0) {
        if (state === FlowState.SynSent) this.fState[slot] = FlowState.SynRecv;
      }
      kind = PacketKind.Syn;
    } else {
      if (state === FlowState.SynSent || state === FlowState.SynRecv) this.fState[slot] = FlowState.Established;
      if ((flags & TCP_FIN) !== 0) {
        fin |= 1 << dir;
        this.fFinEnd[slot * 2 + dir] = (d.seq + segLen + 1) >>> 0;
        kind = PacketKind.Fin;
      } else {
        kind = isKeepAlive ? PacketKind.KeepAliveProbe : isKeepAliveAck ? PacketKind.KeepAliveAck : PacketKind.Data;
      }
      // An ACK from this side at or past the peer's FIN acknowledges it.
      const peer = 1 - dir;
      if ((flags & TCP_ACK) !== 0 && (fin & (1 << peer)) !== 0 && ((d.ack - this.fFinEnd[slot * 2 + peer]) | 0) >= 0) fin |= 4 << peer;
      if ((fin & 16) === 0 && (fin & 3) !== 0) {
        if ((fin & 3) === 3) this.fState[slot] = (fin & 12) === 12 ? FlowState.TimeWait : FlowState.LastAck;
        else this.fState[slot] = (fin & 12) !== 0 ? FlowState.CloseWait : FlowState.FinWait;
      }
    }
    this.fFin[slot] = fin;
    return kind | (retrans ? 8 : 0);
  }

  /** Account one packet to a flow: counters, gap, LRU position. */
  private touch(slot: number, ts: number, dir: Direction, wireLen: number, kind: PacketKind, retrans: boolean, stateBefore: number): void {
    const last = this.fLast[slot];
    const i = slot * 2 + dir;
    const first = this.fPkts[slot * 2] + this.fPkts[slot * 2 + 1] === 0;
    this.fPkts[i]++;
    this.fBytes[i] += wireLen;
    if (ts === ts && !first) {
      if (last !== last) {
        // The flow's first timed packet.
        this.fFirst[slot] = ts;
        this.fLast[slot] = ts;
      } else {
        let end = ts;
        if (end < last) {
          this.stats.timeReversals++;
          end = last;
        }
        const gap = end - last;
        this.gapsAll.add(gap);
        if (gap >= this.opts.gapFloorUs) {
          const prev = this.fLastKind[slot];
          const probeRetry = kind === PacketKind.KeepAliveProbe && prev === (PacketKind.KeepAliveProbe | (dir << 3));
          // The entry spent the gap in the state the previous packet left it in.
          this.pushGap(slot, last, end, packGapInfo(stateBefore, kind, dir, probeRetry, retrans));
        }
        this.fLast[slot] = end;
      }
    }
    this.fLastKind[slot] = kind | (dir << 3);
    // LRU: move to tail
    if (this.lruTail !== slot) {
      const p = this.lruPrev[slot], n = this.lruNext[slot];
      if (p !== NONE) this.lruNext[p] = n; else this.lruHead = n;
      if (n !== NONE) this.lruPrev[n] = p;
      this.lruPrev[slot] = this.lruTail;
      this.lruNext[slot] = NONE;
      this.lruNext[this.lruTail] = slot;
      this.lruTail = slot;
    }
  }

  private pushGap(slot: number, startUs: number, endUs: number, info: number): void {
    let g: number;
    if (this.pFree !== NONE) {
      g = this.pFree;
      this.pFree = this.pNext[g];
    } else {
      if (this.pUsed === this.pCap) {
        const n = this.pCap * 2;
        this.pStart = growF64(this.pStart, n);
        this.pEnd = growF64(this.pEnd, n);
        this.pInfo = growU16(this.pInfo, n);
        this.pNext = growI32(this.pNext, n);
        this.pCap = n;
      }
      g = this.pUsed++;
    }
    this.pStart[g] = startUs;
    this.pEnd[g] = endUs;
    this.pInfo[g] = info;
    this.pNext[g] = NONE;
    if (this.gTail[slot] === NONE) this.gHead[slot] = g;
    else this.pNext[this.gTail[slot]] = g;
    this.gTail[slot] = g;
  }

  private maybeEvictForSpace(): void {
    const idle = this.opts.idleLimitUs;
    if (idle > 0) {
      // Flows idle past the limit can be finished now; the LRU head is the most idle.
      while (this.lruHead !== NONE && this.lastTsUs - this.fLast[this.lruHead] > idle) {
        this.stats.evictedIdle++;
        this.finalize(this.lruHead, FlowEnd.Evicted);
      }
    }
    while (this.open > this.opts.maxFlows) {
      this.stats.evictedForSpace++;
      this.finalize(this.lruHead, FlowEnd.Evicted);
    }
  }

  /** Move an open flow to the output and free its slot. */
  private finalize(slot: number, endHint: FlowEnd): void {
    const o = this.out;
    const f = o.reserve();
    const cB = this.clientIsB[slot] === 1;
    const ports = this.kPorts[slot];
    o.proto[f] = this.kProto[slot];
    o.clientAddr[f] = cB ? this.kB[slot] : this.kA[slot];
    o.serverAddr[f] = cB ? this.kA[slot] : this.kB[slot];
    o.clientPort[f] = cB ? ports & 0xffff : ports >>> 16;
    o.serverPort[f] = cB ? ports >>> 16 : ports & 0xffff;
    // A flow seen only in untimed packets is placed at the start of the window.
    const firstUs = this.fFirst[slot] === this.fFirst[slot] ? this.fFirst[slot] : this.windowStartUs === this.windowStartUs ? this.windowStartUs : 0;
    o.firstUs[f] = firstUs;
    o.lastUs[f] = this.fLast[slot] === this.fLast[slot] ? this.fLast[slot] : firstUs;
    o.start[f] = this.fStart[slot];
    const fin = this.fFin[slot];
    let end = endHint;
    if ((fin & 16) !== 0) end = FlowEnd.Rst;
    else if ((fin & 3) === 3) end = FlowEnd.Fin;
    else if ((fin & 3) !== 0 && endHint === FlowEnd.Open) end = FlowEnd.HalfClosed;
    o.end[f] = end;
    o.endState[f] = this.fState[slot];
    o.packetsC2S[f] = this.fPkts[slot * 2];
    o.packetsS2C[f] = this.fPkts[slot * 2 + 1];
    o.bytesC2S[f] = this.fBytes[slot * 2];
    o.bytesS2C[f] = this.fBytes[slot * 2 + 1];
    o.keepAlivesC2S[f] = this.fKa[slot * 2];
    o.keepAlivesS2C[f] = this.fKa[slot * 2 + 1];
    o.keepAliveAcks[f] = this.fKaAck[slot];
    o.gapOffset[f] = o.gapCount;
    for (let g = this.gHead[slot]; g !== NONE;) {
      o.pushGap(this.pStart[g], this.pEnd[g], this.pInfo[g]);
      const next = this.pNext[g];
      this.pNext[g] = this.pFree;
      this.pFree = g;
      g = next;
    }
    o.gapOffset[f + 1] = o.gapCount;
    if (end === FlowEnd.Open || end === FlowEnd.HalfClosed) {
      const censored = (this.windowEndUs - this.fLast[slot]) / 1e6;
      if (censored >= 0) this.gapsAll.addCensored(censored);
    }
    // unlink
    if (!this.finishing) this.hashDelete(slot);
    const p = this.lruPrev[slot], n = this.lruNext[slot];
    if (p !== NONE) this.lruNext[p] = n; else this.lruHead = n;
    if (n !== NONE) this.lruPrev[n] = p; else this.lruTail = p;
    this.lruNext[slot] = this.freeHead;
    this.freeHead = slot;
    this.fState[slot] = 255; // marks a freed slot for fragment lookups
    this.open--;
  }

  get openFlows(): number {
    return this.open;
  }

  /** Finish every open flow and return the FlowSet. The tracker must not be used afterwards. */
  finish(): FlowSet {
    // The table is dropped after this: no need to keep the hash consistent while emptying it.
    this.finishing = true;
    while (this.lruHead !== NONE) this.finalize(this.lruHead, FlowEnd.Open);
    return this.out.toFlowSet(this.addresses.texts(), this.opts.gapFloorUs, this.windowStartUs, this.windowEndUs);
  }
}
