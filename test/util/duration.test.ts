import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, niceSeconds, parseDuration, parseTimeouts } from '../../src/util/duration.js';
import { FwtpError } from '../../src/util/errors.js';

function errorOf(fn: () => unknown): FwtpError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FwtpError);
    return err as FwtpError;
  }
  throw new Error('expected an FwtpError');
}

describe('parseDuration', () => {
  it.each([
    ['3600', 3600],
    ['3600s', 3600],
    ['90s', 90],
    ['60m', 3600],
    ['2h30m', 9000],
    ['1d', 86400],
    ['1h30m15s', 5415],
    ['1:00:00', 3600],
    ['0:10:00', 600],
    ['0:00:02', 2],
    ['1193:0:0', 4294800],
    ['2:30:00', 9000],
    ['2.5s', 2.5],
    ['500ms', 0.5],
    ['1m30s500ms', 90.5],
    ['5d', 432000],
    ['0', 0],
    ['0s', 0],
    [' 2H ', 7200],
    ['1.5h', 5400],
  ])('%s -> %s s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([
    '', '  ', '-5', '-1s', 'NaN', 'Infinity', 'abc', '1x', '1e3', '5 m', '30m2h', '1h1h', '1:60:00', '0:00:60',
    '1:2', '1:2:3:4', 'h', '2h30', 'ms',
  ])('rejects %j with CLI_INVALID_DURATION (usage)', (text) => {
    const err = errorOf(() => parseDuration(text));
    expect(err.code).toBe('CLI_INVALID_DURATION');
    expect(err.kind).toBe('usage');
    expect(err.message).toContain(`"${text}"`);
    expect(err.message).toContain('h:mm:ss');
  });
});

describe('niceSeconds (2 significant digits, whole seconds)', () => {
  it.each([
    [502.0, 500], [840.01, 840], [1405.61, 1400], [2352.05, 2400], [3935.74, 3900], [51633.62, 52000],
    [99.6, 100], [12.4, 12], [7.6, 8], [0.3, 1], [10, 10],
  ])('%s -> %s', (v, nice) => {
    expect(niceSeconds(v)).toBe(nice);
  });
});

describe('parseTimeouts', () => {
  it('reads a list in any duration forms, sorted and unique', () => {
    expect(parseTimeouts('9000,3600,7200')).toEqual([3600, 7200, 9000]);
    expect(parseTimeouts('2h30m, 1:00:00 ,3600s,2h')).toEqual([3600, 7200, 9000]);
    expect(parseTimeouts('350')).toEqual([350]);
  });

  it('spaces a range logarithmically and rounds the inner values', () => {
    // v_k = 300 * 288^(k/11): 300, 502.0, 840.0, 1405.6, 2352.1, 3935.7, 6585.8, 11020, 18440, 30857, 51634, 86400
    expect(parseTimeouts('300..86400')).toEqual([300, 500, 840, 1400, 2400, 3900, 6600, 11000, 18000, 31000, 52000, 86400]);
    expect(parseTimeouts('5m..1d')).toEqual(parseTimeouts('300..86400'));
    // 4 steps from 100 to 100000: ratio 10 each
    expect(parseTimeouts('100..100000', 4)).toEqual([100, 1000, 10000, 100000]);
    // 3 steps from 3600 to 9000: 3600 * 2.5^0.5 = 5692.1 -> 5700
    expect(parseTimeouts('1h..2h30m', 3)).toEqual([3600, 5700, 9000]);
    expect(parseTimeouts('600..600')).toEqual([600]);
  });

  it('keeps fractional ends exactly', () => {
    // 0.5 * 20^(1/2) = 2.236 -> 2
    expect(parseTimeouts('500ms..10s', 3)).toEqual([0.5, 2, 10]);
  });

  it('merges inner values that round onto each other in a narrow range', () => {
    // 100 * 1.1^(k/11): all inner values round to 100 or 110
    expect(parseTimeouts('100..110')).toEqual([100, 110]);
  });

  it.each([
    ['', 12], ['abc', 12], ['3600,,7200', 12], ['0', 12], ['0..100', 12], ['100..50', 12], ['1..2..3', 12],
    ['..100', 12], ['100..', 12], ['100..1000', 1], ['100..1000', 2.5], ['-5,10', 12],
  ])('rejects %j (steps %s) with CLI_INVALID_TIMEOUTS', (spec, steps) => {
    const err = errorOf(() => parseTimeouts(spec, steps));
    expect(err.code).toBe('CLI_INVALID_TIMEOUTS');
    expect(err.kind).toBe('usage');
  });

  it('property: a range is sorted, unique, within [lo, hi], has both ends, and has `steps` values when wide enough', () => {
    fc.assert(fc.property(
      fc.integer({ min: 10, max: 100000 }),
      fc.integer({ min: 2, max: 30 }),
      fc.double({ min: 1, max: 4, noNaN: true }),
      (lo, steps, extraLog) => {
        // wide enough: consecutive ratio >= 1.25, so 2-digit rounding (<= 5 % error) keeps them apart
        const ratio = 1.25 ** (steps - 1) * extraLog;
        const hi = Math.ceil(lo * ratio);
        const out = parseTimeouts(`${lo}..${hi}`, steps);
        expect(out.length).toBe(steps);
        expect(out[0]).toBe(lo);
        expect(out[out.length - 1]).toBe(hi);
        for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThan(out[i - 1]!);
      },
    ));
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 2, max: 40 }),
      (lo, span, steps) => {
        const hi = lo + span;
        const out = parseTimeouts(`${lo}..${hi}`, steps);
        expect(out[0]).toBe(lo);
        expect(out[out.length - 1]).toBe(hi);
        expect(out.length).toBeLessThanOrEqual(steps);
        for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThan(out[i - 1]!);
        for (const v of out) expect(v >= lo && v <= hi).toBe(true);
      },
    ));
  });
});

describe('formatDuration', () => {
  it.each([
    [3600, '1h'], [9000, '2h30m'], [90, '1m30s'], [0.5, '500ms'], [432000, '5d'], [7200, '2h'], [0, '0s'],
    [86401, '1d1s'], [90.25, '1m30s250ms'], [350, '5m50s'], [1, '1s'], [0.0005, '0.5ms'], [4294800, '49d17h'] /* 1193 h = 49 x 24 h + 17 h */,
  ])('%s -> %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('property: parseDuration(formatDuration(s)) === s for whole seconds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 * 365 * 86400 }), (s) => {
      expect(parseDuration(formatDuration(s))).toBe(s);
    }));
  });

  it('property: round-trips whole milliseconds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (ms) => {
      expect(parseDuration(formatDuration(ms / 1000))).toBeCloseTo(ms / 1000, 9);
    }));
  });
});
