import { describe, expect, it } from 'vitest';
import { flowsFromRecords } from '../../src/flows/records.js';
import { groupByKey } from '../../src/flows/record-groups.js';
import {
  REC_CLOSED, REC_FIN_SRC, REC_OPENS, REC_RST, REC_UNIDIRECTIONAL, RecordTable, internAddress, type RecordInput,
} from '../../src/ingest/flowexport/records.js';
import { parseIPv4, parseIPv6 } from '../../src/util/ip-address.js';
import { AddressTable } from '../../src/ingest/addresses.js';
import { FlowEnd, FlowStart, PacketKind, gapDirection, gapKind, gapState } from '../../src/flows/types.js';
import { FlowState, PROTO_TCP, PROTO_UDP } from '../../src/util/protocols.js';

const S = 1e6; // microseconds per second
const T0 = 1_700_000_000 * S;

function table(records: RecordInput[]): RecordTable {
  const t = new RecordTable(4);
  for (const r of records) t.add(r);
  return t;
}

function tcp(src: string, sport: number, dst: string, dport: number, startS: number, endS: number, extra: Partial<RecordInput> = {}): RecordInput {
  return { startUs: T0 + startS * S, endUs: T0 + endS * S, proto: PROTO_TCP, src, sport, dst, dport, packetsFwd: 1, packetsBwd: 1, bytesFwd: 100, bytesBwd: 200, ...extra };
}

/** The stored gaps of flow f as [start s, end s] relative to T0. */
function gapsOf(fs: ReturnType<typeof flowsFromRecords>['flows'], f: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let g = fs.gapOffset[f]!; g < fs.gapOffset[f + 1]!; g++) out.push([(fs.gapStartUs[g]! - T0) / S, (fs.gapEndUs[g]! - T0) / S]);
  return out;
}

describe('address text', () => {
  it('parses IPv4 and rejects malformed quads', () => {
    expect(parseIPv4('192.0.2.10')).toBe(0xc000020a);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['192.0.2', '192.0.2.256', '1.2.3.4.5', '1..2.3', '', 'a.b.c.d', '1.2.3.4 ']) expect(parseIPv4(bad)).toBe(-1);
  });

  it('parses IPv6 forms (compressed, embedded IPv4, zone) to the same words', () => {
    const w = new Uint32Array(4);
    expect(parseIPv6('2001:db8::1', w)).toBe(true);
    expect([...w]).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseIPv6('2001:0db8:0000:0000:0000:0000:0000:0001', w)).toBe(true);
    expect([...w]).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseIPv6('::ffff:192.0.2.1', w)).toBe(true);
    expect([...w]).toEqual([0, 0, 0xffff, 0xc0000201]);
    expect(parseIPv6('fe80::1%eth0', w)).toBe(true);
    expect([...w]).toEqual([0xfe800000, 0, 0, 1]);
    expect(parseIPv6('::', w)).toBe(true);
    expect([...w]).toEqual([0, 0, 0, 0]);
    for (const bad of ['1::2::3', ':1:2', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7', '1:']) expect(parseIPv6(bad, w)).toBe(false);
  });

  it('interns the text forms of one address to one id, in RFC 5952 form', () => {
    const a = new AddressTable();
    const id = internAddress(a, '2001:0DB8:0:0::1');
    expect(internAddress(a, '2001:db8::1')).toBe(id);
    expect(a.text(id)).toBe('2001:db8::1');
    expect(internAddress(a, 'not-an-address')).toBe(-1);
  });
});

describe('groupByKey', () => {
  it('puts both directions of a 5-tuple in one group, sorted by start', () => {
    const t = table([
      tcp('192.0.2.1', 40000, '198.51.100.24', 1521, 50, 60),
      tcp('192.0.2.2', 40000, '198.51.100.24', 1521, 0, 1),
      tcp('198.51.100.24', 1521, '192.0.2.1', 40000, 10, 20),
      tcp('192.0.2.1', 40000, '198.51.100.24', 1521, 0, 5),
    ]);
    const g = groupByKey(t);
    expect(g.groups).toBe(2);
    expect([...g.order.slice(g.groupStart[0], g.groupStart[1])]).toEqual([3, 2, 0]);
    expect([...g.order.slice(g.groupStart[1], g.groupStart[2])]).toEqual([1]);
  });

  it('keeps records of different protocols apart', () => {
    const t = table([
      tcp('192.0.2.1', 53, '192.0.2.2', 53, 0, 1),
      { ...tcp('192.0.2.1', 53, '192.0.2.2', 53, 0, 1), proto: PROTO_UDP },
    ]);
    expect(groupByKey(t).groups).toBe(2);
  });
});

