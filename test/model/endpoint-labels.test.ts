/**
 * Label ids by endpoints (src/model/endpoint-labels.ts): for random flows (few addresses, ports
 * and protocols, so that endpoints repeat), the id set for the first flow side with given
 * endpoints is the one every later side with the same endpoints gets, as a Map keyed by the
 * endpoints' text gives it; through the table's growth (thousands of keys from 2 or 1,024 slots).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndpointLabels } from '../../src/model/endpoint-labels.js';
import { buildFlowSet, type FlowSpec } from '../helpers/flowset.js';

describe('EndpointLabels', () => {
  it('gives every flow side the id of the first side with its endpoints (random flows, against a Map)', () => {
    const flowArb = fc.record({ c: fc.integer({ min: 0, max: 60 }), s: fc.integer({ min: 0, max: 3 }), port: fc.constantFrom(22, 443, 1521, 5432), udp: fc.boolean(), dir: fc.constantFrom<0 | 1>(0, 1) });
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 3000, size: 'max' }), fc.constantFrom(2, 1024), (draws, slots) => {
      const specs: FlowSpec[] = draws.map((d) => ({ proto: d.udp ? 17 : 6, client: `10.0.0.${d.c}`, server: `192.0.2.${d.s}`, serverPort: d.port, first: 0, last: 1 }));
      const fs = buildFlowSet(specs, [0, 10]);
      const table = new EndpointLabels(slots); // 2: grown from the smallest, keys collide all along
      const reference = new Map<string, number>();
      draws.forEach((d, i) => {
        const key = `${d.udp} ${d.c} ${d.dir} ${d.s} ${d.port}`;
        const want = reference.get(key) ?? -1;
        expect(table.get(fs, i, d.dir)).toBe(want);
        if (want < 0) { reference.set(key, reference.size); table.set(fs, i, d.dir, reference.size - 1); }
      });
    }), { numRuns: 100 });
  });
});
