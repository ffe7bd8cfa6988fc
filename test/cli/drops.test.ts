/**
 * `fwtp drops` as a user runs it. The story's ASA log is written here (asaStoryLog): 14 database
 * sessions to 198.51.100.24:1521, each busy 148 s, then idle; the ASA tears each down with
 * Conn-timeout after T = 3600 s; 7200 s after the last packet the database's keep-alive (Linux
 * tcp_keepalive_time 7200, interval 75) sends three probes, logged as 106015 drops from 1521 to
 * the client port; plus 3 SYNs to port 23 refused by an access list (106023). Then every corpus
 * log in ../shared/corpus/firewall-logs, read in place: no crash, and every drop record counted.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from '../helpers/cli.js';
import { readFirewallLog } from '../../src/ingest/fwlog/index.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `logging timestamp` form: "Nov 25 2026 09:12:31" (UTC). */
function asaTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

const T_SECONDS = 3600;
const BUSY_SECONDS = 148;
const KEEPALIVE_IDLE_SECONDS = 7200;
const KEEPALIVE_INTERVAL_SECONDS = 75;

export function asaStoryLog(): string {
  const lines: Array<[number, string]> = [];
  const t0 = Date.UTC(2026, 10, 25, 8, 0, 0);
  for (let i = 0; i < 14; i++) {
    const id = 40017 + i, port = 31578 + i;
    const built = t0 + i * 60_000, last = built + BUSY_SECONDS * 1000, teardown = last + T_SECONDS * 1000;
    lines.push([built, `%ASA-6-302013: Built outbound TCP connection ${id} for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/${port} (192.0.2.15/${port})`]);
    lines.push([teardown, `%ASA-6-302014: Teardown TCP connection ${id} for db:198.51.100.24/1521 to app:192.0.2.15/${port} duration ${hms(BUSY_SECONDS + T_SECONDS)} bytes 25630 Conn-timeout`]);
    for (let k = 0; k < 3; k++) {
      const t = last + (KEEPALIVE_IDLE_SECONDS + k * KEEPALIVE_INTERVAL_SECONDS) * 1000;
      lines.push([t, `%ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/${port} flags ACK  on interface db`]);
    }
  }
  for (let k = 0; k < 3; k++) {
    lines.push([t0 + (30 + k) * 60_000, `%ASA-4-106023: Deny tcp src outside:203.0.113.9/${40001 + k} dst inside:198.51.100.30/23 by access-group "outside_in" [0x0, 0x0]`]);
  }
  lines.sort((a, b) => a[0] - b[0]);
  return lines.map(([t, m]) => `${asaTime(t)}: ${m}\n`).join('');
}

const SUMMARY = '45 drops: 42 packets of 14 sessions whose state expired (tcp/1521 14), 3 policy denials';

