/**
 * Per-service figures (docs/MODEL.md, "Per service") on a hand-made flow set of two services, with
 * every value computed by hand, and their agreement with the whole table on the story's sample.
 */
import { describe, expect, it } from 'vitest';
import { FlowEnd } from '../../src/flows/types.js';
import { FlowState, PROTO_UDP } from '../../src/util/protocols.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { buildFlowSet, emptyDistribution, type FlowSpec } from '../helpers/flowset.js';

const DB = { server: '198.51.100.24', serverPort: 1521 };
const WEB = { server: '203.0.113.5', serverPort: 443 };
/**
 * Window 0..1000 s. The database: a pooled session idle 300 s (100 -> 400, data), open at the end,
 * and a short one [50, 60] closed (close state: 10 s). The web service: two short sessions [10, 20]
 * and [15, 25], closed (10 s each), and one UDP flow to another port that is a third service.
 */
const flows: FlowSpec[] = [
  { ...DB, first: 0, last: 500, gaps: [{ start: 100, end: 400 }] },
  { ...DB, first: 50, last: 60, end: FlowEnd.Rst, endState: FlowState.Close },
  { ...WEB, first: 10, last: 20, end: FlowEnd.Rst, endState: FlowState.Close },
  { ...WEB, first: 15, last: 25, end: FlowEnd.Rst, endState: FlowState.Close },
  { server: '192.0.2.53', serverPort: 53, proto: PROTO_UDP, first: 700, last: 701 },
];

function planner(serviceLimit?: number) {
  const fs = buildFlowSet(flows, [0, 1000]);
  return makePlanner({ flows: fs, distribution: emptyDistribution() }, {
    platform: getPlatform('linux'), keepalive: 'off', keepaliveSource: 'flag', protocol: 'tcp', currentSeconds: 600,
    ...(serviceLimit !== undefined ? { serviceLimit } : {}),
  });
}

describe('per-service figures (hand-computed)', () => {
  it('at 200 s the database session breaks; its entry ends at 100 + 200 s', () => {
    const c = planner().evaluate(200);
    expect(c.services!.map((s) => `${s.service.protocol} ${s.service.serverAddr}:${s.service.serverPort}`))
      .toEqual(['tcp 198.51.100.24:1521', 'tcp 203.0.113.5:443', 'udp 192.0.2.53:53']); // most sessions first, then address
    const [db, web, dns] = c.services!;
    expect(db).toEqual({
      service: { protocol: 'tcp', serverAddr: '198.51.100.24', serverPort: 1521 }, sessions: 2, sessionsWithDrops: 1, droppedKeepAlives: 0,
      brokenByKind: { keepAlive: 0, data: 1, close: 0 },
      // [0, 300] and [50, 70]: (300 + 20) / 1000 s; both at once from 50 to 70.
      tableEntries: { mean: 0.32, peak: 2 }, memoryBytes: { mean: 0.32 * 256, peak: 512 },
    });
    // [10, 30] and [15, 35]: 40 / 1000, both at once from 15 to 30.
    expect(web).toMatchObject({ sessions: 2, sessionsWithDrops: 0, tableEntries: { mean: 0.04, peak: 2 }, memoryBytes: { mean: 0.04 * 256, peak: 512 } });
    // UDP [700, 701] + udp_unreplied 30 s (one packet each way counts as replied: 120 s): see the whole-table check below.
    expect(dns!.sessions).toBe(1);
    expect(dns!.tableEntries.peak).toBe(1);
    const sumMean = c.services!.reduce((a, s) => a + s.tableEntries.mean, 0);
    expect(sumMean).toBeCloseTo(c.tableEntries.mean, 12);
    expect(c.sessionsWithDrops).toBe(1);
  });

  it('at 600 s nothing breaks; the open session holds its entry to the end of the window', () => {
    const [db, web] = planner().evaluate(600).services!;
    expect(db).toMatchObject({ sessionsWithDrops: 0, brokenByKind: { keepAlive: 0, data: 0, close: 0 }, tableEntries: { mean: 1.02, peak: 2 } });
    expect(web!.tableEntries).toEqual({ mean: 0.04, peak: 2 });
  });

  it('tracks only the services with the most sessions, none with serviceLimit 0', () => {
    expect(planner(1).evaluate(200).services!.map((s) => s.service.serverPort)).toEqual([1521]);
    expect(planner(0).evaluate(200).services).toEqual([]);
  });

  it('memory: entries apart from the fixed cost, and the change against the current timeout', () => {
    const p = planner();
    const at200 = p.evaluate(200);
    const at600 = p.evaluate(600);
    const fixed = getPlatform('linux').fixedBytes;
    expect(at200.memory).toEqual({
      bytesPerEntry: 256, entryBytesMean: at200.tableEntries.mean * 256, entryBytesPeak: at200.tableEntries.peak * 256, fixedBytes: fixed,
      totalBytesMean: at200.memoryBytes.mean, totalBytesPeak: at200.memoryBytes.peak, currentSeconds: 600,
      // The database session's entry lives 300 s instead of to the window's end (1000 s): 0.7 entries less on average.
      changeFromCurrentBytes: { mean: (at200.tableEntries.mean - at600.tableEntries.mean) * 256, peak: 0 },
    });
    expect(at200.memory!.changeFromCurrentBytes.mean).toBeCloseTo(-0.7 * 256, 9);
    expect(at600.memory!.changeFromCurrentBytes).toEqual({ mean: 0, peak: 0 });
  });
});
