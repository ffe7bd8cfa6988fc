/**
 * The flow table: bidirectional flows keyed on (protocol, address, port, address, port), their
 * counters, TCP lifecycle, keep-alives and idle gaps. Per packet it allocates nothing: flows live
 * in typed-array columns indexed by a slot id, found through an open-addressing hash on the
 * numeric key (flow-hash.ts), ordered in an LRU list so idle flows can be evicted cheaply (lru.ts),
 * their long gaps held in a shared pool until they finish (gap-pool.ts). TCP segments go through
 * Wireshark's sequence analysis (tcp-analysis.ts) and conntrack's lifecycle (tcp-lifecycle.ts).
 */
import { AddressTable } from '../ingest/addresses.js';
import { FlowSetBuilder } from './builder.js';
import { canonicalizeInPlace } from './canonical-in-place.js';
import { growF64, growU32, growU8 } from '../util/typed-arrays.js';
import { GapCollector } from './distribution.js';
import { FlowHash, NONE } from './flow-hash.js';
import { GapPool } from './gap-pool.js';
import { SlotLru } from './lru.js';
import { shardOf } from './shard.js';
import { TcpSequenceAnalysis, TCP_KEEP_ALIVE, TCP_KEEP_ALIVE_ACK, TCP_RETRANSMISSION } from './tcp-analysis.js';
import { flowEndOf, tcpInitialState, tcpLifecycleStep, tcpStartOf } from './tcp-lifecycle.js';
import { FlowEnd, FlowStart, PacketKind, packGapInfo, type Direction, type FlowSet } from './types.js';
import { FlowState, PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6 } from '../util/protocols.js';
import { TCP_ACK, TCP_SYN, type Decoded } from '../ingest/packet.js';

export interface TrackerOptions {
  /** Gaps at least this long are stored per flow for the model (microseconds). */
  gapFloorUs: number;
  /** Evict a flow idle for longer than this (microseconds); 0 = never. */
  idleLimitUs: number;
  /** Most flows held open at once; beyond it the least recently active flow is evicted. */
  maxFlows: number;
  /** Keep only the flows whose key hashes to shard `index` of `count` (fwtp extract --shard I/N). */
  shard?: { index: number; count: number };
  /** Exact gap values kept while at most this many (GapCollector's exactLimit; default its own). */
  exactGapsLimit?: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  gapFloorUs: 1e6,
  idleLimitUs: 0,
  maxFlows: 4_000_000,
};

/** fState of a freed slot, so a fragment lookup that finds it knows its flow is gone. */
const FREED = 255;
/** fLastKind of a flow before its first packet. */
const NO_PACKET = 255;
/** Protocol 136: UDP-Lite (RFC 3828), tracked like UDP. */
const PROTO_UDPLITE = 136;

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

const INITIAL_SLOTS = 1024; // open-flow slots a tracker starts with (they double as needed)

export class FlowTracker {
  readonly addresses = new AddressTable();
  readonly gapsAll: GapCollector;
  readonly stats: TrackerStats = {
    ipPackets: 0, fragmentsAttributed: 0, fragmentsOrphaned: 0, evictedIdle: 0, evictedForSpace: 0,
    timeReversals: 0, shardSkipped: 0, tcpFlows: 0, tcpStreams: 0, udpFlows: 0, otherFlows: 0, keepAliveProbes: 0, keepAliveAcks: 0,
  };
  windowStartUs = Number.NaN;
  windowEndUs = Number.NaN;
  private lastTsUs = 0;
  /** The current packet's time, for touch() and create(): a double argument to a call V8 does not inline is boxed, a heap number per packet. */
  private packetTsUs = Number.NaN;

  private readonly opts: TrackerOptions;
  private readonly out = new FlowSetBuilder();