describe('fwtp drops on the story ASA log', () => {
  let file = '';
  beforeAll(() => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'fwtp-drops-'));
    file = join(dir, 'asa.log');
    writeFileSync(file, asaStoryLog());
  });

  it('table: the summary line first, then the revealed gap sentence', () => {
    const r = runCli(['drops', file]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(SUMMARY);
    expect(r.stdout).toContain('timeout in force T: tcp 3,600 s, udp 120 s, icmp 2 s (platform cisco-asa, the logs\' device\'s defaults; set T with --current)');
    expect(r.stdout).toContain('14 sessions were idle 2h (7,200 s) when the keep-alive found no state; any timeout of at least 7,333 s keeps them (or an endpoint keep-alive below T = 3,600 s)');
  });

  it('json: exact counts, groups and revealed gaps', () => {
    const r = runCli(['drops', file, '--current', '1h', '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.summary).toBe(SUMMARY);
    expect(j.totals).toEqual({
      drops: 45, keepAliveShaped: 42,
      expiredState: { packets: 42, sessions: 14 }, policy: { packets: 3, sessions: 3 }, unknown: { packets: 0, sessions: 0 },
    });
    expect(j.expiredByPort).toEqual([{ protocol: 'tcp', port: 1521, sessions: 14, packets: 42 }]);
    expect(j.groups.map((g: { class: string; serverAddr: string; serverPort: number; direction: string; packets: number; sessions: number; keepAliveShaped: number }) =>
      [g.class, g.serverAddr, g.serverPort, g.direction, g.packets, g.sessions, g.keepAliveShaped])).toEqual([
      ['expired-state', '198.51.100.24', 1521, 'from-server', 42, 14, 42],
      ['policy', '198.51.100.30', 23, 'to-server', 3, 3, 0],
    ]);
    expect(j.timeout).toMatchObject({ tcpSeconds: 3600, platform: 'cisco-asa' });
    expect(j.revealed).toMatchObject({ sessions: 14, withGap: 14, maxGapSeconds: 7200, keepAllTimeoutSeconds: 7333, allKeepAlive: true });
    expect(j.revealed.margin.seconds).toBeCloseTo(132.072, 6); // 131.072 s Linux timer slack at 7200 s + 1 s whole-second logs
    expect(j.revealed.rows.map((x: { gapSeconds: number }) => x.gapSeconds)).toEqual(Array(14).fill(7200));
    expect(j.revealed.rows[0]).toMatchObject({ client: '192.0.2.15:31578', server: '198.51.100.24:1521', endReason: 'idle-timeout', endedAt: '2026-11-25T09:02:28.000Z', firstDropAt: '2026-11-25T10:02:28.000Z', drops: 3 });
    expect(j.inputs[0]).toMatchObject({ vendor: 'cisco-asa', lines: 73, drops: 45, sessionEnds: 14, sessionStarts: 14 });
  });

  it('a different T moves the revealed gap (G = T + time from the end to the drop)', () => {
    const j = JSON.parse(runCli(['drops', file, '--current', '1800', '--format', 'json']).stdout);
    expect(j.revealed.maxGapSeconds).toBe(1800 + 3600);
  });

  it('csv and md, standard input, -o', () => {
    const csv = runCli(['drops', file, '--format', 'csv']);
    expect(csv.stdout.split('\n').slice(0, 3)).toEqual([
      'class,protocol,server_addr,server_port,direction,packets,sessions,keepalive_shaped,first,last',
      'expired-state,tcp,198.51.100.24,1521,from-server,42,14,42,2026-11-25T10:02:28.000Z,2026-11-25T10:17:58.000Z',
      'policy,tcp,198.51.100.30,23,to-server,3,3,0,2026-11-25T08:30:00.000Z,2026-11-25T08:32:00.000Z',
    ]);
    const md = runCli(['drops', file, '--format', 'md']);
    expect(md.stdout.split('\n')[2]).toBe('**45 drops: 42 packets of 14 sessions whose state expired \\(tcp/1521 14\\), 3 policy denials**');
    const piped = runCli(['drops', '-'], { input: readFileSync(file) });
    expect(piped.status).toBe(0);
    expect(piped.stdout.split('\n')[0]).toBe(SUMMARY);
    const out = join(mkdtempSync(join(tmpdir(), 'fwtp-drops-o-')), 'd.json');
    expect(runCli(['drops', file, '--format', 'json', '-o', out]).status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).summary).toBe(SUMMARY);
  });

  it('--traffic: the model at T on the story capture predicts the 14 broken database sessions the log shows', () => {
    const j = JSON.parse(runCli(['drops', file, '--traffic', 'samples/oracle-pool.pcap', '--format', 'json']).stdout);
    expect(j.predicted).toMatchObject({ inputs: ['samples/oracle-pool.pcap'], timeoutSeconds: 3600, sessionsWithDrops: 15, unexplained: [] });
    expect(j.predicted.rows).toEqual([
      { service: 'tcp 198.51.100.24:1521', direction: 'from-server', predictedSessions: 14, loggedSessions: 14, loggedPackets: 42 },
      { service: 'tcp 198.51.100.24:1521', direction: 'to-server', predictedSessions: 1, loggedSessions: 0, loggedPackets: 0 },
    ]);
    // At T = 1 day the model breaks nothing: every logged expired-state drop is unexplained.
    const day = JSON.parse(runCli(['drops', file, '--traffic', 'samples/oracle-pool.pcap', '--current', '1d', '--format', 'json']).stdout);
    expect(day.predicted.unexplained).toEqual([{ class: 'expired-state', service: 'tcp 198.51.100.24:1521', direction: 'from-server', packets: 42, sessions: 14 }]);
  });

  it('a capture is not a log: exit 1, naming the file', () => {
    const r = runCli(['drops', 'samples/oracle-pool.pcap']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/samples\/oracle-pool\.pcap: not a firewall log .*\[DROPS_NOT_A_FIREWALL_LOG\]/);
  });

  it('--help shows the examples', () => {
    const r = runCli(['drops', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fwtp drops asa\.log/);
  });
});

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'firewall-logs');
const corpusPresent = existsSync(CORPUS);
if (!corpusPresent) console.log(`fwtp drops corpus test skipped: ${CORPUS} is absent`);

describe.skipIf(!corpusPresent)('fwtp drops on every corpus log', () => {
  beforeAll(() => ensureBuilt());
  // One run per vendor folder (the files of a folder together), to keep the number of processes small.
  const folders = corpusPresent ? readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];

  it.each(folders)('%s: no crash, every drop record classified once', (folder) => {
    const paths = readdirSync(join(CORPUS, folder)).filter((f) => f.endsWith('.log')).sort().map((f) => join(CORPUS, folder, f));
    const r = runCli(['drops', ...paths, '--format', 'json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    let drops = 0;
    for (const path of paths) drops += readFirewallLog(readFileSync(path, 'utf8'), {}, path).records.filter((x) => x.type === 'drop').length;
    expect(j.inputs.map((i: { drops: number }) => i.drops).reduce((a: number, b: number) => a + b, 0)).toBe(drops);
    expect(j.totals.drops).toBe(drops);
    expect(j.totals.expiredState.packets + j.totals.policy.packets + j.totals.unknown.packets).toBe(drops);
    expect(j.groups.reduce((s: number, g: { packets: number }) => s + g.packets, 0)).toBe(drops);
  });
});