describe('flowsFromRecords: hand-computed gaps', () => {
  it('one TCP connection in three records: two idle gaps, both above the floor', () => {
    // Records [0,10] [70,80] [200,210] s: silences 10->70 (60 s) and 80->200 (120 s).
    const t = table([
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 10, { flags: REC_OPENS, packetsFwd: 5, packetsBwd: 4, bytesFwd: 500, bytesBwd: 400 }),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 70, 80, { packetsFwd: 2, packetsBwd: 0, bytesFwd: 120, bytesBwd: 0 }),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 200, 210, { flags: REC_CLOSED, packetsFwd: 3, packetsBwd: 3, bytesFwd: 180, bytesBwd: 180 }),
    ]);
    const r = flowsFromRecords(t, { gapFloorUs: 60 * S });
    const fs = r.flows;
    expect(fs.count).toBe(1);
    expect(gapsOf(fs, 0)).toEqual([[10, 70], [80, 200]]);
    expect(fs.addresses[fs.clientAddr[0]!]).toBe('192.0.2.10');
    expect(fs.addresses[fs.serverAddr[0]!]).toBe('198.51.100.24');
    expect([fs.clientPort[0], fs.serverPort[0]]).toEqual([40001, 1521]);
    expect(fs.start[0]).toBe(FlowStart.Syn);
    expect(fs.end[0]).toBe(FlowEnd.Fin);
    expect(fs.endState[0]).toBe(FlowState.TimeWait);
    expect([fs.packetsC2S[0], fs.packetsS2C[0], fs.bytesC2S[0], fs.bytesS2C[0]]).toEqual([10, 7, 800, 580]);
    expect([(fs.firstUs[0]! - T0) / S, (fs.lastUs[0]! - T0) / S]).toEqual([0, 210]);
    expect([(fs.windowStartUs - T0) / S, (fs.windowEndUs - T0) / S]).toEqual([0, 210]);
    for (let g = 0; g < 2; g++) {
      expect(gapState(fs.gapInfo[g]!)).toBe(FlowState.Established);
      expect(gapKind(fs.gapInfo[g]!)).toBe(PacketKind.Data);
      expect(gapDirection(fs.gapInfo[g]!)).toBe(0);
    }
    expect(r.distribution.count).toBe(2);
    expect([...r.distribution.exactSorted!]).toEqual([60, 120]);
    expect(r.distribution.censoredSeconds.length).toBe(0); // closed: nothing censored
  });

  it('gaps under the floor count in the distribution but are not stored', () => {
    const t = table([
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 10),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 12.5, 20),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 3620, 3630),
    ]);
    const r = flowsFromRecords(t, { gapFloorUs: 5 * S });
    expect(gapsOf(r.flows, 0)).toEqual([[20, 3620]]);
    expect([...r.distribution.exactSorted!]).toEqual([2.5, 3600]);
    // Open at the end of the window (3630): censored 0 s after its last packet.
    expect(r.flows.end[0]).toBe(FlowEnd.Open);
    expect(r.flows.start[0]).toBe(FlowStart.MidStream);
    expect([...r.distribution.censoredSeconds]).toEqual([0]);
  });

  it('unidirectional records: the two directions of one interval merge; the client is the higher port on a tie', () => {
    // NetFlow style: server->client exported first, same start. Interval 1: [0,5] and [1,6];
    // interval 2: [20,25] and [21,24]. Silence 6 -> 20.
    const uni = REC_UNIDIRECTIONAL;
    const t = table([
      tcp('198.51.100.24', 443, '192.0.2.7', 51000, 0, 6, { flags: uni, packetsFwd: 4, packetsBwd: Number.NaN, bytesFwd: 4000, bytesBwd: Number.NaN }),
      tcp('192.0.2.7', 51000, '198.51.100.24', 443, 0, 5, { flags: uni | REC_OPENS, packetsFwd: 3, packetsBwd: Number.NaN, bytesFwd: 300, bytesBwd: Number.NaN }),
      tcp('198.51.100.24', 443, '192.0.2.7', 51000, 21, 24, { flags: uni, packetsFwd: 1, packetsBwd: Number.NaN, bytesFwd: 60, bytesBwd: Number.NaN }),
      tcp('192.0.2.7', 51000, '198.51.100.24', 443, 20, 25, { flags: uni | REC_FIN_SRC, packetsFwd: 2, packetsBwd: Number.NaN, bytesFwd: 120, bytesBwd: Number.NaN }),
    ]);
    const r = flowsFromRecords(t, { gapFloorUs: 1 * S });
    const fs = r.flows;
    expect(fs.count).toBe(1);
    expect(fs.addresses[fs.clientAddr[0]!]).toBe('192.0.2.7');
    expect(fs.clientPort[0]).toBe(51000);
    expect(gapsOf(fs, 0)).toEqual([[6, 20]]);
    // The packet after the gap is the client's (its record starts at 20, the server's at 21).
    expect(gapDirection(fs.gapInfo[0]!)).toBe(0);
    expect([fs.packetsC2S[0], fs.packetsS2C[0], fs.bytesC2S[0], fs.bytesS2C[0]]).toEqual([5, 5, 420, 4060]);
    expect(fs.end[0]).toBe(FlowEnd.HalfClosed); // only the client's FIN
    expect(fs.endState[0]).toBe(FlowState.FinWait);
  });

  it('a direction of the gap-ending packet from the server side sets the direction bit', () => {
    const t = table([
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 10),
      tcp('198.51.100.24', 1521, '192.0.2.10', 40001, 100, 110, { flags: REC_UNIDIRECTIONAL }),
    ]);
    const fs = flowsFromRecords(t, { gapFloorUs: 1 * S }).flows;
    expect(gapsOf(fs, 0)).toEqual([[10, 100]]);
    expect(gapDirection(fs.gapInfo[0]!)).toBe(1);
  });

  it('a new SYN or a closed connection starts a new flow instead of a gap', () => {
    const t = table([
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 10, { flags: REC_OPENS | REC_CLOSED }),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 100, 110, { flags: REC_OPENS }),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 200, 210, { flags: REC_RST }),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 300, 310),
    ]);
    const r = flowsFromRecords(t, { gapFloorUs: 1 * S });
    const fs = r.flows;
    expect(fs.count).toBe(3);
    expect(gapsOf(fs, 0)).toEqual([]);
    expect(gapsOf(fs, 1)).toEqual([[110, 200]]); // the second connection idles, then is reset
    expect(gapsOf(fs, 2)).toEqual([]);
    expect([...fs.end]).toEqual([FlowEnd.Fin, FlowEnd.Rst, FlowEnd.Open]);
    expect([...fs.start]).toEqual([FlowStart.Syn, FlowStart.Syn, FlowStart.MidStream]);
    expect(r.distribution.count).toBe(1);
  });

  it('UDP: the state during a gap is unreplied until the other side has sent', () => {
    const udp = (startS: number, endS: number, fwd: number, bwd: number): RecordInput => ({
      startUs: T0 + startS * S, endUs: T0 + endS * S, proto: PROTO_UDP, src: '192.0.2.53', sport: 5353, dst: '198.51.100.53', dport: 53,
      packetsFwd: fwd, packetsBwd: bwd, bytesFwd: fwd * 80, bytesBwd: bwd * 120,
    });
    const t = table([udp(0, 1, 1, 0), udp(100, 101, 1, 1), udp(200, 200, 1, 0)]);
    const fs = flowsFromRecords(t, { gapFloorUs: 30 * S }).flows;
    expect(gapsOf(fs, 0)).toEqual([[1, 100], [101, 200]]);
    expect(gapState(fs.gapInfo[0]!)).toBe(FlowState.UdpUnreplied);
    expect(gapState(fs.gapInfo[1]!)).toBe(FlowState.UdpReplied);
    expect(fs.start[0]).toBe(FlowStart.Datagram);
    expect(fs.endState[0]).toBe(FlowState.UdpReplied);
  });

  it('grows its columns past the initial capacity and keeps every record', () => {
    const t = new RecordTable(16);
    for (let i = 0; i < 5000; i++) t.add(tcp(`10.0.${i >> 8}.${i & 255}`, 1024 + i, '198.51.100.24', 443, i, i + 1));
    const r = flowsFromRecords(t, { gapFloorUs: S });
    expect(r.flows.count).toBe(5000);
    expect(r.flows.addresses.length).toBe(5001);
    expect(r.distribution.count).toBe(0);
    expect((r.flows.windowEndUs - r.flows.windowStartUs) / S).toBe(5000);
  });
});