  // ---- open-flow columns, indexed by slot ----
  // Allocated by allocateSlots (at 1024 slots, and at 0 once finished), grown by growSlots.
  private cap = 0;
  private used = 0; // slots ever handed out
  private open = 0;
  private keys!: FlowHash;
  private lru!: SlotLru;
  private gaps!: GapPool;
  private tcp!: TcpSequenceAnalysis;
  private clientIsB!: Uint8Array;
  private fFirst!: Float64Array;
  private fLast!: Float64Array;
  // [slot*2 + dir], dir 0 = client->server: the low 32 bits; a count past 2^32 keeps its high part in `wide`.
  private fPkts!: Uint32Array;
  private fBytes!: Uint32Array;
  /** High parts (multiples of 2^32) of counters that overflowed, by (slot*2 + dir) * 2 + (0 packets, 1 bytes); rare. */
  private wide = new Map<number, number>();
  private fState!: Uint8Array;
  private fStart!: Uint8Array;
  private fFin!: Uint8Array; // tcp-lifecycle.ts's finBits
  private fFinEnd!: Uint32Array; // sequence number just past each side's FIN
  private fKa!: Uint32Array; // keep-alive probes per dir
  private fKaAck!: Uint32Array;
  private fLastKind!: Uint8Array; // PacketKind | dir << 3 of the previous packet, NO_PACKET before the first
  private fStream!: Uint8Array; // 1 once a packet with a readable TCP header counted this flow as a tcp.stream

  // ---- IP fragments: (src, dst, proto, id) -> slot of the first fragment's flow; rare, so a Map ----
  private fragments = new Map<string, number>();
  private finishing = false;
  // The last IPv4 addresses interned, per side: packets come in bursts of one flow.
  private lastSrc4 = -1;
  private lastSrc4Id = 0;
  private lastDst4 = -1;
  private lastDst4Id = 0;

  // The options read per packet, as plain number fields.
  private readonly gapFloorUs: number;
  private readonly idleLimitUs: number;
  private readonly maxFlows: number;
  private readonly shardCount: number; // 0 = no sharding
  private readonly shardIndex: number;

  constructor(opts: Partial<TrackerOptions> = {}) {
    this.allocateSlots(INITIAL_SLOTS);
    this.opts = { ...DEFAULT_TRACKER_OPTIONS, ...opts };
    this.gapFloorUs = this.opts.gapFloorUs;
    this.idleLimitUs = this.opts.idleLimitUs;
    this.maxFlows = this.opts.maxFlows;
    this.shardCount = this.opts.shard?.count ?? 0;
    this.shardIndex = this.opts.shard?.index ?? 0;
    this.gapsAll = new GapCollector(opts.exactGapsLimit);
  }

