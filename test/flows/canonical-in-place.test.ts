// canonicalizeInPlace against canonicalFlowSet: random sets (few addresses, ports and times, so
// ties on the first packet and on the whole 5-tuple are common) give the same columns.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalFlowSet } from '../../src/flows/canonical.js';
import { canonicalizeInPlace } from '../../src/flows/canonical-in-place.js';
import { allocateFlowSet } from '../../src/flows/allocate.js';
import type { FlowSet } from '../../src/flows/types.js';

const ADDRESSES = ['10.0.0.2', '10.0.0.1', '2001:db8::1', '192.0.2.10', '10.0.0.1'];

const row = fc.record({
  client: fc.integer({ min: 0, max: ADDRESSES.length - 1 }),
  server: fc.integer({ min: 0, max: ADDRESSES.length - 1 }),
  proto: fc.constantFrom(6, 17),
  cport: fc.integer({ min: 0, max: 2 }),
  firstUs: fc.constantFrom(0, 1e6, 2e6, Number.NaN, -1),
  lastUs: fc.constantFrom(2e6, 3e6),
  packets: fc.integer({ min: 1, max: 3 }),
  gaps: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })), { maxLength: 3 }),
});

function makeSet(rows: Array<typeof row extends fc.Arbitrary<infer R> ? R : never>): FlowSet {
  const g = rows.reduce((s, r) => s + r.gaps.length, 0);
  const fs = allocateFlowSet(rows.length, g, ADDRESSES.slice(), 1e6, 0, 1e7);
  let k = 0;
  rows.forEach((r, i) => {
    fs.proto[i] = r.proto; fs.clientAddr[i] = r.client; fs.serverAddr[i] = r.server;
    fs.clientPort[i] = r.cport; fs.serverPort[i] = 1521; fs.firstUs[i] = r.firstUs; fs.lastUs[i] = r.lastUs;
    fs.packetsC2S[i] = r.packets; fs.bytesS2C[i] = r.packets * 60; fs.keepAliveAcks[i] = r.packets - 1; fs.end[i] = r.gaps.length & 1;
    fs.gapOffset[i] = k;
    for (const [s, info] of r.gaps) { fs.gapStartUs[k] = s * 1e6; fs.gapEndUs[k] = s * 1e6 + 1e6; fs.gapInfo[k] = info; k++; }
  });
  fs.gapOffset[rows.length] = k;
  return fs;
}

const plain = (fs: FlowSet): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fs).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v]));

describe('canonicalizeInPlace', () => {
  it('gives the columns canonicalFlowSet gives, in the set\'s own arrays', () => {
    fc.assert(fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
      const expected = canonicalFlowSet(makeSet(rows));
      const own = makeSet(rows);
      const firstUs = own.firstUs;
      const got = canonicalizeInPlace(own);
      expect(plain(got)).toEqual(plain(expected));
      if (rows.length > 0) expect(got.firstUs).toBe(firstUs);
    }), { numRuns: 300 });
  });
});
