/**
 * Random flows for the model's property tests (fast-check draws), packed into FlowSpecs
 * (flowset.ts): gaps in order, each after a short active pause.
 */
import fc from 'fast-check';
import { FlowEnd, PacketKind } from '../../src/flows/types.js';
import { FlowState, PROTO_TCP, PROTO_UDP } from '../../src/util/protocols.js';
import type { FlowSpec, GapSpec } from './flowset.js';

export interface GapDraw {
  pause: number;
  len: number;
  kind: PacketKind;
  dir: 0 | 1;
  retry: boolean;
  retransmission: boolean;
  /** The state the gap is in (TCP); established when not drawn. */
  state?: FlowState;
}

export interface FlowDraw {
  udp: boolean;
  first: number;
  serverPort: number;
  gaps: GapDraw[];
  tail: number;
  closed: boolean;
}

export function toSpecs(draws: FlowDraw[]): FlowSpec[] {
  return draws.map((d, i) => {
    let t = d.first;
    const gaps: GapSpec[] = [];
    let c2s = 0, s2c = 0;
    for (const g of d.gaps) {
      t += g.pause;
      const state = d.udp ? FlowState.UdpReplied : g.state ?? FlowState.Established;
      const kind = d.udp ? PacketKind.Data : g.kind;
      gaps.push({ start: t, end: t + g.len, state, kind, dir: g.dir, retry: g.retry, retransmission: g.retransmission });
      if (kind === PacketKind.KeepAliveProbe) { if (g.dir === 0) c2s++; else s2c++; }
      t += g.len;
    }
    const closed = !d.udp && d.closed;
    return {
      proto: d.udp ? PROTO_UDP : PROTO_TCP, clientPort: 40000 + i, serverPort: d.serverPort,
      first: d.first, last: t + d.tail,
      end: closed ? FlowEnd.Fin : FlowEnd.Open,
      endState: d.udp ? FlowState.UdpReplied : closed ? FlowState.TimeWait : FlowState.Established,
      keepAlivesC2S: c2s, keepAlivesS2C: s2c, gaps,
    };
  });
}

/** Flows of up to `maxGaps` gaps drawn by `gap`; one in `udpOneIn` is UDP. */
export function flowArbitrary(gap: fc.Arbitrary<GapDraw>, maxGaps: number, udpOneIn: number): fc.Arbitrary<FlowDraw> {
  return fc.record({
    udp: fc.integer({ min: 1, max: udpOneIn }).map((x) => x === 1),
    first: fc.integer({ min: 0, max: 15000 }),
    serverPort: fc.constantFrom(443, 1521, 53),
    gaps: fc.array(gap, { maxLength: maxGaps }),
    tail: fc.integer({ min: 0, max: 50 }),
    closed: fc.boolean(),
  });
}
