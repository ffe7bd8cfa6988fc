import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergeFlowSets } from '../../src/flows/merge.js';
import type { FlowSet } from '../../src/flows/types.js';

interface PlainFlow {
  proto: number; client: string; server: string; cport: number; sport: number; firstUs: number; lastUs: number;
  start: number; end: number; endState: number; pC2S: number; pS2C: number; bC2S: number; bS2C: number;
  kaC2S: number; kaS2C: number; kaAcks: number; gaps: Array<[number, number, number]>;
}

/** Build a FlowSet from plain flows; addresses interned in order of first use (as the readers do). */
function makeSet(flows: PlainFlow[], gapFloorUs: number, extraAddresses: string[] = []): FlowSet {
  const addresses: string[] = [];
  const id = (a: string): number => {
    let i = addresses.indexOf(a);
    if (i < 0) { i = addresses.length; addresses.push(a); }
    return i;
  };
  for (const a of extraAddresses) id(a);
  const n = flows.length;
  const gapTotal = flows.reduce((s, f) => s + f.gaps.length, 0);
  const fs: FlowSet = {
    count: n, proto: new Uint8Array(n), clientAddr: new Uint32Array(n), serverAddr: new Uint32Array(n),
    clientPort: new Uint16Array(n), serverPort: new Uint16Array(n), firstUs: new Float64Array(n), lastUs: new Float64Array(n),
    start: new Uint8Array(n), end: new Uint8Array(n), endState: new Uint8Array(n), packetsC2S: new Float64Array(n),
    packetsS2C: new Float64Array(n), bytesC2S: new Float64Array(n), bytesS2C: new Float64Array(n),
    keepAlivesC2S: new Uint32Array(n), keepAlivesS2C: new Uint32Array(n), keepAliveAcks: new Uint32Array(n),
    gapOffset: new Uint32Array(n + 1), gapStartUs: new Float64Array(gapTotal), gapEndUs: new Float64Array(gapTotal),
    gapInfo: new Uint16Array(gapTotal), addresses, gapFloorUs,
    windowStartUs: Number.NaN, windowEndUs: Number.NaN,
  };
  let g = 0;
  flows.forEach((f, i) => {
    fs.proto[i] = f.proto; fs.clientAddr[i] = id(f.client); fs.serverAddr[i] = id(f.server);
    fs.clientPort[i] = f.cport; fs.serverPort[i] = f.sport; fs.firstUs[i] = f.firstUs; fs.lastUs[i] = f.lastUs;
    fs.start[i] = f.start; fs.end[i] = f.end; fs.endState[i] = f.endState;
    fs.packetsC2S[i] = f.pC2S; fs.packetsS2C[i] = f.pS2C; fs.bytesC2S[i] = f.bC2S; fs.bytesS2C[i] = f.bS2C;
    fs.keepAlivesC2S[i] = f.kaC2S; fs.keepAlivesS2C[i] = f.kaS2C; fs.keepAliveAcks[i] = f.kaAcks;
    fs.gapOffset[i] = g;
    for (const [s, e, info] of f.gaps) { fs.gapStartUs[g] = s; fs.gapEndUs[g] = e; fs.gapInfo[g] = info; g++; }
    if (!(f.firstUs >= fs.windowStartUs)) fs.windowStartUs = f.firstUs;
    if (!(f.lastUs <= fs.windowEndUs)) fs.windowEndUs = f.lastUs;
  });
  fs.gapOffset[n] = g;
  return fs;
}

/** Every flow of a set as plain values, addresses as text. */
function plain(fs: FlowSet): PlainFlow[] {
  const out: PlainFlow[] = [];
  for (let i = 0; i < fs.count; i++) {
    const gaps: Array<[number, number, number]> = [];
    for (let g = fs.gapOffset[i]; g < fs.gapOffset[i + 1]; g++) gaps.push([fs.gapStartUs[g], fs.gapEndUs[g], fs.gapInfo[g]]);
    out.push({
      proto: fs.proto[i], client: fs.addresses[fs.clientAddr[i]], server: fs.addresses[fs.serverAddr[i]], cport: fs.clientPort[i],
      sport: fs.serverPort[i], firstUs: fs.firstUs[i], lastUs: fs.lastUs[i], start: fs.start[i], end: fs.end[i], endState: fs.endState[i],
      pC2S: fs.packetsC2S[i], pS2C: fs.packetsS2C[i], bC2S: fs.bytesC2S[i], bS2C: fs.bytesS2C[i],
      kaC2S: fs.keepAlivesC2S[i], kaS2C: fs.keepAlivesS2C[i], kaAcks: fs.keepAliveAcks[i], gaps,
    });
  }
  return out;
}

const FLOOR = 1_000_000;
const address = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 6 })).map(([a, b]) => `192.0.${a}.${b}`),
  fc.integer({ min: 1, max: 6 }).map((x) => `2001:db8::${x}`),
);
const gap = fc.tuple(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: FLOOR, max: 1e10 }), fc.integer({ min: 0, max: 0x3ff }))
  .map(([s, len, info]): [number, number, number] => [1.7e15 + s, 1.7e15 + s + len, info]);
