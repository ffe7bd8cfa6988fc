/**
 * The compare view's detail pane for the selected candidate: entry memory apart from the table's
 * fixed cost with its change against the current timeout, and the per-service figures, on the
 * hand-made two-service flow set of test/model/services.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { FlowEnd } from '../../src/flows/types.js';
import { FlowState } from '../../src/util/protocols.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { detailLines } from '../../src/tui/DetailPane.js';
import { buildFlowSet, emptyDistribution, type FlowSpec } from '../helpers/flowset.js';

const flows: FlowSpec[] = [
  { server: '198.51.100.24', serverPort: 1521, first: 0, last: 500, gaps: [{ start: 100, end: 400 }] },
  { server: '198.51.100.24', serverPort: 1521, first: 50, last: 60, end: FlowEnd.Rst, endState: FlowState.Close },
  { server: '203.0.113.5', serverPort: 443, first: 10, last: 20, end: FlowEnd.Rst, endState: FlowState.Close },
];

describe('detail pane: memory and services', () => {
  const planner = makePlanner({ flows: buildFlowSet(flows, [0, 1000]), distribution: emptyDistribution() },
    { platform: getPlatform('linux'), keepalive: 'off', keepaliveSource: 'flag', protocol: 'tcp', currentSeconds: 600 });

  it('shows the selected candidate\'s services and its entry memory against the current timeout', () => {
    const c = planner.evaluate(200);
    const text = detailLines(200, c, 100, 1000, 2).map((l) => l.text);
    // 0.32 + 0.02 entries on average: 87 B; peak 2 entries: 512 B; against 600 s the database entry lives 700 s less.
    expect(text).toContain('entry memory peak 512 B, mean 87 B (+ fixed 2.00 MiB)');
    expect(text).toContain('vs current 10m: -179 B mean, 0 B peak');
    expect(text).toContain('per service (most sessions first):');
    expect(text).toContain('tcp 198.51.100.24:1521  1/2 broken, entries peak 2 mean 0.3, 512 B');
    expect(text).toContain('tcp 203.0.113.5:443  0/1 broken, entries peak 1 mean 0.0, 256 B');
    const db = detailLines(200, c, 100, 1000, 2).find((l) => l.text.startsWith('tcp 198.51.100.24:1521'));
    expect(db?.kind).toBe('bad');
  });

  it('wraps a service onto two lines in a narrow pane', () => {
    const text = detailLines(200, planner.evaluate(200), 30, 1000, 2).map((l) => l.text);
    const k = text.indexOf('tcp 198.51.100.24:1521');
    expect(k).toBeGreaterThan(0);
    expect(text[k + 1]!.startsWith('  1/2 broken')).toBe(true);
  });
});
