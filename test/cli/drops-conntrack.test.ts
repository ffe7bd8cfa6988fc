/**
 * conntrack -E events as the session-end log of a Linux drop log (issue 13, item 1), as a user runs
 * `fwtp drops` and `fwtp plan` on the two. Hand-made in the lab's line formats (test/lab/ulogd.mjs
 * LOGEMU, `conntrack -E -o timestamp`): T = 3 s (--current 3, nf_conntrack_tcp_timeout_established=3).
 * Entry 1 (192.0.2.10:40000 -> 198.51.100.24:1521): last packet at t0 + 0.001 s, DESTROY while
 * ESTABLISHED at t0 + 4 s (the idle timer); the server's packet at t0 + 10 s and the client's at
 * t0 + 11 s are dropped. Entry 2 closes (TIME_WAIT) and has no drop. One SYN to port 23 is refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { readConntrack } from '../../src/ingest/conntrack.js';
import { sessionRecordsOfEvents } from '../../src/flows/conntrack-sessions.js';

const T0_SECONDS = Date.UTC(2026, 11, 2, 0, 0, 0) / 1000;

function ev(dtSeconds: number, line: string): string {
  return `[${(T0_SECONDS + dtSeconds).toFixed(6)}]\t${line}`;
}
const tuple = (sport: number): string => `src=192.0.2.10 dst=198.51.100.24 sport=${sport} dport=1521`;
const reply = (sport: number): string => `src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=${sport}`;

const EVENTS = [
  ev(0, `[NEW] tcp      6 120 SYN_SENT ${tuple(40000)} [UNREPLIED] ${reply(40000)} id=1`),
  ev(0.0005, `[UPDATE] tcp      6 60 SYN_RECV ${tuple(40000)} ${reply(40000)} id=1`),
  ev(0.001, `[UPDATE] tcp      6 3 ESTABLISHED ${tuple(40000)} ${reply(40000)} [ASSURED] id=1`),
  ev(4, `[DESTROY] tcp      6 ESTABLISHED ${tuple(40000)} packets=6 bytes=600 ${reply(40000)} packets=5 bytes=500 [ASSURED] id=1`),
  ev(20, `[NEW] tcp      6 120 SYN_SENT ${tuple(40002)} [UNREPLIED] ${reply(40002)} id=2`),
  ev(20.001, `[UPDATE] tcp      6 3 ESTABLISHED ${tuple(40002)} ${reply(40002)} [ASSURED] id=2`),
  ev(21, `[UPDATE] tcp      6 120 TIME_WAIT ${tuple(40002)} ${reply(40002)} [ASSURED] id=2`),
  ev(23, `[DESTROY] tcp      6 TIME_WAIT ${tuple(40002)} ${reply(40002)} [ASSURED] id=2`),
].join('\n') + '\n';

const LOGEMU = [
  'Dec  2 00:00:10 fw fwtp-drop IN=f1 OUT=f0 SRC=198.51.100.24 DST=192.0.2.10 LEN=52 TOS=00 PREC=0x00 TTL=63 ID=4660 DF PROTO=TCP SPT=1521 DPT=40000 SEQ=1000001 ACK=2000001 WINDOW=64240 ACK PSH URGP=0 MARK=0x0',
  'Dec  2 00:00:11 fw fwtp-drop IN=f0 OUT=f1 SRC=192.0.2.10 DST=198.51.100.24 LEN=52 TOS=00 PREC=0x00 TTL=63 ID=4661 DF PROTO=TCP SPT=40000 DPT=1521 SEQ=2000001 ACK=1000001 WINDOW=64240 ACK PSH URGP=0 MARK=0x0',
  'Dec  2 00:00:30 fw fwtp-deny IN=f0 OUT=f1 SRC=192.0.2.10 DST=198.51.100.24 LEN=60 TOS=00 PREC=0x00 TTL=63 ID=4662 DF PROTO=TCP SPT=40010 DPT=23 SEQ=3000001 ACK=0 WINDOW=64240 SYN URGP=0 MARK=0x0',
].join('\n') + '\n';

let dir = '';
let events = '', drops = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fwtp-drops-ct-'));
  events = join(dir, 'conntrack-events.txt');
  drops = join(dir, 'drops.logemu');
  writeFileSync(events, EVENTS);
  writeFileSync(drops, LOGEMU);
});

interface Group { class: string; serverPort: number; direction: string; packets: number; sessions: number }

describe('fwtp drops with conntrack -E events as the session-end log', () => {
  it('classifies both sides\' packets after the idle DESTROY as expired state, with the revealed gap T + (drop - DESTROY)', () => {
    const r = runCli(['drops', drops, events, '--current', '3', '--year', '2026', '--format', 'json', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.groups.map((g: Group) => [g.class, g.serverPort, g.direction, g.packets, g.sessions])).toEqual([
      ['expired-state', 1521, 'from-server', 1, 1],
      ['expired-state', 1521, 'to-server', 1, 1],
      ['policy', 23, 'to-server', 1, 1],
    ]);
    // Last packet = DESTROY - T = t0 + 1 s; first drop at t0 + 10 s: 9 s.
    expect(j.revealed).toMatchObject({ sessions: 1, withGap: 1, maxGapSeconds: 9 });
    expect(j.revealed.rows[0]).toMatchObject({ client: '192.0.2.10:40000', server: '198.51.100.24:1521', endReason: 'idle-timeout', drops: 2 });
  });

  it('without the events the client\'s packet is unknown (a LOGEMU line does not say "no connection")', () => {
    const j = JSON.parse(runCli(['drops', drops, '--current', '3', '--year', '2026', '--format', 'json', '-q']).stdout);
    expect(j.groups.map((g: Group) => [g.class, g.direction])).toContainEqual(['unknown', 'unknown']);
  });

  it('still refuses an event stream with no Linux drop log beside it', () => {
    const r = runCli(['drops', events, '-q']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('DROPS_NOT_A_FIREWALL_LOG');
  });
});

describe('fwtp plan on the drop log and the events', () => {
  it('breaks the session at 3 s and marks the longer candidate as a lower bound, each session counted once', () => {
    const r = runCli(['plan', drops, events, '--current', '3', '--timeouts', '3,60', '--platform', 'linux', '--state-timeout', 'established=3', '--year', '2026', '--format', 'json', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    const at = (t: number): { affected: Array<{ label: string; sessions: number }>; lowerBound?: unknown; lowerBoundReason?: string } =>
      plan.candidates.find((c: { timeoutSeconds: number }) => c.timeoutSeconds === t);
    expect(at(3).affected.reduce((n, a) => n + a.sessions, 0)).toBe(1);
    expect(at(3).affected[0]?.label).toContain('198.51.100.24:1521');
    expect(at(60).affected).toEqual([]);
    expect(at(60).lowerBound).toBe(true);
    expect(at(60).lowerBoundReason).toMatch(/.+/);
    // The two entries are two flows (the join's), not four (the join's and the events' own).
    expect(plan.flows).toBe(2);
  });
});

describe('sessionRecordsOfEvents', () => {
  it('NEW -> session-start, DESTROY -> session-end by the event reader\'s end classes (timeout, FIN, RST)', async () => {
    const rst = [
      ev(30, `[NEW] tcp      6 120 SYN_SENT ${tuple(40004)} [UNREPLIED] ${reply(40004)} id=3`),
      ev(31, `[UPDATE] tcp      6 10 CLOSE ${tuple(40004)} ${reply(40004)} [ASSURED] id=3`),
      ev(41, `[DESTROY] tcp      6 CLOSE ${tuple(40004)} ${reply(40004)} [ASSURED] id=3`),
    ].join('\n') + '\n';
    const input = await readConntrack('events', (async function* () { yield Buffer.from(EVENTS + rst); })());
    const recs = sessionRecordsOfEvents(input, 'fw');
    expect(recs.map((r) => [r.type, r.connectionId, r.timeUs === null ? null : r.timeUs / 1e6 - T0_SECONDS])).toEqual([
      ['session-start', '1', 0], ['session-end', '1', 4], ['session-start', '2', 20], ['session-end', '2', 23], ['session-start', '3', 30], ['session-end', '3', 41],
    ]);
    const ends = recs.flatMap((r) => (r.type === 'session-end' ? [[r.endReason, r.durationCovers, r.durationSeconds, r.host, r.vendor]] : []));
    expect(ends).toEqual([
      ['idle-timeout', 'start-to-end', 4, 'fw', 'linux-log'], ['fin', 'start-to-end', 3, 'fw', 'linux-log'], ['rst', 'start-to-end', 11, 'fw', 'linux-log'],
    ]);
  });
});
