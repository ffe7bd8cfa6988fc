/**
 * groupFlows' gap quantiles come from a selection over each kept group's gaps (summary.ts): the
 * same values a full sort and quantileSorted give, for any gaps, in any order.
 */
import fc from 'fast-check';
import { quantileSorted } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { groupFlows } from '../../src/flows/summary.js';
import { buildFlowSet, type FlowSpec } from '../helpers/flowset.js';

describe('groupFlows quantiles', () => {
  it('p50, p90 and the longest gap of a group equal those of its sorted gaps', () => {
    // Flows to two services, each with up to 12 gaps of 1 s to 3 h (whole milliseconds, so ties occur).
    const gapsArb = fc.array(fc.integer({ min: 1000, max: 10_800_000 }), { minLength: 1, maxLength: 12 });
    const flowArb = fc.record({ port: fc.constantFrom(1521, 443), gapsMs: gapsArb });
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 40 }), (drawn) => {
      const specs: FlowSpec[] = drawn.map((d, i) => {
        let t = i;
        const gaps = d.gapsMs.map((ms) => { const g = { start: t, end: t + ms / 1000 }; t = g.end + 0.5; return g; });
        return { client: '192.0.2.1', clientPort: 40000 + i, server: '198.51.100.7', serverPort: d.port, first: i, last: t, gaps };
      });
      const fs = buildFlowSet(specs, [0, 1e6]);
      const rows = groupFlows(fs, 'service');
      for (const port of new Set(drawn.map((d) => d.port))) {
        const all: number[] = [];
        for (let i = 0; i < fs.count; i++) {
          if (fs.serverPort[i] !== port) continue;
          for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) all.push((fs.gapEndUs[k]! - fs.gapStartUs[k]!) / 1e6);
        }
        const sorted = Float64Array.from(all).sort() as unknown as number[];
        const row = rows.find((r) => r.key.endsWith(`:${port}`))!;
        expect([row.p50GapSeconds, row.p90GapSeconds, row.maxGapSeconds]).toEqual([quantileSorted(sorted, 0.5), quantileSorted(sorted, 0.9), sorted[sorted.length - 1]]);
      }
    }), { numRuns: 200 });
  });
});