describe('the exporter inactive timeout', () => {
  const split = (): RecordTable => table([
    tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 10),
    tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 25, 30), // 15 s silence
    tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 70, 100), // 40 s silence; the longest record
  ]);

  it('is taken from the option when given', () => {
    const r = flowsFromRecords(split(), { gapFloorUs: S, exportInactiveTimeoutSeconds: 15 });
    expect(r.inactiveTimeoutSeconds).toBe(15);
    expect(r.inactiveTimeoutSource).toBe('option');
    expect(r.warnings[0]).toContain('15 s (given)');
    expect(r.warnings[0]).toContain('invisible');
  });

  it('is bounded by the smallest silence between records of one flow when nothing else is known', () => {
    const r = flowsFromRecords(split(), { gapFloorUs: S });
    expect(r.inactiveTimeoutSeconds).toBe(15);
    expect(r.inactiveTimeoutSource).toBe('data');
    expect(r.warnings[0]).toContain('at most that');
  });

  it('ignores silences after records cut by an active timeout (those as long as the longest record)', () => {
    // Record 1 lasts 300 s (the longest: an active-timeout split), then 0.5 s of silence;
    // record 2 lasts 20 s, then 61 s of silence.
    const t = table([
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 300),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 300.5, 320.5),
      tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 381.5, 390),
    ]);
    const r = flowsFromRecords(t, { gapFloorUs: S });
    expect(r.inactiveTimeoutSeconds).toBe(61);
  });

  it('uses exporter defaults, and says when the data shows a shorter setting', () => {
    const exporter = { name: 'Zeek', kind: 'inactive' as const, tcpSeconds: 300, udpSeconds: 60, otherSeconds: 60, source: 'docs' };
    const r = flowsFromRecords(split(), { gapFloorUs: S, exporter });
    expect(r.inactiveTimeoutSource).toBe('exporter default');
    expect(r.inactiveTimeoutSeconds).toBe(300);
    expect(r.warnings[0]).toContain('TCP 300 s');
    expect(r.warnings[0]).toContain('shorter setting');
    const quiet = flowsFromRecords(table([tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 10)]), { gapFloorUs: S, exporter });
    expect(quiet.warnings[0]).not.toContain('shorter setting');
  });

  it('is unknown when no flow has two records', () => {
    const r = flowsFromRecords(table([tcp('192.0.2.10', 40001, '198.51.100.24', 1521, 0, 10)]), { gapFloorUs: S });
    expect(r.inactiveTimeoutSeconds).toBe(null);
    expect(r.inactiveTimeoutSource).toBe('unknown');
  });
});

describe('idle periods summarised by the exporter (CICFlowMeter)', () => {
  it('estimates their number and spreads them evenly (hand-computed)', () => {
    // D = 20 s, Active Mean 2 s, Idle Mean 8 s, Min 6 s, Max 10 s: n = round((20 - 2) / (2 + 8)) = 2,
    // lengths 6 and 10, the three active stretches (20 - 16) / 3 = 4/3 s each.
    const t = table([tcp('192.0.2.10', 40001, '198.51.100.24', 80, 0, 20, { idle: { meanUs: 8 * S, minUs: 6 * S, maxUs: 10 * S, activeMeanUs: 2 * S } })]);
    const r = flowsFromRecords(t, { gapFloorUs: 7 * S });
    const a = 4 / 3;
    const g = gapsOf(r.flows, 0);
    expect(g.length).toBe(1); // the 6 s one is under the floor
    expect(g[0]![0]).toBeCloseTo(a + 6 + a, 5); // to the microsecond
    expect(g[0]![1] - g[0]![0]).toBe(10);
    expect([...r.distribution.exactSorted!]).toEqual([6, 10]);
    expect(r.warnings.some((w) => w.includes('2 idle periods'))).toBe(true);
  });
});
