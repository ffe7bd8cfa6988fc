// The change request from the story's firewall logs alone (issue 13, item 5): the logged drops
// quoted as the ASA wrote them, and the model at the current timeout beside the logged drops.
// Oracles: the drop log itself (the quoted lines are its first five, byte for byte; 198 lines,
// all 106015), `fwtp drops` on the same logs (the same summary line), and the capture of the
// same story (samples/oracle-pool.pcap): `fwtp plan` on it at 3600 s breaks the same sessions
// in the same directions as the report predicts from the logs.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT, runCli } from '../helpers/cli.js';

const TEARDOWN = join('samples', 'oracle-pool-asa-teardown.log');
const DROPS = join('samples', 'oracle-pool-asa-drops.log');
const CAPTURE = join('samples', 'oracle-pool.pcap');

beforeAll(() => ensureBuilt(), 600_000);

interface Affected { label: string; sessions: number }

describe('report on the story\'s ASA logs', () => {
  it('JSON: evidence.loggedDrops quotes the drop log\'s lines and sets the model against the log, as the capture predicts', () => {
    const r = runCli(['report', TEARDOWN, DROPS, '--current', '3600', '--proposed', '9000', '--format', 'json', '--quiet'], { cwd: ROOT });
    expect(r.status).toBe(0);
    const ev = JSON.parse(r.stdout).evidence.loggedDrops;
    const drops = runCli(['drops', TEARDOWN, DROPS, '--current', '3600', '--format', 'json'], { cwd: ROOT });
    expect(ev.summary).toBe(JSON.parse(drops.stdout).summary);
    expect(ev.summary).toBe('198 drops: 198 packets of 15 sessions whose state expired (tcp/1521 15)');
    expect(ev.expiredSessions).toBe(15);
    const lines = readFileSync(join(ROOT, DROPS), 'utf8').split('\n');
    expect(lines.filter((l) => l.includes('%ASA-6-106015')).length).toBe(198);
    expect(ev.quoted.map((q: { file: string; line: number; text: string }) => [q.file, q.line, q.text]))
      .toEqual([1, 2, 3, 4, 5].map((n) => [DROPS, n, lines[n - 1]]));
    expect(ev.quoted.every((q: { keepAliveShaped: boolean; direction: string }) => q.keepAliveShaped && q.direction === 'from-server')).toBe(true);

    // The capture of the same story at 3600 s: 14 sessions whose first dropped packet is the server's keep-alive, 1 the client's data.
    const plan = JSON.parse(runCli(['plan', CAPTURE, '-t', '3600', '--format', 'json', '--no-interactive', '--quiet'], { cwd: ROOT }).stdout);
    const byCapture = (plan.candidates[0].affected as Affected[]).map((a) => [a.label, a.sessions]);
    expect(byCapture).toEqual([['tcp 198.51.100.24:1521 -> 192.0.2.10:*', 14], ['tcp 192.0.2.10:* -> 198.51.100.24:1521', 1]]);
    expect(ev.predicted.timeoutSeconds).toBe(3600);
    expect(ev.predicted.sessionsWithDrops).toBe(plan.candidates[0].sessionsWithDrops);
    // Logged: a session counts in each direction its drops went (the lunch-pause session's client retried, the server answered).
    expect(ev.predicted.rows.map((x: Record<string, unknown>) => [x.service, x.direction, x.predictedSessions, x.loggedSessions, x.loggedPackets])).toEqual([
      ['tcp 198.51.100.24:1521', 'from-server', 14, 15, 150],
      ['tcp 198.51.100.24:1521', 'to-server', 1, 3, 48],
    ]);
    expect(ev.predicted.unexplained).toEqual([]);
  });

  it('Markdown and HTML: the quoted lines and the predicted-against-logged table in the evidence', () => {
    const md = runCli(['report', TEARDOWN, DROPS, '--current', '3600', '--proposed', '9000', '--format', 'md', '--quiet'], { cwd: ROOT });
    expect(md.status).toBe(0);
    const first = readFileSync(join(ROOT, DROPS), 'utf8').split('\n')[0]!;
    expect(md.stdout).toContain(`### From the firewall's logs\n`);
    expect(md.stdout).toContain(`The first drop of the first 5 of the 15 sessions whose state expired, as logged:\n\n\`\`\`\n${DROPS}:1: ${first}\n`);
    expect(md.stdout).toMatch(/^\| tcp 198\.51\.100\.24:1521 \| from-server \| 14 \| 15 \| 150 \|$/m);
    const html = runCli(['report', TEARDOWN, DROPS, '--current', '3600', '--proposed', '9000', '--format', 'html', '--quiet'], { cwd: ROOT });
    expect(html.status).toBe(0);
    expect(html.stdout).toContain("<h3>From the firewall's logs</h3>");
    expect(html.stdout).toContain(`<pre>${DROPS}:1: ${first.replace(/&/g, '&amp;')}`);
  });

  it('a capture alone: no loggedDrops in the evidence', () => {
    const r = runCli(['report', CAPTURE, '--current', '3600', '--proposed', '9000', '--format', 'json', '--quiet'], { cwd: ROOT });
    expect(JSON.parse(r.stdout).evidence.loggedDrops).toBeUndefined();
  });

  it('logs from standard input: the places are quoted, the text is said to be unavailable', () => {
    const r = runCli(['report', TEARDOWN, '-', '--current', '3600', '--proposed', '9000', '--format', 'json', '--quiet'], { cwd: ROOT, input: readFileSync(join(ROOT, DROPS)) });
    expect(r.status).toBe(0);
    const q = JSON.parse(r.stdout).evidence.loggedDrops.quoted;
    expect(q.map((x: { file: string; line: number; text: string | null }) => [x.file, x.line, x.text])).toEqual([1, 2, 3, 4, 5].map((n) => ['(stdin)', n, null]));
  });
});
