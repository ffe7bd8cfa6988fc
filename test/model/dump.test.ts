/**
 * What one conntrack dump says per candidate: hand-computed figures for a small synthetic dump,
 * and the kernel 6.18 corpus dump with its sysctl (ages checked with awk).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readConntrack, type ConntrackInput } from '../../src/ingest/conntrack.js';
import { dumpTimeouts, entryAges, planDump } from '../../src/model/dump.js';
import { applyOverrides } from '../../src/model/platform-overrides.js';
import { getPlatform } from '../../src/model/platforms.js';
import { FwtpError } from '../../src/util/errors.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/conntrack/kernel-6.18/', import.meta.url));
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`corpus absent (${CORPUS}): conntrack dump corpus tests skipped`);
const describeCorpus = haveCorpus ? describe : describe.skip;

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}
const read = (name: string, text: string | Buffer): Promise<ConntrackInput> =>
  readConntrack(name, once(typeof text === 'string' ? Buffer.from(text) : text), { strict: true });

const tuple = (client: string, sport: number, dport: number): string =>
  `src=${client} dst=198.51.100.24 sport=${sport} dport=${dport} src=198.51.100.24 dst=${client} sport=${dport} dport=${sport}`;

// Ages under established = 3600 (sysctl below) and the kernel's other defaults, by hand:
//   A ESTABLISHED 3000 left -> 600       B ESTABLISHED 100 left -> 3500 (100 <= 300: maybe unacknowledged)
//   C ESTABLISHED 1800 left -> 1800      D TIME_WAIT 60 left (120) -> 60
//   E UDP unreplied 10 left (30) -> 20   F CLOSE_WAIT 30 left (60) -> 30
//   G offloaded, no timeout -> unknown   H CLOSE_WAIT 10 left (60) -> 50
const DUMP = [
  `tcp      6 3000 ESTABLISHED ${tuple('192.0.2.10', 40001, 1521)} [ASSURED] mark=0 use=1`,
  `tcp      6 100 ESTABLISHED ${tuple('192.0.2.10', 40002, 1521)} [ASSURED] mark=0 use=1`,
  `tcp      6 1800 ESTABLISHED ${tuple('192.0.2.11', 40003, 5432)} [ASSURED] mark=0 use=1`,
  `tcp      6 60 TIME_WAIT ${tuple('192.0.2.10', 40004, 1521)} [ASSURED] mark=0 use=1`,
  `udp      17 10 src=192.0.2.10 dst=198.51.100.24 sport=5353 dport=53 [UNREPLIED] src=198.51.100.24 dst=192.0.2.10 sport=53 dport=5353 mark=0 use=1`,
  `tcp      6 30 CLOSE_WAIT ${tuple('192.0.2.10', 40005, 1521)} [ASSURED] mark=0 use=1`,
  `tcp      6 ESTABLISHED ${tuple('192.0.2.12', 40006, 443)} [OFFLOAD] mark=0 use=2`,
  `tcp      6 10 CLOSE_WAIT ${tuple('192.0.2.13', 40007, 8080)} [ASSURED] mark=0 use=1`,
].join('\n');
const SYSCTL = [
  'net.netfilter.nf_conntrack_tcp_timeout_established = 3600',
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait = 120',
  'net.netfilter.nf_conntrack_buckets = 1024',
  'net.netfilter.nf_conntrack_max = 10',
  'net.netfilter.nf_log.0 = NONE',
].join('\n');

describe('entryAges', () => {
  it('timeout of the state minus the seconds left; unknown for offloaded entries', async () => {
    const dump = await read('dump.txt', DUMP);
    const sysctl = await read('sysctl.txt', SYSCTL);
    const ages = entryAges(dump.snapshots[0]!, dumpTimeouts(getPlatform('linux'), sysctl.sysctlRaw));
    expect([...ages]).toEqual([600, 3500, 1800, 60, 20, 30, NaN, 50]);
    // Without the sysctl: the profile's 432000 s established.
    const profileAges = entryAges(dump.snapshots[0]!, dumpTimeouts(getPlatform('linux')));
    expect(profileAges[0]).toBe(429000);
  });
});

describe('planDump: a small dump by hand', () => {
  it('per candidate: entries that remain, memory, sessions at risk', async () => {
    const dump = await read('dump.txt', DUMP);
    const sysctl = await read('sysctl.txt', SYSCTL);
    const { candidates, listing } = planDump(dump, getPlatform('linux'), [20, 1000, 2000, 4000], { sysctl: sysctl.sysctlRaw });
    // Gone: age above its timeout; established takes the candidate, the rest keep the kernel's values.
    //   20: A B C gone   1000: B C   2000: B   4000: none
    expect(candidates.map((c) => c.tableEntries)).toEqual([
      { mean: 5, peak: 5, p99: 5, atEnd: 5 }, { mean: 6, peak: 6, p99: 6, atEnd: 6 },
      { mean: 7, peak: 7, p99: 7, atEnd: 7 }, { mean: 8, peak: 8, p99: 8, atEnd: 8 },
    ]);
    expect(candidates.map((c) => c.sessionsWithDrops)).toEqual([3, 2, 1, 0]);
    expect(candidates.map((c) => c.droppedPackets)).toEqual([3, 2, 1, 0]);
    expect(candidates.map((c) => c.brokenByKind)).toEqual([
      { keepAlive: 0, data: 3, close: 0 }, { keepAlive: 0, data: 2, close: 0 }, { keepAlive: 0, data: 1, close: 0 }, { keepAlive: 0, data: 0, close: 0 },
    ]);
    // 256 bytes per entry (linux profile) + buckets 1024 x 8 from the sysctl; maximum 10 from the sysctl.
    expect(candidates.map((c) => c.memoryBytes.peak)).toEqual([5 * 256 + 8192, 6 * 256 + 8192, 7 * 256 + 8192, 8 * 256 + 8192]);
    expect(candidates.map((c) => c.memoryBytes.mean)).toEqual(candidates.map((c) => c.memoryBytes.peak));
    expect(candidates.map((c) => c.headroom)).toEqual([0.5, 0.6, 0.7, 0.8]);
    expect(candidates.map((c) => c.extrapolated)).toEqual([false, false, false, true]);
    expect(candidates[3]!.extrapolatedReason).toMatch(/established timeout of 3600 s/);
    expect(candidates.map((c) => c.series)).toEqual([[5], [6], [7], [8]]);
    expect(candidates.every((c) => c.growthPerHour === null && c.droppedKeepAlives === 0)).toBe(true);
    expect(candidates[1]!.affected).toEqual([
      { label: 'tcp 192.0.2.10:* -> 198.51.100.24:1521', sessions: 1, kind: 'data', idleSeconds: 3500 },
      { label: 'tcp 192.0.2.11:* -> 198.51.100.24:5432', sessions: 1, kind: 'data', idleSeconds: 1800 },
    ]);
    expect(candidates[0]!.affected[0]).toEqual({ label: 'tcp 192.0.2.10:* -> 198.51.100.24:1521', sessions: 2, kind: 'data', idleSeconds: 600 });
    // The analysis is the listing's result, not warnings.
    expect(candidates[1]!.warnings).toEqual([]);
    expect(listing.candidates.map((c) => [c.entriesGone, c.entriesRemaining, c.sessionsAtRisk])).toEqual([[3, 5, 3], [2, 6, 2], [1, 7, 1], [0, 8, 0]]);
    expect(listing.candidates[3]!.extrapolated).toBe(true);
    expect(listing.timeoutsInForce).toEqual({ establishedSeconds: 3600, establishedFrom: 'sysctl', otherStatesFrom: 'sysctl' });
    expect(listing.byState.map((r) => [r.state, r.entries, r.aged])).toEqual([
      ['tcp ESTABLISHED', 4, 3], ['tcp CLOSE_WAIT', 2, 2], ['tcp TIME_WAIT', 1, 1], ['udp unreplied', 1, 1],
    ]);
    expect(listing.byState[0]).toMatchObject({ minSeconds: 600, p50Seconds: 1800, maxSeconds: 3500 });
    expect(listing.memoryBytesNow).toBe(8 * 256 + 8192);
    expect(listing.limits[0]).toMatch(/^a single listing shows ages, not how sessions resume/);
    expect(listing.warnings.some((n) => n.startsWith('1 established entries have 300 s or less left'))).toBe(true);
    expect(listing.warnings.some((n) => n.startsWith('1 offloaded entries'))).toBe(true);
  });

  it('another platform: its own timeouts for the other states, its own memory figures', async () => {
    const dump = await read('dump.txt', DUMP);
    const sysctl = await read('sysctl.txt', SYSCTL);
    const opts = { sysctl: sysctl.sysctlRaw }; // the Linux firewall the dump came from
    // PAN-OS: time_wait 15 (D, 60 s idle, is gone but closed: no session at risk); close_wait 120; UDP 30.
    const panos = planDump(dump, getPlatform('panos'), [4000], opts).candidates[0]!;
    expect([panos.tableEntries.atEnd, panos.sessionsWithDrops]).toEqual([7, 0]);
    expect(panos.memoryBytes.peak).toBe(7 * 512);
    expect(panos.headroom).toBeNull(); // the sysctl's table size and buckets describe the Linux box, not PAN-OS
    // Google Cloud NAT: close_wait 30, so H (50 s idle, half closed) is at risk; its next packet is probably a close.
    const gcp = planDump(dump, getPlatform('gcp-cloud-nat'), [100000], opts).candidates[0]!;
    expect([gcp.tableEntries.atEnd, gcp.sessionsWithDrops, gcp.brokenByKind.close]).toEqual([7, 1, 1]);
    expect(gcp.affected).toEqual([{ label: 'tcp 192.0.2.13:* -> 198.51.100.24:8080', sessions: 1, kind: 'close', idleSeconds: 50 }]);
  });

  it('loose pickup: the next packet re-creates the entry, nothing is dropped', async () => {
    const dump = await read('dump.txt', DUMP);
    const sysctl = await read('sysctl.txt', SYSCTL);
    const loose = applyOverrides(getPlatform('linux'), { pickup: 'loose' });
    const c = planDump(dump, loose, [1000], { sysctl: sysctl.sysctlRaw }).candidates[0]!;
    expect([c.tableEntries.atEnd, c.sessionsWithDrops, c.affected]).toEqual([6, 0, []]);
    expect(c.warnings).toContain('pickup is loose: a packet after the entry expired creates a new one, so no drops are counted');
  });

  it('flags win over the sysctl for the candidate world, the sysctl wins for ages', async () => {
    const dump = await read('dump.txt', DUMP);
    const sysctl = await read('sysctl.txt', SYSCTL);
    // time_wait set by a flag to 30: D (60 s idle) would be gone; its age still uses the sysctl's 120.
    const flagged = applyOverrides(getPlatform('linux'), { stateTimeouts: { time_wait: 30 } });
    const c = planDump(dump, flagged, [4000], { sysctl: sysctl.sysctlRaw }).candidates[0]!;
    expect([c.tableEntries.atEnd, c.sessionsWithDrops]).toEqual([7, 0]);
  });

  it('refuses an input that is not a dump', async () => {
    const sysctl = await read('sysctl.txt', SYSCTL);
    try {
      planDump(sysctl, getPlatform('linux'), [3600]);
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(FwtpError);
      expect(err).toMatchObject({ code: 'CONNTRACK_NOT_A_DUMP', kind: 'usage' });
    }
  });
});

describeCorpus('planDump: the kernel 6.18 corpus dump', () => {
  const load = async (f: string): Promise<ConntrackInput> => read(f, readFileSync(CORPUS + f));

  it('ages under the namespace sysctl (awk: sum 153, longest 9; established 1 s x1, 2 x4, 4 x3, 5 x2, 6 x2)', async () => {
    const list = await load('list-extended.txt');
    const sysctl = await load('sysctl-netfilter.txt');
    const ages = entryAges(list.snapshots[0]!, dumpTimeouts(getPlatform('linux'), sysctl.sysctlRaw));
    expect(ages.reduce((a, b) => a + b, 0)).toBe(153);
    expect(Math.max(...ages)).toBe(9);
    const t = list.snapshots[0]!.table;
    const est = [...ages].filter((_, i) => t.proto[i] === 6 && t.entry(i).state === 'ESTABLISHED').sort((a, b) => a - b);
    expect(est).toEqual([1, 2, 2, 2, 2, 4, 4, 4, 5, 5, 6, 6]);
  });

  it('candidates against the ages', async () => {
    const list = await load('list-extended.txt');
    const sysctl = await load('sysctl-netfilter.txt');
    const { candidates } = planDump(list, getPlatform('linux'), [3, 5, 600, 9000], { sysctl: sysctl.sysctlRaw });
    expect(candidates.map((c) => [c.tableEntries.atEnd, c.sessionsWithDrops])).toEqual([[31, 7], [36, 2], [38, 0], [38, 0]]);
    expect(candidates.map((c) => c.extrapolated)).toEqual([false, false, false, true]);
    expect(candidates[0]!.memoryBytes.peak).toBe(31 * 256 + 262144 * 8);
    expect(candidates[0]!.headroom).toBe(31 / 262144);
  });

  it('without the sysctl or --current: stops (usage), naming the file, the missing input and the timeout that fits', async () => {
    const list = await load('list-extended.txt');
    let err: unknown;
    try { planDump(list, getPlatform('linux'), [3600]); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(FwtpError);
    expect(err).toMatchObject({ code: 'CONNTRACK_TIMEOUTS_UNKNOWN', kind: 'usage', file: 'list-extended.txt' });
    // (left, delta-time) of the established entries: most left 599; (596, 3) and (595, 4) bound it by 600.
    expect((err as Error).message).toMatch(/no sysctl input and no --current.*nf_conntrack_tcp_timeout_established.*between 599 and 600 s$/);
  });

  it('a wrong --current: the dump contradicts it and says which timeout fits', async () => {
    const list = await load('list-extended.txt');
    const { listing } = planDump(list, getPlatform('linux'), [3600], { currentSeconds: 432000 });
    expect(listing.timeoutsInForce).toEqual({ establishedSeconds: 432000, establishedFrom: 'current', otherStatesFrom: 'kernel defaults' });
    expect(listing.warnings.find((n) => n.includes('contradict'))).toMatch(/^12 entries contradict the timeouts in force .* than --current says; .* between 599 and 600 s$/);
  });
});
