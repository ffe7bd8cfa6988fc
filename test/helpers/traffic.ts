/**
 * Feeds hand-built frames straight into decode() and a FlowTracker (no container), for flow
 * tests that state each packet's time and TCP fields and check the flows that come out.
 */
import { decode, DECODE_IP } from '../../src/ingest/decode.js';
import { Decoded } from '../../src/ingest/packet.js';
import { FlowTracker, type TrackerOptions, type TrackerStats } from '../../src/flows/tracker.js';
import type { FlowSet, GapDistribution } from '../../src/flows/types.js';
import { icmp, ipv4, ipv6, ethernet, tcp, udp, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type TcpSpec } from './pcapbuild.js';

export interface Endpoints {
  src: string;
  dst: string;
}

function ip(e: Endpoints, proto: number, payload: Buffer): Buffer {
  return e.src.includes(':') ? ipv6({ src: e.src, dst: e.dst, next: proto, payload }) : ipv4({ src: e.src, dst: e.dst, proto, payload });
}

export function tcpPacket(e: Endpoints & TcpSpec): Buffer {
  return ethernet(ip(e, PROTO_TCP, tcp(e)));
}

export function udpPacket(e: Endpoints & { sport: number; dport: number; payload?: number }): Buffer {
  return ethernet(ip(e, PROTO_UDP, udp(e)));
}

export function icmpEcho(e: Endpoints & { type: number; id: number; seq?: number }): Buffer {
  return ethernet(ip(e, e.src.includes(':') ? PROTO_ICMPV6 : PROTO_ICMP, icmp(e)));
}

/** Any other IP protocol (GRE 47 ...), with a few payload bytes. */
export function otherPacket(e: Endpoints & { proto: number }): Buffer {
  return ethernet(ip(e, e.proto, Buffer.alloc(8)));
}

export interface Tracked {
  flows: FlowSet;
  distribution: GapDistribution;
  stats: TrackerStats;
}

export class Feeder {
  readonly tracker: FlowTracker;
  private readonly d = new Decoded();
  /** Wire bytes of every frame offered, for byte-count checks. */
  wireBytes = 0;

  constructor(opts: Partial<TrackerOptions> = {}) {
    this.tracker = new FlowTracker(opts);
  }

  /** Decode an Ethernet frame and offer it to the tracker at `tsUs` (NaN = untimed). */
  frame(tsUs: number, frame: Buffer): this {
    const r = decode(1, frame, 0, frame.length, this.d, frame.length);
    if (r !== DECODE_IP) throw new Error(`test frame did not decode as IP (${r})`);
    this.d.tsUs = tsUs;
    this.tracker.packet(this.d, frame.length);
    this.wireBytes += frame.length;
    return this;
  }

  finish(): Tracked {
    const stats = { ...this.tracker.stats };
    const flows = this.tracker.finish();
    return { flows, distribution: this.tracker.gapsAll.result(), stats };
  }
}

/** Index of the flow whose client is `client` (address text) and client port `port`; -1 if none. */
export function flowOf(fs: FlowSet, client: string, port: number, from = 0): number {
  for (let i = from; i < fs.count; i++) if (fs.addresses[fs.clientAddr[i]!] === client && fs.clientPort[i] === port) return i;
  return -1;
}

/** The stored gaps of flow i: [startUs, endUs, info]. */
export function gapsOf(fs: FlowSet, i: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) out.push([fs.gapStartUs[k]!, fs.gapEndUs[k]!, fs.gapInfo[k]!]);
  return out;
}
