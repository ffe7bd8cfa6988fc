import { describe, expect, it } from 'vitest';
import { MARKER_GLYPH, chartDomain, columnOf, renderEcdf } from '../../src/tui/chart.js';
import { ecdfAt } from '../../src/flows/distribution.js';

const ECDF = [{ seconds: 1, fraction: 0.5 }, { seconds: 100, fraction: 1 }];
const text = (lines: ReturnType<typeof renderEcdf>): string[] => lines.map((segs) => segs.map((s) => s.text).join(''));

describe('ecdfAt', () => {
  it('is the step function of the points', () => {
    expect(ecdfAt(ECDF, 0.5)).toBe(0);
    expect(ecdfAt(ECDF, 1)).toBe(0.5);
    expect(ecdfAt(ECDF, 99.9)).toBe(0.5);
    expect(ecdfAt(ECDF, 100)).toBe(1);
    expect(ecdfAt([], 5)).toBe(0);
  });
});

describe('renderEcdf', () => {
  it('fills exactly width x height, with the y labels and a time axis', () => {
    const lines = text(renderEcdf(ECDF, [], 30, 6));
    expect(lines).toHaveLength(6);
    for (const l of lines) expect([...l]).toHaveLength(30);
    expect(lines[0]!.startsWith('100%│')).toBe(true);
    expect(lines[4]!.startsWith('  0%│')).toBe(true);
    expect(lines[5]!.startsWith('    └')).toBe(true);
    expect(lines[5]).toContain('┬1s');
    expect(lines[5]).toContain('1m');
  });

  it('draws the curve: low on the left, at the top right of the last step', () => {
    // Domain 10^-0.06 .. 10^2.06 over 25 plot columns; the 50 % step at 1 s, 100 % at 100 s.
    const lines = text(renderEcdf(ECDF, [], 30, 6));
    const plot = lines.slice(0, 5).map((l) => [...l].slice(5));
    // Bottom row, left end: the first dot column (0.87 s) is below the first point: 0 %.
    expect(plot[4]![0]).not.toBe(' ');
    // Top row, right end: past 100 s everything is at 100 %.
    expect(plot[0]![24]).not.toBe(' ');
    // Nothing above 50 % between 1 s and 100 s: the top row is empty in the middle.
    expect(plot[0]![12]).toBe(' ');
    for (const row of plot) for (const ch of row) expect(ch === ' ' || (ch.codePointAt(0)! >= 0x2800 && ch.codePointAt(0)! <= 0x28ff)).toBe(true);
  });

  it('marks the selected timeout over the curve, the others only where the plot is empty', () => {
    const markers = [{ seconds: 10, kind: 'selected' as const }, { seconds: 3, kind: 'candidate' as const }, { seconds: 30, kind: 'keepalive' as const }];
    const domain = chartDomain(ECDF, markers);
    const lines = text(renderEcdf(ECDF, markers, 30, 6));
    const col = (s: number): number => 5 + columnOf(s, domain, 25);
    for (let r = 0; r < 5; r++) expect([...lines[r]!][col(10)]).toBe(MARKER_GLYPH.selected);
    expect([...lines[0]!][col(3)]).toBe(MARKER_GLYPH.candidate);
    expect([...lines[1]!][col(30)]).toBe(MARKER_GLYPH.keepalive);
  });

  it('still draws an empty distribution', () => {
    const lines = text(renderEcdf([], [{ seconds: 3600, kind: 'selected' }], 20, 4));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain(MARKER_GLYPH.selected);
  });
});
