// The canonical form of flows and gap distributions: a hand-made set sorted by hand, then
// properties (any order and any split give the same canonical set; merging canonical sets is
// associative and commutative), and the exact-list limit checked against GapCollector itself.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EXACT_GAPS_LIMIT, canonicalFlowSet, canonicalGapDistribution, isCanonicalFlowSet, mergeCanonicalFlowSets, mergeGapDistributions, mergeSortedF64,
} from '../../src/flows/canonical.js';
import { GapCollector } from '../../src/flows/distribution.js';
import type { FlowSet, GapDistribution } from '../../src/flows/types.js';

interface PlainFlow {
  proto: number; client: string; server: string; cport: number; sport: number; firstUs: number; lastUs: number;
  end: number; pC2S: number; gaps: Array<[number, number, number]>;
}

/** A FlowSet from plain flows, addresses interned in order of first use, plus `extra` unused ones. */
function makeSet(flows: PlainFlow[], opts: { gapFloorUs?: number; extra?: string[] } = {}): FlowSet {
  const addresses: string[] = [];
  const id = (a: string): number => {
    let i = addresses.indexOf(a);
    if (i < 0) { i = addresses.length; addresses.push(a); }
    return i;
  };
  for (const a of opts.extra ?? []) id(a);
  const n = flows.length;
  const g = flows.reduce((s, f) => s + f.gaps.length, 0);
  const fs: FlowSet = {
    count: n, proto: new Uint8Array(n), clientAddr: new Uint32Array(n), serverAddr: new Uint32Array(n),
    clientPort: new Uint16Array(n), serverPort: new Uint16Array(n), firstUs: new Float64Array(n), lastUs: new Float64Array(n),
    start: new Uint8Array(n), end: new Uint8Array(n), endState: new Uint8Array(n), packetsC2S: new Float64Array(n),
    packetsS2C: new Float64Array(n), bytesC2S: new Float64Array(n), bytesS2C: new Float64Array(n),
    keepAlivesC2S: new Uint32Array(n), keepAlivesS2C: new Uint32Array(n), keepAliveAcks: new Uint32Array(n),
    gapOffset: new Uint32Array(n + 1), gapStartUs: new Float64Array(g), gapEndUs: new Float64Array(g), gapInfo: new Uint16Array(g),
    addresses, gapFloorUs: opts.gapFloorUs ?? 1e6, windowStartUs: 0, windowEndUs: 1e12,
  };
  let k = 0;
  flows.forEach((f, i) => {
    fs.proto[i] = f.proto; fs.clientAddr[i] = id(f.client); fs.serverAddr[i] = id(f.server);
    fs.clientPort[i] = f.cport; fs.serverPort[i] = f.sport; fs.firstUs[i] = f.firstUs; fs.lastUs[i] = f.lastUs;
    fs.end[i] = f.end; fs.packetsC2S[i] = f.pC2S;
    fs.gapOffset[i] = k;
    for (const [s, e, info] of f.gaps) { fs.gapStartUs[k] = s; fs.gapEndUs[k] = e; fs.gapInfo[k] = info; k++; }
  });
  fs.gapOffset[n] = k;
  return fs;
}

/** Each flow as a line of text (addresses by text), in set order. */
function lines(fs: FlowSet): string[] {
  const out: string[] = [];
  for (let i = 0; i < fs.count; i++) {
    const gaps: string[] = [];
    for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) gaps.push(`${fs.gapStartUs[k]}-${fs.gapEndUs[k]}/${fs.gapInfo[k]}`);
    out.push(`${fs.firstUs[i]} ${fs.proto[i]} ${fs.addresses[fs.clientAddr[i]!]}:${fs.clientPort[i]} ${fs.addresses[fs.serverAddr[i]!]}:${fs.serverPort[i]} ` +
      `${fs.lastUs[i]} end=${fs.end[i]} p=${fs.packetsC2S[i]} [${gaps.join(' ')}]`);
  }
  return out;
}