  /** Offer one decoded IP packet (decode() returned DECODE_IP), its capture time in d.tsUs. */
  packet(d: Decoded, wireLen: number): void {
    this.stats.ipPackets++;
    // An untimed packet (pcapng simple packet block) is counted in its flow but adds no gap.
    const ts = d.tsUs;
    this.packetTsUs = ts;
    if (ts === ts) {
      this.lastTsUs = ts;
      if (!(ts >= this.windowStartUs)) this.windowStartUs = ts;
      if (!(ts <= this.windowEndUs)) this.windowEndUs = ts;
    }
    if (this.shardCount !== 0 && shardOf(d, this.shardCount) !== this.shardIndex) {
      this.stats.shardSkipped++;
      return;
    }
    let aId: number, bId: number;
    if (d.family === 4) {
      // A reply swaps the previous packet's addresses: look both up on each side.
      const src4 = d.src4, dst4 = d.dst4;
      if (src4 === this.lastSrc4) aId = this.lastSrc4Id;
      else if (src4 === this.lastDst4) aId = this.lastDst4Id;
      else aId = this.addresses.internV4Of(d, false);
      if (dst4 === this.lastDst4) bId = this.lastDst4Id;
      else if (dst4 === this.lastSrc4) bId = this.lastSrc4Id;
      else bId = this.addresses.internV4Of(d, true);
      this.lastSrc4 = src4; this.lastSrc4Id = aId;
      this.lastDst4 = dst4; this.lastDst4Id = bId;
    } else {
      aId = this.addresses.internV6(d.src6);
      bId = this.addresses.internV6(d.dst6);
    }

    if (d.laterFragment) {
      const slot = this.fragments.get(fragmentKey(d, aId, bId));
      if (slot === undefined || this.fState[slot] === FREED) {
        this.stats.fragmentsOrphaned++;
        return;
      }
      this.stats.fragmentsAttributed++;
      if (!d.moreFragments && this.keys.proto[slot] === PROTO_TCP && this.fStream[slot] === 0) {
        // The last fragment completes the datagram: where Wireshark dissects (and numbers) the segment.
        this.fStream[slot] = 1;
        this.stats.tcpStreams++;
      }
      const fromA = this.keys.addrA[slot] === aId;
      const dir: Direction = fromA === (this.clientIsB[slot] === 0) ? 0 : 1;
      this.touch(slot, dir, wireLen, PacketKind.Data, false, this.fState[slot]!);
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
    const ports = swapped ? (dport << 16) | sport : (sport << 16) | dport; // an int32 (flow-hash.ts)
    const keyDir = swapped ? 1 : 0; // direction of this packet relative to the key

    let slot = this.keys.find(proto, ka, kb, ports);
    const isTcp = proto === PROTO_TCP && d.tcpStream;
    const flags = isTcp ? d.tcpFlags : 0;

    if (slot !== NONE && this.idleLimitUs > 0 && ts - this.fLast[slot]! > this.idleLimitUs) {
      this.stats.evictedIdle++;
      this.finalize(slot, FlowEnd.Evicted);
      slot = NONE;
    }
    if (slot !== NONE && isTcp && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      if (this.tcp.synStartsNewConversation(slot, keyDir, d.seq)) {
        this.finalize(slot, FlowEnd.Superseded);
        slot = NONE;
      }
    } else if (slot !== NONE && isTcp && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
      this.tcp.synAckSeen(slot, keyDir, d.seq);
    }
    if (slot === NONE) {
      slot = this.create(proto, ka, kb, ports, keyDir, isTcp, flags);
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
    const stateBefore = this.fState[slot]!;
    if (isTcp && d.tcpAnalyse) {
      const a = this.tcp.analyse(slot, keyDir, d);
      const isKeepAlive = (a & TCP_KEEP_ALIVE) !== 0;
      const isKeepAliveAck = (a & TCP_KEEP_ALIVE_ACK) !== 0;
      if (isKeepAlive) {
        this.fKa[slot * 2 + dir]!++;
        this.stats.keepAliveProbes++;
      } else if (isKeepAliveAck) {
        this.fKaAck[slot]!++;
        this.stats.keepAliveAcks++;
      }
      kind = tcpLifecycleStep(this.fState, this.fFin, this.fFinEnd, slot, dir, d, isKeepAlive, isKeepAliveAck);
      retrans = (a & TCP_RETRANSMISSION) !== 0;
    } else if (proto === PROTO_UDP || proto === PROTO_UDPLITE) {
      if (dir === 1) this.fState[slot] = FlowState.UdpReplied;
    }
    this.touch(slot, dir, wireLen, kind, retrans, stateBefore);
    this.maybeEvictForSpace();
  }

  private growSlots(): void {
    const n = Math.max(this.cap * 2, 1024);
    this.keys.growSlots(n);
    this.lru.growSlots(n);
    this.gaps.growSlots(n);
    this.tcp.growSlots(n);
    this.clientIsB = growU8(this.clientIsB, n);
    this.fFirst = growF64(this.fFirst, n);
    this.fLast = growF64(this.fLast, n);
    this.fPkts = growU32(this.fPkts, n * 2);
    this.fBytes = growU32(this.fBytes, n * 2);
    this.fState = growU8(this.fState, n);
    this.fStart = growU8(this.fStart, n);
    this.fFin = growU8(this.fFin, n);
    this.fFinEnd = growU32(this.fFinEnd, n * 2);
    this.fKa = growU32(this.fKa, n * 2);
    this.fKaAck = growU32(this.fKaAck, n);
    this.fLastKind = growU8(this.fLastKind, n);
    this.fStream = growU8(this.fStream, n);
    this.cap = n;
  }

  private create(proto: number, ka: number, kb: number, ports: number, keyDir: number, isTcp: boolean, flags: number): number {
    const ts = this.packetTsUs;
    let slot = this.lru.takeFree();
    if (slot === NONE) {
      if (this.used === this.cap) this.growSlots();
      slot = this.used++;
    }
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
    this.tcp.clear(slot);
    this.fStream[slot] = 0;
    this.fLastKind[slot] = NO_PACKET;
    if (this.wide.size > 0) for (let k = s2 * 2; k < s2 * 2 + 4; k++) this.wide.delete(k);
    this.gaps.clear(slot);
    if (proto === PROTO_TCP) {
      this.stats.tcpFlows++;
      this.fStart[slot] = tcpStartOf(flags);
      this.fState[slot] = tcpInitialState(flags);
    } else {
      this.fStart[slot] = FlowStart.Datagram;
      if (proto === PROTO_UDP || proto === PROTO_UDPLITE) {
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
    this.keys.insert(slot, proto, ka, kb, ports);
    this.lru.append(slot);
    this.open++;
    return slot;
  }

  /** Account one packet to a flow: counters, gap, LRU position. */
  private touch(slot: number, dir: Direction, wireLen: number, kind: PacketKind, retrans: boolean, stateBefore: number): void {
    const ts = this.packetTsUs;
    const last = this.fLast[slot]!;
    const i = slot * 2 + dir;
    const prev = this.fLastKind[slot]!;
    const packets = this.fPkts[i]! + 1;
    const bytes = this.fBytes[i]! + wireLen;
    // Uint32 stores wrap: the carry goes to the high part.
    this.fPkts[i] = packets;
    this.fBytes[i] = bytes;
    if (packets > 0xffffffff) this.carry(i * 2);
    if (bytes > 0xffffffff) this.carry(i * 2 + 1);
    if (ts === ts && prev !== NO_PACKET) {
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
        if (gap >= this.gapFloorUs) {
          const probeRetry = kind === PacketKind.KeepAliveProbe && prev === (PacketKind.KeepAliveProbe | (dir << 3));
          // The entry spent the gap in the state the previous packet left it in.
          this.gaps.pending[0] = last; this.gaps.pending[1] = end;
          this.gaps.push(slot, packGapInfo(stateBefore, kind, dir, probeRetry, retrans));
        }
        this.fLast[slot] = end;
      }
    }
    this.fLastKind[slot] = kind | (dir << 3);
    this.lru.moveToTail(slot);
  }

  private carry(key: number): void {
    this.wide.set(key, (this.wide.get(key) ?? 0) + 4294967296);
  }

  /** Counter `k` (0 packets, 1 bytes) of direction index i = slot*2 + dir. */
  private counter(column: Uint32Array, i: number, k: number): number {
    return column[i]! + (this.wide.size > 0 ? this.wide.get(i * 2 + k) ?? 0 : 0);
  }

  private maybeEvictForSpace(): void {
    const idle = this.idleLimitUs;
    if (idle > 0) {
      // Flows idle past the limit can be finished now; the LRU head is the most idle.
      while (this.lru.head !== NONE && this.lastTsUs - this.fLast[this.lru.head]! > idle) {
        this.stats.evictedIdle++;
        this.finalize(this.lru.head, FlowEnd.Evicted);
      }
    }
    while (this.open > this.maxFlows) {
      this.stats.evictedForSpace++;
      this.finalize(this.lru.head, FlowEnd.Evicted);
    }
  }

  /** Move an open flow to the output and free its slot. */
  private finalize(slot: number, endHint: FlowEnd): void {
    const o = this.out;
    const f = o.reserve();
    const cB = this.clientIsB[slot] === 1;
    const keys = this.keys;
    const ports = keys.ports[slot]!;
    o.proto[f] = keys.proto[slot]!;
    o.clientAddr[f] = cB ? keys.addrB[slot]! : keys.addrA[slot]!;
    o.serverAddr[f] = cB ? keys.addrA[slot]! : keys.addrB[slot]!;
    o.clientPort[f] = cB ? ports & 0xffff : ports >>> 16;
    o.serverPort[f] = cB ? ports >>> 16 : ports & 0xffff;
    // A flow seen only in untimed packets is placed at the start of the window.
    const firstUs = this.fFirst[slot] === this.fFirst[slot] ? this.fFirst[slot]! : this.windowStartUs === this.windowStartUs ? this.windowStartUs : 0;
    o.firstUs[f] = firstUs;
    o.lastUs[f] = this.fLast[slot] === this.fLast[slot] ? this.fLast[slot]! : firstUs;
    o.start[f] = this.fStart[slot]!;
    const end = flowEndOf(this.fFin[slot]!, endHint);
    o.end[f] = end;
    o.endState[f] = this.fState[slot]!;
    o.packetsC2S[f] = this.counter(this.fPkts, slot * 2, 0);
    o.packetsS2C[f] = this.counter(this.fPkts, slot * 2 + 1, 0);
    o.bytesC2S[f] = this.counter(this.fBytes, slot * 2, 1);
    o.bytesS2C[f] = this.counter(this.fBytes, slot * 2 + 1, 1);
    o.keepAlivesC2S[f] = this.fKa[slot * 2]!;
    o.keepAlivesS2C[f] = this.fKa[slot * 2 + 1]!;
    o.keepAliveAcks[f] = this.fKaAck[slot]!;
    o.gapOffset[f] = o.gapCount;
    this.gaps.moveTo(slot, o);
    o.gapOffset[f + 1] = o.gapCount;
    if (end === FlowEnd.Open || end === FlowEnd.HalfClosed) {
      const censored = (this.windowEndUs - this.fLast[slot]!) / 1e6;
      if (censored >= 0) this.gapsAll.addCensored(censored);
    }
    // The table is dropped after finish(): no need to keep the hash and the LRU list consistent while emptying it.
    if (!this.finishing) { this.keys.remove(slot); this.lru.release(slot); }
    this.fState[slot] = FREED;
    this.open--;
  }

  /**
   * A packet another reader tracks (a parallel read of one file, src/read/capture-shard.ts):
   * counted and kept in the window (its time in d.tsUs) as packet() counts one left to another shard, nothing else.
   */
  skipPacket(d: Decoded): void {
    this.stats.ipPackets++;
    this.stats.shardSkipped++;
    const ts = d.tsUs;
    if (ts === ts) {
      this.lastTsUs = ts;
      if (!(ts >= this.windowStartUs)) this.windowStartUs = ts;
      if (!(ts <= this.windowEndUs)) this.windowEndUs = ts;
    }
  }

  get openFlows(): number {
    return this.open;
  }

  /** Finish every open flow and return the FlowSet, canonical (canonical.ts). The tracker must not be used afterwards. */
  finish(): FlowSet {
    this.finishing = true;
    // The output is sized once for everything still open, so its columns need no copy at the end.
    this.out.reserveExactly(this.open, this.gaps.live);
    // In slot order, reading the columns front to back (LRU order read them at random); canonical order is total (canonical.ts).
    for (let slot = 0, used = this.used; slot < used; slot++) if (this.fState[slot] !== FREED) this.finalize(slot, FlowEnd.Open);
    // Let the open-flow table go before the caller builds on the result (peak memory).
    this.allocateSlots(0);
    this.used = 0;
    this.wide.clear();
    this.fragments.clear();
    // In canonical form already, so the reader does not copy it into another (peak memory).
    return canonicalizeInPlace(this.out.toFlowSet(this.addresses.texts(), this.gapFloorUs, this.windowStartUs, this.windowEndUs));
  }

  /** Every open-flow column at `cap` slots, empty (the one list of them; growSlots grows the same). */
  private allocateSlots(cap: number): void {
    this.cap = cap;
    this.keys = new FlowHash(cap);
    this.lru = new SlotLru(cap);
    this.gaps = new GapPool(cap);
    this.tcp = new TcpSequenceAnalysis(cap);
    this.clientIsB = new Uint8Array(cap);
    this.fFirst = new Float64Array(cap);
    this.fLast = new Float64Array(cap);
    this.fPkts = new Uint32Array(cap * 2);
    this.fBytes = new Uint32Array(cap * 2);
    this.fState = new Uint8Array(cap);
    this.fStart = new Uint8Array(cap);
    this.fFin = new Uint8Array(cap);
    this.fFinEnd = new Uint32Array(cap * 2);
    this.fKa = new Uint32Array(cap * 2);
    this.fKaAck = new Uint32Array(cap);
    this.fLastKind = new Uint8Array(cap);
    this.fStream = new Uint8Array(cap);
  }
}
