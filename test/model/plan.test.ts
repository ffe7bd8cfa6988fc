import { describe, expect, it } from 'vitest';
import { FlowEnd, PacketKind } from '../../src/flows/types.js';
import { FlowState, PROTO_UDP } from '../../src/util/protocols.js';
import { makePlanner, plan } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { buildFlowSet, emptyDistribution, type FlowSpec } from '../helpers/flowset.js';

const WINDOW: [number, number] = [0, 18000]; // 5 hours

/** The story: a pooled session left idle; the database probes after 7200 s and the app answers. */
const leaked: FlowSpec = {
  first: 0, last: 14500.01, keepAlivesS2C: 2,
  gaps: [
    { start: 100, end: 7300, kind: PacketKind.KeepAliveProbe, dir: 1 },
    { start: 7300.01, end: 14500, kind: PacketKind.KeepAliveProbe, dir: 1 },
  ],
};
/** A short query session closed with FIN both ways: TIME_WAIT after its last packet. */
const closed: FlowSpec = { first: 1000, last: 1010, end: FlowEnd.Fin, endState: FlowState.TimeWait, clientPort: 41000 };

function planner(flows: FlowSpec[], keepalive = '7200/75/9', pickup: 'strict' | 'loose' = 'strict') {
  const platform = { ...getPlatform('linux'), pickup };
  return makePlanner({ flows: buildFlowSet(flows, WINDOW), distribution: emptyDistribution() },
    { platform, keepalive, keepaliveSource: 'flag', protocol: 'tcp' });
}

describe('the story (hand-computed)', () => {
  it('at 3600 s the first keep-alive finds no state: the session breaks and 9 probes are dropped', () => {
    const c = planner([leaked, closed]).evaluate(3600);
    expect(c.sessionsWithDrops).toBe(1);
    expect(c.brokenByKind).toEqual({ keepAlive: 1, data: 0, close: 0 });
    // Linux retries until tcp_keepalive_probes (9) went unanswered; the app sends none.
    expect(c.droppedKeepAlives).toBe(9);
    // leaked: entry [0, 100 + 3600); closed: [1000, 1010 + 120) (linux time_wait 120 s)
    expect(c.tableEntries.peak).toBe(2);
    expect(c.tableEntries.atEnd).toBe(0);
    expect(c.tableEntries.mean).toBeCloseTo((3700 + 130) / 18000, 9);
    expect(c.affected[0]).toMatchObject({ label: 'tcp 198.51.100.24:1521 -> 192.0.2.10:*', sessions: 1, kind: 'keepAlive', idleSeconds: 7200 });
    expect(c.growthPerHour).toBeNull();
    expect(c.extrapolated).toBe(false);
  });

  it('at 9000 s the keep-alives pass and keep the leaked entry for good', () => {
    const c = planner([leaked, closed]).evaluate(9000);
    expect(c.sessionsWithDrops).toBe(0);
    expect(c.droppedKeepAlives).toBe(0);
    expect(c.tableEntries.atEnd).toBe(1);
    expect(c.tableEntries.mean).toBeCloseTo((18000 + 130) / 18000, 9);
    // one session that never expires, over a 5-hour window
    expect(c.growthPerHour).toBeCloseTo(1 / 5, 12);
    // 9000 + 7200 <= 18000: the window shows a whole timeout after a keep-alive idle
    expect(c.extrapolated).toBe(false);
    expect(planner([leaked, closed]).evaluate(12000).extrapolated).toBe(true);
    const mem = getPlatform('linux');
    expect(c.memoryBytes.peak).toBe(2 * mem.bytesPerEntry + mem.fixedBytes);
  });

  it('a capture where the path already drops: unanswered probes, retries, reset', () => {
    // Seen from the database side behind a firewall that expires at 3600 s.
    const expiring: FlowSpec = {
      first: 0, last: 7300 + 9 * 75, end: FlowEnd.Rst, endState: FlowState.Close, keepAlivesS2C: 9,
      gaps: [
        { start: 100, end: 7300, kind: PacketKind.KeepAliveProbe, dir: 1 },
        ...Array.from({ length: 8 }, (_, j) => ({ start: 7300 + j * 75, end: 7300 + (j + 1) * 75, kind: PacketKind.KeepAliveProbe, dir: 1 as const, retry: true })),
        { start: 7300 + 8 * 75, end: 7300 + 9 * 75, kind: PacketKind.Rst, dir: 1 as const },
      ],
    };
    const p = planner([expiring], 'linux');
    const at3600 = p.evaluate(3600);
    expect(at3600.sessionsWithDrops).toBe(1);
    expect(at3600.droppedKeepAlives).toBe(9);
    expect(at3600.tableEntries.mean).toBeCloseTo(3700 / 18000, 9);
    // 9000 s would have kept the state: the probe is answered and the session lives on.
    const at9000 = p.evaluate(9000);
    expect(at9000.sessionsWithDrops).toBe(0);
    expect(at9000.tableEntries.atEnd).toBe(1);
    expect(at9000.growthPerHour).toBeCloseTo(1 / 5, 12);
  });
});

describe('pickup and datagrams', () => {
  const dataAfterIdle: FlowSpec = {
    first: 0, last: 5000, gaps: [{ start: 1000, end: 5000, kind: PacketKind.Data, dir: 0 }],
  };

  it('strict pickup: data after the entry expired is dropped; the entry is gone from expiry on', () => {
    const c = planner([dataAfterIdle], 'off').evaluate(3600);
    expect(c.sessionsWithDrops).toBe(1);
    expect(c.brokenByKind.data).toBe(1);
    expect(c.droppedKeepAlives).toBe(0);
    expect(c.tableEntries.mean).toBeCloseTo(4600 / 18000, 9);
  });

  it('loose pickup: the mid-stream packet creates a new entry; nothing is dropped', () => {
    const c = planner([dataAfterIdle], 'off', 'loose').evaluate(3600);
    expect(c.sessionsWithDrops).toBe(0);
    // [0, 4600) and [5000, 5000 + 3600)
    expect(c.tableEntries.mean).toBeCloseTo((4600 + 3600) / 18000, 9);
    expect(c.tableEntries.peak).toBe(1);
  });

  it('UDP keeps its own timeouts when the candidate replaces the TCP one', () => {
    const linux = getPlatform('linux');
    const udp: FlowSpec = { proto: PROTO_UDP, first: 10, last: 10, endState: FlowState.UdpReplied, serverPort: 53 };
    const c = planner([udp], 'off').evaluate(3600);
    expect(c.tableEntries.mean).toBeCloseTo(linux.stateTimeouts.udp_replied! / 18000, 9);
  });
});

describe('plan()', () => {
  it('returns one candidate per timeout with the settings in force and their sources', () => {
    const r = plan({ flows: buildFlowSet([leaked, closed], WINDOW), distribution: emptyDistribution() }, {
      platform: getPlatform('linux'), keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp',
      timeouts: [3600, 9000], inputs: [{ path: 'x.pcap', format: 'pcap' }],
    });
    expect(r.schemaVersion).toBe(1);
    expect(r.window.seconds).toBe(18000);
    expect(r.candidates.map((c) => c.timeoutSeconds)).toEqual([3600, 9000]);
    expect(r.keepalive.source).toBe('observed');
    // median of the two first-probe idles, 7200 and 7199.99
    expect(r.keepalive.observed).toEqual([{ sender: '198.51.100.24:1521', idleSeconds: 7199.995, intervalSeconds: null, probes: 2 }]);
    expect(r.platform.name).toBe('linux');
  });
});
