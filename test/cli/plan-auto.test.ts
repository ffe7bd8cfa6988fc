/**
 * `fwtp plan --timeouts auto` on the story's sample: the candidates are the data's own steps,
 * each just above its step by the platform's timer margin, plus the current timeout. The value
 * just above the database's keep-alive idle is the one `fwtp recommend --current 3600` proposes
 * (7200.039978 s + 131.072 s Linux timer slack at HZ=250, whole seconds up: 7332 s).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../helpers/cli.js';

describe('fwtp plan --timeouts auto', () => {
  beforeAll(() => ensureBuilt());

  it('shows the threshold just above the keep-alive idle, the other steps and the current timeout', () => {
    const r = runCli(['plan', 'samples/oracle-pool.pcap', '--timeouts', 'auto', '--current', '3600', '--format', 'json', '--no-interactive']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const rec = JSON.parse(runCli(['recommend', 'samples/oracle-pool.pcap', '--current', '3600', '--format', 'json']).stdout);
    expect(rec.threshold.timeoutSeconds).toBe(7332);
    const ts: number[] = j.candidates.map((c: { timeoutSeconds: number }) => c.timeoutSeconds);
    expect(ts).toContain(7332);
    expect(ts).toContain(3600);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const ka = j.auto.steps.find((s: { timeoutSeconds: number }) => s.timeoutSeconds === 7332);
    expect(ka).toEqual({ timeoutSeconds: 7332, stepSeconds: 7200.039978, marginSeconds: 131.072, sessionsWithDrops: 0 });
    expect(j.candidates.find((c: { timeoutSeconds: number }) => c.timeoutSeconds === 7332).sessionsWithDrops).toBe(0);
    // Just below that step the keep-alive sessions break: the step is where the answer changes.
    const below = j.candidates.filter((c: { timeoutSeconds: number }) => c.timeoutSeconds < 7332);
    expect(below.every((c: { sessionsWithDrops: number }) => c.sessionsWithDrops >= 14)).toBe(true);
    // Every auto candidate is its step plus the margin, and none is at or below 5 min.
    for (const s of j.auto.steps) {
      expect(s.timeoutSeconds).toBe(Math.ceil(s.stepSeconds + s.marginSeconds));
      expect(s.stepSeconds).toBeGreaterThan(300);
    }
    expect(j.auto.currentSeconds).toBe(3600);
  });

  it('the table says where the candidates come from', () => {
    const r = runCli(['plan', 'samples/oracle-pool.pcap', '--timeouts', 'auto', '--current', '3600', '--no-interactive']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("candidates from the data's steps (--timeouts auto)");
    expect(r.stdout).toContain('7332 s: just above the step at 7200.039978 s (+131.072 s margin), 0 session(s) broken above it');
  });
});