/** Every column and scalar of a FlowSet as plain arrays, for toEqual. */
function columns(fs: FlowSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fs)) out[k] = ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v;
  return out;
}

const flow = (p: Partial<PlainFlow>): PlainFlow => ({
  proto: 6, client: '192.0.2.10', server: '198.51.100.24', cport: 40000, sport: 1521, firstUs: 0, lastUs: 0, end: 0, pC2S: 1, gaps: [], ...p,
});

describe('canonicalFlowSet', () => {
  it('sorts by first packet, protocol, client text, client port, server text, server port, last packet; re-interns addresses in text order', () => {
    const set = makeSet([
      flow({ firstUs: 5e6, lastUs: 9e6, gaps: [[5e6, 9e6, 0x12]] }), // A
      flow({ firstUs: 1e6, lastUs: 2e6, proto: 17, client: '10.0.0.9', server: '10.0.0.1', cport: 53, sport: 53 }), // B
      flow({ firstUs: 1e6, lastUs: 3e6, client: '2001:db8::1', cport: 1 }), // C
      flow({ firstUs: 1e6, lastUs: 3e6, client: '10.0.0.9', cport: 2 }), // D
      flow({ firstUs: 1e6, lastUs: 4e6, client: '10.0.0.9', cport: 1, gaps: [[1e6, 3e6, 0x22], [3e6, 4e6, 0x12]] }), // E
      flow({ firstUs: 1e6, lastUs: 2e6, client: '10.0.0.9', cport: 1 }), // F
    ], { extra: ['203.0.113.99'] });
    const c = canonicalFlowSet(set);
    // Text order: '10.0.0.1' < '10.0.0.9' < '192.0.2.10' < '198.51.100.24' < '2001:db8::1'; the unused 203.0.113.99 is gone.
    expect(c.addresses).toEqual(['10.0.0.1', '10.0.0.9', '192.0.2.10', '198.51.100.24', '2001:db8::1']);
    expect(lines(c)).toEqual([
      '1000000 6 10.0.0.9:1 198.51.100.24:1521 2000000 end=0 p=1 []', // F: tcp before udp, port 1, last 2 s
      '1000000 6 10.0.0.9:1 198.51.100.24:1521 4000000 end=0 p=1 [1000000-3000000/34 3000000-4000000/18]', // E
      '1000000 6 10.0.0.9:2 198.51.100.24:1521 3000000 end=0 p=1 []', // D
      '1000000 6 2001:db8::1:1 198.51.100.24:1521 3000000 end=0 p=1 []', // C
      '1000000 17 10.0.0.9:53 10.0.0.1:53 2000000 end=0 p=1 []', // B
      '5000000 6 192.0.2.10:40000 198.51.100.24:1521 9000000 end=0 p=1 [5000000-9000000/18]', // A
    ]);
    expect(Array.from(c.gapOffset)).toEqual([0, 0, 2, 2, 2, 2, 3]);
    expect(isCanonicalFlowSet(c)).toBe(true);
    expect(isCanonicalFlowSet(set)).toBe(false);
  });

  it('orders flows that agree on the key by their other columns, then their gaps', () => {
    const set = makeSet([
      flow({ firstUs: 1, lastUs: 9, end: 3 }),
      flow({ firstUs: 1, lastUs: 9, end: 1, pC2S: 4 }),
      flow({ firstUs: 1, lastUs: 9, end: 1, pC2S: 2, gaps: [[1, 9, 5]] }),
      flow({ firstUs: 1, lastUs: 9, end: 1, pC2S: 2, gaps: [[1, 9, 3]] }),
    ]);
    expect(lines(canonicalFlowSet(set)).map((l) => l.slice(l.indexOf('end=')))).toEqual([
      'end=1 p=2 [1-9/3]', 'end=1 p=2 [1-9/5]', 'end=1 p=4 []', 'end=3 p=1 []',
    ]);
  });
});

