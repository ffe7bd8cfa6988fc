/**
 * Property: each tracked service's figures equal those of the model run on that service's flows
 * alone (flows/select.ts), on random flow sets of three services. Inside the window (keep-alive
 * idle + T shorter than the window, so no estimate beyond it) the replay of a flow does not depend
 * on the other flows, so the per-service replay tallies and the per-service sweep must give
 * exactly what a separate model gives: the oracle for the one-pass computation of service-figures.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowEnd, PacketKind } from '../../src/flows/types.js';
import { selectFlows } from '../../src/flows/select.js';
import { FlowState, PROTO_TCP, PROTO_UDP } from '../../src/util/protocols.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { buildFlowSet, emptyDistribution, type FlowSpec, type GapSpec } from '../helpers/flowset.js';

const WINDOW: [number, number] = [0, 20000];

const flowArb = fc.record({
  udp: fc.boolean(),
  first: fc.integer({ min: 0, max: 15000 }),
  serverPort: fc.constantFrom(443, 1521, 53),
  gaps: fc.array(fc.record({
    pause: fc.integer({ min: 0, max: 30 }),
    len: fc.integer({ min: 1, max: 6000 }),
    kind: fc.constantFrom(PacketKind.Data, PacketKind.KeepAliveProbe, PacketKind.KeepAliveAck),
    dir: fc.constantFrom<0 | 1>(0, 1),
  }), { maxLength: 3 }),
  tail: fc.integer({ min: 0, max: 50 }),
  closed: fc.boolean(),
});

function toSpecs(draws: Array<typeof flowArb extends fc.Arbitrary<infer T> ? T : never>): FlowSpec[] {
  return draws.map((d, i) => {
    let t = d.first;
    const gaps: GapSpec[] = [];
    for (const g of d.gaps) {
      t += g.pause;
      gaps.push({ start: t, end: t + g.len, state: d.udp ? FlowState.UdpReplied : FlowState.Established, kind: d.udp ? PacketKind.Data : g.kind, dir: g.dir });
      t += g.len;
    }
    const closed = !d.udp && d.closed;
    return {
      proto: d.udp ? PROTO_UDP : PROTO_TCP, clientPort: 40000 + i, serverPort: d.serverPort, first: d.first, last: t + d.tail,
      end: closed ? FlowEnd.Fin : FlowEnd.Open, endState: d.udp ? FlowState.UdpReplied : closed ? FlowState.TimeWait : FlowState.Established, gaps,
    };
  });
}

describe('per-service figures equal a model of the service alone (property)', () => {
  it('sessions, breaks, dropped keep-alives, mean and peak entries', () => {
    fc.assert(fc.property(
      fc.array(flowArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 30, max: 15000 }),
      fc.constantFrom('linux', 'cisco-asa'), fc.constantFrom<'strict' | 'loose'>('strict', 'loose'), fc.constantFrom('off', '300/30/5'),
      (draws, T, platformName, pickup, keepalive) => {
        const platform = { ...getPlatform(platformName), pickup };
        const fs = buildFlowSet(toSpecs(draws), WINDOW);
        const opts = { platform, keepalive, keepaliveSource: 'flag' as const, protocol: 'tcp' as const };
        const whole = makePlanner({ flows: fs, distribution: emptyDistribution() }, opts).evaluate(T);
        expect(whole.extrapolated).toBe(false);
        for (const s of whole.services!) {
          const ids: number[] = [];
          for (let i = 0; i < fs.count; i++) {
            if (fs.serverPort[i] === s.service.serverPort && (fs.proto[i] === PROTO_UDP ? 'udp' : 'tcp') === s.service.protocol) ids.push(i);
          }
          expect(s.sessions).toBe(ids.length);
          const alone = makePlanner({ flows: selectFlows(fs, ids), distribution: emptyDistribution() }, { ...opts, serviceLimit: 0 }).evaluate(T);
          expect(s.sessionsWithDrops).toBe(alone.sessionsWithDrops);
          expect(s.droppedKeepAlives).toBe(alone.droppedKeepAlives);
          expect(s.brokenByKind).toEqual(alone.brokenByKind);
          expect(s.tableEntries.peak).toBe(alone.tableEntries.peak);
          expect(s.tableEntries.mean).toBeCloseTo(alone.tableEntries.mean, 9);
        }
        const sumMean = whole.services!.reduce((a, s) => a + s.tableEntries.mean, 0);
        expect(sumMean).toBeCloseTo(whole.tableEntries.mean, 9);
        expect(whole.services!.reduce((a, s) => a + s.sessionsWithDrops, 0)).toBe(whole.sessionsWithDrops);
      }), { numRuns: 300 });
  });
});
