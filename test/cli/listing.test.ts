// A single conntrack listing as a user gives it to gaps and plan: a hand-made 5-entry listing with
// ages computed by hand, and the kernel 6.18 corpus listing read in place. Without the timeouts
// in force (a sysctl input or --current) both commands stop with exit 2 and say what is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT, runCli } from '../helpers/cli.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'conntrack', 'kernel-6.18');
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`corpus absent (${CORPUS}): the corpus listing cases are skipped`);

const pair = (sport: number, dport: number, server = '198.51.100.24'): string =>
  `src=192.0.2.10 dst=${server} sport=${sport} dport=${dport} src=${server} dst=192.0.2.10 sport=${dport} dport=${sport}`;
// Ages under established = 600 s and the kernel's defaults for the rest (time_wait 120, udp 30, udp stream 120):
//   600 - 596 = 4   600 - 420 = 180   TIME_WAIT 120 - 100 = 20   UDP unreplied 30 - 25 = 5   UDP assured 120 - 60 = 60
const LISTING = [
  `tcp      6 596 ESTABLISHED ${pair(40001, 1521)} [ASSURED] mark=0 use=1`,
  `tcp      6 420 ESTABLISHED ${pair(40002, 1521)} [ASSURED] mark=0 use=1`,
  `tcp      6 100 TIME_WAIT ${pair(40003, 1521)} [ASSURED] mark=0 use=1`,
  'udp      17 25 src=192.0.2.10 dst=198.51.100.53 sport=5353 dport=53 [UNREPLIED] src=198.51.100.53 dst=192.0.2.10 sport=53 dport=5353 mark=0 use=1',
  `udp      17 60 ${pair(5354, 53, '198.51.100.53')} [ASSURED] mark=0 use=1`,
  'conntrack v1.4.7 (conntrack-tools): 5 flow entries have been shown.',
].join('\n') + '\n';
const SYSCTL = [
  'net.netfilter.nf_conntrack_tcp_timeout_established = 600',
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait = 120',
  'net.netfilter.nf_conntrack_udp_timeout = 30',
  'net.netfilter.nf_conntrack_udp_timeout_stream = 120',
].join('\n') + '\n';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fwtp-listing-test-'));
  writeFileSync(join(dir, 'list.txt'), LISTING);
  writeFileSync(join(dir, 'sysctl.txt'), SYSCTL);
  writeFileSync(join(dir, 'sysctl-no-timeouts.txt'), 'net.netfilter.nf_conntrack_max = 262144\n');
}, 600_000);
afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

const EXPECTED_BY_STATE = [
  { state: 'tcp ESTABLISHED', entries: 2, aged: 2, minSeconds: 4, p50Seconds: 4, maxSeconds: 180 },
  { state: 'tcp TIME_WAIT', entries: 1, aged: 1, minSeconds: 20, p50Seconds: 20, maxSeconds: 20 },
  { state: 'udp', entries: 1, aged: 1, minSeconds: 60, p50Seconds: 60, maxSeconds: 60 },
  { state: 'udp unreplied', entries: 1, aged: 1, minSeconds: 5, p50Seconds: 5, maxSeconds: 5 },
];
const EXPECTED_AGES = {
  censored: true, count: 5, unknown: 0, p50Seconds: 20, p90Seconds: 180, maxSeconds: 180,
  histogram: [
    { loSeconds: 2, hiSeconds: 5, entries: 1 }, { loSeconds: 5, hiSeconds: 10, entries: 1 }, { loSeconds: 20, hiSeconds: 50, entries: 1 },
    { loSeconds: 50, hiSeconds: 100, entries: 1 }, { loSeconds: 100, hiSeconds: 200, entries: 1 },
  ],
};