const ADDRS = ['10.0.0.1', '10.0.0.2', '192.0.2.10', '2001:db8::1', '2001:db8::a', '198.51.100.24'];
const plainFlow: fc.Arbitrary<PlainFlow> = fc.record({
  proto: fc.constantFrom(6, 17, 1),
  client: fc.constantFrom(...ADDRS),
  server: fc.constantFrom(...ADDRS),
  cport: fc.integer({ min: 0, max: 3 }),
  sport: fc.constantFrom(53, 1521),
  firstUs: fc.integer({ min: 0, max: 4 }).map((x) => x * 1e6),
  lastUs: fc.integer({ min: 4, max: 6 }).map((x) => x * 1e6),
  end: fc.integer({ min: 0, max: 2 }),
  pC2S: fc.integer({ min: 1, max: 3 }),
  gaps: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 0x3ff }))
    .map(([s, len, info]): [number, number, number] => [s * 1e6, (s + len) * 1e6, info]), { maxLength: 3 }),
});

/** Splits `flows` into `parts` groups by the given assignment. */
function split<T>(items: T[], assign: number[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((it, i) => out[assign[i]! % parts]!.push(it));
  return out;
}

describe('canonical form: properties', () => {
  it('does not depend on the order of the flows, and is idempotent', () => {
    fc.assert(fc.property(fc.array(plainFlow, { maxLength: 30 }).chain((flows) => fc.tuple(fc.constant(flows), fc.shuffledSubarray(flows, { minLength: flows.length, maxLength: flows.length }))),
      ([flows, shuffled]) => {
        const a = canonicalFlowSet(makeSet(flows));
        const b = canonicalFlowSet(makeSet(shuffled, { extra: ['203.0.113.1'] }));
        expect(columns(b)).toEqual(columns(a));
        expect(columns(canonicalFlowSet(a))).toEqual(columns(a));
        expect(isCanonicalFlowSet(a)).toBe(true);
      }), { numRuns: 200 });
  });

  it('merging the canonical parts of any split equals the canonical whole, in any order and grouping (associative, commutative)', () => {
    fc.assert(fc.property(
      fc.array(plainFlow, { maxLength: 30 }).chain((flows) => fc.tuple(
        fc.constant(flows),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { minLength: flows.length, maxLength: flows.length }),
        fc.nat(),
      )),
      ([flows, parts, assign, seed]) => {
        const whole = canonicalFlowSet(makeSet(flows));
        const pieces = split(flows, assign, parts).map((f) => canonicalFlowSet(makeSet(f)));
        expect(columns(mergeCanonicalFlowSets(pieces))).toEqual(columns(whole));
        // Another order, and a nested grouping: ((p_k, p_0), rest).
        const rotated = pieces.map((_, i) => pieces[(i + seed) % pieces.length]!).reverse();
        const nested = rotated.length > 2 ? [mergeCanonicalFlowSets(rotated.slice(0, 2)), ...rotated.slice(2)] : rotated;
        expect(columns(mergeCanonicalFlowSets(nested))).toEqual(columns(whole));
      }), { numRuns: 200 });
  });

  it('merges non-canonical inputs by canonicalising them first; the window is the union; the gap floor the largest', () => {
    const a = makeSet([flow({ firstUs: 2e6, lastUs: 9e6, gaps: [[2e6, 2.5e6, 1], [2.5e6, 9e6, 2]] })], { gapFloorUs: 0.1e6 });
    a.windowStartUs = 1e6; a.windowEndUs = 10e6;
    const b = makeSet([flow({ firstUs: 1e6, lastUs: 3e6, client: '10.0.0.1' })]);
    b.windowStartUs = 0.5e6; b.windowEndUs = 4e6;
    const m = mergeCanonicalFlowSets([a, b]);
    expect(m.windowStartUs).toBe(0.5e6);
    expect(m.windowEndUs).toBe(10e6);
    expect(m.gapFloorUs).toBe(1e6);
    // The 0.5 s gap of `a` is under the merged 1 s floor and is dropped.
    expect(lines(m)).toEqual([
      '1000000 6 10.0.0.1:40000 198.51.100.24:1521 3000000 end=0 p=1 []',
      '2000000 6 192.0.2.10:40000 198.51.100.24:1521 9000000 end=0 p=1 [2500000-9000000/2]',
    ]);
  });
});

