import { describe, expect, it } from 'vitest';
import { fit, fitRight, meanText, shareText, sparkline, countText } from '../../src/tui/format.js';
import { keyHint } from '../../src/tui/keys.js';
import { layoutFor } from '../../src/tui/layout.js';

describe('cells', () => {
  it('pads and cuts to a width', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fitRight('7', 3)).toBe('  7');
    expect(fitRight('12345', 3)).toBe('12…');
  });

  it('formats counts, means and shares', () => {
    expect(countText(1234567)).toBe('1,234,567');
    expect(meanText(4.25)).toBe('4.3');
    expect(meanText(1234.5)).toBe('1,235');
    expect(shareText(null)).toBe('-');
    expect(shareText(0.0034)).toBe('0.34%');
    expect(shareText(0.5)).toBe('50.0%');
  });

  it('draws a sparkline of the largest sample per column, scaled to scaleMax', () => {
    // Level round(v / max x 7) of ▁▂▃▄▅▆▇█: 0 -> 0, 7 of 14 -> round(3.5) = 4, 14 -> 7.
    expect(sparkline([0, 7, 14], 3)).toBe('▁▅█');
    // 6 samples in 3 columns: the larger of each pair, 1, 7 and 14: levels round(0.5) = 1, 4, 7.
    expect(sparkline([0, 1, 7, 2, 14, 0], 3)).toBe('▂▅█');
    expect(sparkline([7, 7], 2, 14)).toBe('▅▅');
    expect(sparkline([0, 0], 2)).toBe('▁▁');
  });
});

describe('layout and hints', () => {
  it('keeps one row spare and gives the panes below the table at least 10 rows', () => {
    const small = layoutFor(80, 24, 13);
    expect(1 + small.tableHeight + small.bottomHeight + 1).toBe(23);
    expect(small.bottomHeight).toBe(10);
    expect(small.tableBody).toBe(7);
    const large = layoutFor(160, 48, 13);
    expect(1 + large.tableHeight + large.bottomHeight + 1).toBe(47);
    expect(large.tableBody).toBe(13);
    expect([large.chartWidth, large.detailWidth]).toEqual([80, 80]);
  });

  it('fits the key reminder to the width and always keeps help and quit', () => {
    expect(keyHint(40)).toBe('↑↓ select  ←→ move  ? help  q quit');
    expect(keyHint(10)).toBe('? help  q quit');
    expect(keyHint(200)).toBe('↑↓ select  ←→ move  a add  d del  p platform  k keep-alive  e export  s sort  tab pane  ? help  q quit');
  });
});
