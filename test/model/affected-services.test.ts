/**
 * The affected services of a candidate (src/model/affected-services.ts, topAffected): the first
 * `limit` labels of the full order (most broken sessions, ties by label), whether they are picked
 * while walking (short lists) or sorted (long ones), with each one's commonest break kind and the
 * median of its idle times. Random tallies against a plain sort, and a hand-computed case.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AffectedTally, distinctAddresses, topAffected } from '../../src/model/affected-services.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { buildFlowSet, emptyDistribution } from '../helpers/flowset.js';

/** The reference: every label with sessions, sorted in full, the first `limit` taken. */
function byFullSort(tally: AffectedTally, labels: string[], limit: number): string[] {
  const ids: number[] = [];
  for (let id = 0; id < tally.used; id++) if (tally.sessions[id]! > 0) ids.push(id);
  ids.sort((x, y) => tally.sessions[y]! - tally.sessions[x]! || (labels[x]! < labels[y]! ? -1 : 1));
  return ids.slice(0, limit).map((id) => labels[id]!);
}

describe('topAffected', () => {
  it('takes the first labels of the full order, short lists and long ones (random tallies)', () => {
    const breakArb = fc.record({ id: fc.integer({ min: 0, max: 150 }), kind: fc.integer({ min: 0, max: 2 }), idle: fc.integer({ min: 1, max: 9000 }) });
    fc.assert(fc.property(fc.array(breakArb, { maxLength: 400, size: 'max' }), fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constant(10_000)), fc.boolean(), (breaks, limit, afterReset) => {
      // Labels whose order differs from their ids' (so a tie broken by id would show).
      const labels = Array.from({ length: 151 }, (_, id) => `tcp 10.0.${(id * 37) % 151}.1:* -> 192.0.2.1:1521`);
      const tally = new AffectedTally(4);
      if (afterReset) { tally.add(3, 0, 5); tally.add(140, 1, 7); tally.reset(); }
      for (const b of breaks) tally.add(b.id, b.kind, b.idle);
      expect(topAffected(tally, (id) => labels[id]!, limit).map((a) => a.label)).toEqual(byFullSort(tally, labels, limit));
    }), { numRuns: 500 });
  });

  it('counts, the commonest kind and the median idle time (hand-computed)', () => {
    const labels = ['tcp b', 'tcp a', 'tcp c'];
    const tally = new AffectedTally();
    // b: 2 sessions (data, data; idle 100, 300), a: 2 sessions (keep-alive, close; idle 50, 20), c: 1 (close; idle 9).
    tally.add(0, 1, 100); tally.add(1, 0, 50); tally.add(0, 1, 300); tally.add(2, 2, 9); tally.add(1, 2, 20);
    expect(topAffected(tally, (id) => labels[id]!, 2)).toEqual([
      { label: 'tcp a', sessions: 2, kind: 'keepAlive', idleSeconds: 20 }, // a tie at 2 sessions: 'tcp a' first; kinds tied: the first; median of 20, 50 is the lower
      { label: 'tcp b', sessions: 2, kind: 'data', idleSeconds: 100 },
    ]);
    expect(topAffected(tally, (id) => labels[id]!, 0)).toEqual([]);
  });

  it('the median idle time of a label is that of its first 64 breaks (hand-computed)', () => {
    const tally = new AffectedTally();
    // 64 breaks idle 1..64 (median of 64: the 32nd, 32), then 40 more idle 1000 that the sample leaves out.
    for (let k = 1; k <= 64; k++) { tally.add(0, 0, k); tally.add(1, 1, 500); }
    for (let k = 0; k < 40; k++) tally.add(0, 0, 1000);
    expect(topAffected(tally, (id) => ["tcp x", "tcp y"][id]!, 5)).toEqual([
      { label: 'tcp x', sessions: 104, kind: 'keepAlive', idleSeconds: 32 },
      { label: 'tcp y', sessions: 64, kind: 'data', idleSeconds: 500 },
    ]);
    expect(tally.idleSamples([1, 0]).map((a) => a.length)).toEqual([64, 64]);
    tally.reset();
    expect(tally.idleSamples([0, 1])).toEqual([[], []]);
  });

  it('labels by endpoints, their text made when read; two address ids of one text share one label (hand-computed)', () => {
    // Three open sessions to 192.0.2.9:1521, each idle 5000 s: a 300 s timeout breaks all three.
    const flow = (client: string) => ({ client, server: '192.0.2.9', serverPort: 1521, first: 0, last: 6000, gaps: [{ start: 500, end: 5500 }] });
    const opts = { platform: getPlatform('linux'), keepalive: 'off', keepaliveSource: 'flag' as const, protocol: 'tcp' as const };
    const fs = buildFlowSet([flow('10.0.0.1'), flow('10.0.0.2'), flow('10.0.0.1')], [0, 7000]);
    expect(distinctAddresses(fs.addresses)).toBe(true);
    const affected = (f: typeof fs) => makePlanner({ flows: f, distribution: emptyDistribution() }, opts).evaluate(300).affected.map((a) => [a.label, a.sessions]);
    expect(affected(fs)).toEqual([['tcp 10.0.0.1:* -> 192.0.2.9:1521', 2], ['tcp 10.0.0.2:* -> 192.0.2.9:1521', 1]]);
    // The second client's address id given the first one's text: one label, three sessions.
    const same = { ...fs, addresses: fs.addresses.map((a) => (a === '10.0.0.2' ? '10.0.0.1' : a)) };
    expect(distinctAddresses(same.addresses)).toBe(false);
    expect(affected(same)).toEqual([['tcp 10.0.0.1:* -> 192.0.2.9:1521', 3]]);
  });

  it('distinctAddresses: sorted or not', () => {
    expect(distinctAddresses([])).toBe(true);
    expect(distinctAddresses(['10.0.0.1', '10.0.0.2', '2001:db8::1'])).toBe(true);
    expect(distinctAddresses(['10.0.0.2', '10.0.0.1'])).toBe(true);
    expect(distinctAddresses(['10.0.0.2', '10.0.0.1', '10.0.0.2'])).toBe(false);
  });
});