describe('a hand-made 5-entry listing', () => {
  it('gaps without a sysctl input or --current: exit 2, naming the file and the missing input, nothing on stdout', () => {
    for (const cmd of [['gaps', 'list.txt'], ['plan', 'list.txt', '--no-interactive'], ['gaps', 'list.txt', 'sysctl-no-timeouts.txt']]) {
      const r = runCli(cmd, { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.errLines).toHaveLength(1);
      expect(r.errLines[0]).toMatch(/^fwtp: list\.txt: .*timeout in force is unknown.*sysctl net\.netfilter.*nf_conntrack_tcp_timeout_established.*--current SECONDS.*\[CONNTRACK_TIMEOUTS_UNKNOWN\]$/);
    }
    expect(runCli(['gaps', 'list.txt', 'sysctl-no-timeouts.txt'], { cwd: dir }).errLines[0]).toContain('the sysctl input has no net.netfilter.nf_conntrack_tcp_timeout_established');
  });

  it('recommend, report and compare stop as gaps and plan do: the timeouts in force first, then "no flows to plan from" (exit 2 both)', () => {
    for (const cmd of [['recommend', 'list.txt'], ['report', 'list.txt', '--proposed', '900'], ['compare', 'list.txt']]) {
      const unknown = runCli(cmd, { cwd: dir });
      expect(unknown.status).toBe(2);
      expect(unknown.stdout).toBe('');
      expect(unknown.errLines).toEqual([expect.stringMatching(/^fwtp: list\.txt: .*timeout in force is unknown.*\[CONNTRACK_TIMEOUTS_UNKNOWN\]$/)]);
      for (const known of [[...cmd, '--current', '600'], [...cmd, 'sysctl.txt']]) {
        const r = runCli(known, { cwd: dir });
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.errLines).toEqual([`fwtp: list.txt: a single conntrack listing holds entry ages, not idle gaps: ${cmd[0]} has no flows to plan from; ` +
          '`fwtp gaps` and `fwtp plan` show what it holds (entry ages and the sessions at risk per candidate), and a series of listings ' +
          '(timestamp lines between them) or an event stream (conntrack -E -o timestamp) gives flows [LISTING_ONLY]']);
      }
    }
  });

  it('recommend beside a capture: plans from the capture, and a warning says the listing was left out', () => {
    const capture = join(ROOT, 'samples', 'oracle-pool.pcap');
    const alone = runCli(['recommend', capture, '--current', '600', '--format', 'json']);
    const both = runCli(['recommend', capture, 'list.txt', '--current', '600', '--format', 'json'], { cwd: dir });
    expect(both.status).toBe(0);
    expect(both.errLines).toEqual(['fwtp: warning: list.txt: a single conntrack listing holds entry ages, not idle gaps: recommend plans from ' +
      "the other inputs' flows only; `fwtp gaps` and `fwtp plan` show what it holds (entry ages and the sessions at risk per candidate)"]);
    expect(JSON.parse(both.stdout).recommendedSeconds).toBe(JSON.parse(alone.stdout).recommendedSeconds);
  });

  it('gaps --format json: entries by state and the ages as a censored distribution, the same from the sysctl or --current', () => {
    const fromSysctl = runCli(['gaps', 'list.txt', 'sysctl.txt', '--format', 'json'], { cwd: dir });
    const fromCurrent = runCli(['gaps', 'list.txt', '--current', '10m', '--format', 'json'], { cwd: dir });
    expect(fromSysctl.status).toBe(0);
    expect(fromCurrent.status).toBe(0);
    for (const [r, from, other] of [[fromSysctl, 'sysctl', 'sysctl'], [fromCurrent, 'current', 'kernel defaults']] as const) {
      const listings = JSON.parse(r.stdout).listings;
      expect(listings).toHaveLength(1);
      expect(listings[0]).toMatchObject({ path: 'list.txt', format: 'conntrack-list', takenAt: null, snapshots: 1, entries: 5 });
      expect(listings[0].timeoutsInForce).toEqual({ establishedSeconds: 600, establishedFrom: from, otherStatesFrom: other });
      expect(listings[0].byState).toEqual(EXPECTED_BY_STATE);
      expect(listings[0].ages).toEqual(EXPECTED_AGES);
    }
  });

  it('gaps as a table: the listing, not "flows: 0", its ages labelled as censored gaps', () => {
    const r = runCli(['gaps', 'list.txt', '--current', '600'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/flows: 0/);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('conntrack listing list.txt (conntrack-list), taken at an unknown time: 5 entries');
    expect(lines[1]).toBe("idle ages against the timeouts in force: established 600 s from --current, the other states from the kernel's defaults (no sysctl input)");
    expect(lines[2]).toBe('idle ages: 5 (p50 20 s, p90 180 s, max 180 s)');
    expect(lines[3]).toMatch(/censored gaps: each age is how long the entry has been idle so far, a lower bound of a gap still running/);
    expect(r.stdout).toMatch(/tcp ESTABLISHED +2 +2 +4 +4 +180/);
    expect(r.stdout).toMatch(/idle-age histogram \(seconds; censored: lower bounds of gaps still running\):/);
  });

  it('plan: the listing\'s analysis is the result (entries gone, sessions at risk per candidate), not warnings', () => {
    const json = runCli(['plan', 'list.txt', 'sysctl.txt', '-t', '30,120,600', '--format', 'json'], { cwd: dir });
    expect(json.status).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.warnings).toEqual([]);
    expect(r.candidates.map((c: { warnings: string[] }) => c.warnings)).toEqual([[], [], []]);
    const l = r.listings[0];
    expect(l.byState).toEqual(EXPECTED_BY_STATE);
    // Only the ESTABLISHED entry idle 180 s outlives a 30 s or 120 s candidate; nothing else passes its own timeout.
    expect(l.candidates.map((c: Record<string, unknown>) => [c.timeoutSeconds, c.entriesGone, c.entriesRemaining, c.sessionsAtRisk])).toEqual([
      [30, 1, 4, 1], [120, 1, 4, 1], [600, 0, 5, 0],
    ]);
    expect(l.candidates[0].affected).toEqual([{ label: 'tcp 192.0.2.10:* -> 198.51.100.24:1521', sessions: 1, kind: 'data', idleSeconds: 180 }]);
    expect(r.candidates.map((c: { sessionsWithDrops: number }) => c.sessionsWithDrops)).toEqual([1, 1, 0]);
    const table = runCli(['plan', 'list.txt', 'sysctl.txt', '-t', '30,120,600', '--format', 'table'], { cwd: dir });
    expect(table.status).toBe(0);
    expect(table.stdout).not.toMatch(/^warning:/m);
    expect(table.stdout).toMatch(/^ *30s +30 +1 +4 +1 +1\/0 /m);
    expect(table.stdout).toMatch(/^at 30s: sessions at risk\n {2}tcp 192\.0\.2\.10:\* -> 198\.51\.100\.24:1521 {2}1 session\(s\), idle 3m \(median\), next packet: data$/m);
    expect(table.stdout).toMatch(/^what a single listing cannot show:$/m);
  });
});