function dist(values: number[], censored: number[] = []): GapDistribution {
  const c = new GapCollector();
  for (const v of values) c.add(v * 1e6);
  for (const s of censored) c.addCensored(s);
  return c.result();
}

describe('gap distributions', () => {
  it('merges counts, sketch bins, the sorted exact list and the sorted censored list', () => {
    const m = mergeGapDistributions([dist([3, 1], [50, 7]), dist([2, 0.5, 9], [20])]);
    expect(m.count).toBe(5);
    expect(Array.from(m.exactSorted!)).toEqual([0.5, 1, 2, 3, 9]);
    expect(Array.from(m.censoredSeconds)).toEqual([7, 20, 50]);
    expect(Array.from(m.sketch)).toEqual(Array.from(dist([3, 1, 2, 0.5, 9]).sketch));
  });

  it('keeps the exact list exactly when one GapCollector would: at most 2^20 gaps in total', () => {
    // The collector itself: 2^20 gaps exact, one more and the list is gone.
    const c = new GapCollector();
    for (let i = 0; i < EXACT_GAPS_LIMIT; i++) c.add(i);
    expect(c.result().exactSorted).not.toBeNull();
    c.add(1);
    expect(c.result().exactSorted).toBeNull();
    const half = (n: number): GapDistribution => {
      const h = new GapCollector();
      for (let i = 0; i < n; i++) h.add(i);
      return h.result();
    };
    const atLimit = mergeGapDistributions([half(EXACT_GAPS_LIMIT / 2), half(EXACT_GAPS_LIMIT / 2)]);
    expect(atLimit.count).toBe(EXACT_GAPS_LIMIT);
    expect(atLimit.exactSorted!.length).toBe(EXACT_GAPS_LIMIT);
    expect(mergeGapDistributions([half(EXACT_GAPS_LIMIT / 2), half(EXACT_GAPS_LIMIT / 2 + 1)]).exactSorted).toBeNull();
    // A part that had already dropped its list: the merge drops it too.
    expect(mergeGapDistributions([dist([1]), { ...dist([2]), exactSorted: null }]).exactSorted).toBeNull();
  });

  it('canonical form sorts the censored list and drops an exact list over the limit', () => {
    const d: GapDistribution = { ...dist([1, 2]), censoredSeconds: Float64Array.from([5, 1, 3]) };
    expect(Array.from(canonicalGapDistribution(d).censoredSeconds)).toEqual([1, 3, 5]);
    expect(canonicalGapDistribution({ ...d, count: EXACT_GAPS_LIMIT + 1 }).exactSorted).toBeNull();
  });

  it('refuses sketches of another resolution', () => {
    const d = dist([1]);
    expect(() => mergeGapDistributions([d, { ...d, sketchBase: 2 }])).toThrow(expect.objectContaining({ code: 'GAPS_INCOMPATIBLE' }));
  });

  it('mergeSortedF64 merges any number of parts, sorting unsorted ones', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { maxLength: 20 }), { maxLength: 6 }), (parts) => {
      const sortedParts = parts.map((p, i) => (i % 2 === 0 ? Float64Array.from(p).sort() : Float64Array.from(p)));
      // -0 and +0 are equal values whose order no numeric sort fixes: compare with -0 read as +0.
      const want = parts.flat().sort((a, b) => a - b).map((x) => x + 0);
      expect(Array.from(mergeSortedF64(sortedParts), (x) => x + 0)).toEqual(want);
    }));
  });
});
