import { describe, expect, it } from 'vitest';
import { inferKeepAlive, listKeepAliveProfiles, parseKeepAlive } from '../../src/model/keepalive.js';
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

describe('parseKeepAlive', () => {
  it.each([
    ['linux', 'linux', { idleSeconds: 7200, intervalSeconds: 75, count: 9 }],
    ['windows', 'windows', { idleSeconds: 7200, intervalSeconds: 1, count: 10 }],
    ['macos', 'macos', { idleSeconds: 7200, intervalSeconds: 75, count: 8 }],
    ['FreeBSD', 'macos', { idleSeconds: 7200, intervalSeconds: 75, count: 8 }],
    [' Linux ', 'linux', { idleSeconds: 7200, intervalSeconds: 75, count: 9 }],
    ['off', 'off', null],
    ['none', 'off', null],
    ['2h/75s/9', 'custom', { idleSeconds: 7200, intervalSeconds: 75, count: 9 }],
    ['7200/75/9', 'custom', { idleSeconds: 7200, intervalSeconds: 75, count: 9 }],
    ['10m/0:01:00/3', 'custom', { idleSeconds: 600, intervalSeconds: 60, count: 3 }],
    ['300/500ms/1', 'custom', { idleSeconds: 300, intervalSeconds: 0.5, count: 1 }],
  ])('%s', (text, profile, schedule) => {
    expect(parseKeepAlive(text)).toEqual({ profile, schedule });
  });

  it('returns copies of the profile schedules', () => {
    const a = parseKeepAlive('linux');
    a.schedule!.idleSeconds = 1;
    expect(parseKeepAlive('linux').schedule!.idleSeconds).toBe(7200);
  });

  it.each(['', 'solaris', '7200/75', '7200/75/9/1', '0/75/9', '7200/0/9', '7200/75/0', '7200/75/2.5', '7200/75/x', 'x/75/9', '-1/75/9'])(
    'rejects %j with CLI_INVALID_KEEPALIVE (usage)', (text) => {
      const err = errorOf(() => parseKeepAlive(text));
      expect(err.code).toBe('CLI_INVALID_KEEPALIVE');
      expect(err.kind).toBe('usage');
    });

  it('lists the four profiles with sources', () => {
    const list = listKeepAliveProfiles();
    expect(list.map((p) => p.name)).toEqual(['linux', 'windows', 'macos', 'off']);
    for (const p of list) expect(p.source.length).toBeGreaterThan(10);
  });
});

describe('inferKeepAlive', () => {
  it('medians of first-probe idles and retry spacings', () => {
    // first probes: 7200, 7201 -> median 7200.5; retries: 75, 75 -> 75
    expect(inferKeepAlive([7200, 75, 75, 7201], [false, true, true, false]))
      .toEqual({ idleSeconds: 7200.5, intervalSeconds: 75, probes: 4 });
  });

  it('ignores an outlier (a missed packet made one gap long) where a mean would not', () => {
    // first probes sorted: 7199, 7200, 7200, 7201, 14400 -> median 7200 (mean would be 8640)
    // retries sorted: 74, 75, 76 -> 75
    const idle = Float64Array.of(7200, 14400, 7199, 75, 7201, 74, 7200, 76);
    const retry = Uint8Array.of(0, 0, 0, 1, 0, 1, 0, 1);
    expect(inferKeepAlive(idle, retry)).toEqual({ idleSeconds: 7200, intervalSeconds: 75, probes: 8 });
  });

  it('interval is null without retries (every probe was answered)', () => {
    expect(inferKeepAlive([7200, 7200, 7202], [false, false, false])).toEqual({ idleSeconds: 7200, intervalSeconds: null, probes: 3 });
  });

  it('Windows-like 1 s retries', () => {
    // retries 1, 1, 1.002 -> median 1
    expect(inferKeepAlive([7200, 1, 1.002, 1], [false, true, true, true])).toEqual({ idleSeconds: 7200, intervalSeconds: 1, probes: 4 });
  });

  it('null when no first probe was seen; skips non-finite gaps', () => {
    expect(inferKeepAlive([75, 75], [true, true])).toBeNull();
    expect(inferKeepAlive([], [])).toBeNull();
    expect(inferKeepAlive([Number.NaN, 600, -1], [false, false, false])).toEqual({ idleSeconds: 600, intervalSeconds: null, probes: 1 });
  });

  it('throws on mismatched lengths (a programming error)', () => {
    expect(() => inferKeepAlive([1, 2], [false])).toThrow(RangeError);
  });
});