const flow: fc.Arbitrary<PlainFlow> = fc.record({
  proto: fc.constantFrom(1, 6, 17, 58), client: address, server: address,
  cport: fc.integer({ min: 0, max: 65535 }), sport: fc.integer({ min: 0, max: 65535 }),
  firstUs: fc.integer({ min: 0, max: 1e12 }).map((x) => 1.7e15 + x), lastUs: fc.integer({ min: 0, max: 1e12 }).map((x) => 1.7e15 + x),
  start: fc.integer({ min: 0, max: 2 }), end: fc.integer({ min: 0, max: 5 }), endState: fc.integer({ min: 0, max: 11 }),
  pC2S: fc.nat(1000), pS2C: fc.nat(1000), bC2S: fc.nat(1e6), bS2C: fc.nat(1e6),
  kaC2S: fc.nat(10), kaS2C: fc.nat(10), kaAcks: fc.nat(10), gaps: fc.array(gap, { maxLength: 3 }),
});
const flowSet = fc.tuple(fc.array(flow, { maxLength: 6 }), fc.array(address, { maxLength: 2 }))
  .map(([flows, extra]) => makeSet(flows, FLOOR, extra));

describe('mergeFlowSets', () => {
  it('is associative, column for column', () => {
    fc.assert(fc.property(flowSet, flowSet, flowSet, (a, b, c) => {
      expect(mergeFlowSets([mergeFlowSets([a, b]), c])).toEqual(mergeFlowSets([a, mergeFlowSets([b, c])]));
      expect(mergeFlowSets([a, b, c])).toEqual(mergeFlowSets([a, mergeFlowSets([b, c])]));
    }), { numRuns: 200 });
  });

  it('preserves every flow and every gap, in input order, and the window is the union', () => {
    fc.assert(fc.property(fc.array(flowSet, { maxLength: 4 }), (sets) => {
      const m = mergeFlowSets(sets);
      expect(plain(m)).toEqual(sets.flatMap(plain));
      expect(m.gapStartUs.length).toBe(sets.reduce((s, x) => s + x.gapStartUs.length, 0));
      expect(new Set(m.addresses).size).toBe(m.addresses.length);
      const starts = sets.map((s) => s.windowStartUs).filter((x) => x === x);
      const ends = sets.map((s) => s.windowEndUs).filter((x) => x === x);
      if (starts.length === 0) expect(m.windowStartUs).toBeNaN();
      else expect(m.windowStartUs).toBe(Math.min(...starts));
      if (ends.length === 0) expect(m.windowEndUs).toBeNaN();
      else expect(m.windowEndUs).toBe(Math.max(...ends));
      expect(m.gapOffset.length).toBe(m.count + 1);
    }), { numRuns: 200 });
  });

  it('re-interns addresses: one id per text across inputs', () => {
    const f = (client: string, server: string): PlainFlow => ({
      proto: 6, client, server, cport: 40000, sport: 1521, firstUs: 1, lastUs: 2, start: 0, end: 0, endState: 2,
      pC2S: 1, pS2C: 1, bC2S: 1, bS2C: 1, kaC2S: 0, kaS2C: 0, kaAcks: 0, gaps: [],
    });
    const a = makeSet([f('192.0.2.10', '198.51.100.24')], FLOOR);
    const b = makeSet([f('198.51.100.24', '192.0.2.11'), f('192.0.2.10', '198.51.100.24')], FLOOR);
    const m = mergeFlowSets([a, b]);
    expect(m.addresses).toEqual(['192.0.2.10', '198.51.100.24', '192.0.2.11']);
    expect([...m.clientAddr]).toEqual([0, 1, 0]);
    expect([...m.serverAddr]).toEqual([1, 2, 1]);
  });

  it('with different gap floors keeps the largest and drops shorter stored gaps', () => {
    const f = (gaps: Array<[number, number, number]>): PlainFlow => ({
      proto: 6, client: '192.0.2.10', server: '198.51.100.24', cport: 40000, sport: 1521, firstUs: 0, lastUs: 1e9, start: 0, end: 0,
      endState: 2, pC2S: 1, pS2C: 1, bC2S: 1, bS2C: 1, kaC2S: 0, kaS2C: 0, kaAcks: 0, gaps,
    });
    const fine = makeSet([f([[0, 2e6, 2], [1e7, 7e7, 2]])], 1e6);
    const coarse = makeSet([f([[0, 6e7, 2]])], 5e6);
    const m = mergeFlowSets([fine, coarse]);
    expect(m.gapFloorUs).toBe(5e6);
    expect([...m.gapOffset]).toEqual([0, 1, 2]);
    expect([...m.gapStartUs]).toEqual([1e7, 0]);
    expect([...m.gapEndUs]).toEqual([7e7, 6e7]);
  });

  it('of nothing is an empty set', () => {
    const m = mergeFlowSets([]);
    expect(m.count).toBe(0);
    expect([...m.gapOffset]).toEqual([0]);
    expect(m.windowStartUs).toBeNaN();
  });
});