(haveCorpus ? describe : describe.skip)('the kernel 6.18 corpus listing, read in place', () => {
  it('without its sysctl: exit 2, and the listing\'s own delta-times say which timeout fits', () => {
    const r = runCli(['gaps', join(CORPUS, 'list-plain.txt')]);
    expect(r.status).toBe(2);
    expect(r.errLines[0]).toMatch(/list-plain\.txt: .*between 599 and 600 s \[CONNTRACK_TIMEOUTS_UNKNOWN\]$/);
  });

  it('with its sysctl: ages of seconds, not of days (38 entries; established idle 1..6 s under 600 s)', () => {
    const r = runCli(['gaps', join(CORPUS, 'list-plain.txt'), join(CORPUS, 'sysctl-netfilter.txt'), '--format', 'json']);
    expect(r.status).toBe(0);
    const l = JSON.parse(r.stdout).listings[0];
    expect(l.entries).toBe(38);
    expect(l.timeoutsInForce.establishedSeconds).toBe(600);
    expect(l.byState[0]).toEqual({ state: 'tcp ESTABLISHED', entries: 12, aged: 12, minSeconds: 1, p50Seconds: 4, maxSeconds: 6 });
    expect(l.byState.map((s: { state: string; entries: number }) => `${s.state} ${s.entries}`))
      .toEqual(['tcp ESTABLISHED 12', 'udp 9', 'tcp TIME_WAIT 7', 'tcp CLOSE 5', 'udp unreplied 3', 'icmp 1', 'icmpv6 1']);
    expect(l.ages.maxSeconds).toBe(9);
    const plan = runCli(['plan', join(CORPUS, 'list-plain.txt'), join(CORPUS, 'sysctl-netfilter.txt'), '-t', '60', '--format', 'json']);
    expect(JSON.parse(plan.stdout).listings[0].candidates[0]).toMatchObject({ entriesGone: 0, sessionsAtRisk: 0, entriesRemaining: 38 });
  });
});
