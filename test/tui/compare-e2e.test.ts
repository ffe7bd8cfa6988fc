// `fwtp compare` end to end in a real terminal: the built binary in tmux (100x30), keys sent
// with send-keys, the screen read with capture-pane. Opens, moves the selection, adds a
// candidate, exports a report (checked against `fwtp plan --format md`), quits, and the shell
// prompt is back with the alternate screen left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ensureBuilt, runCli } from '../helpers/cli.js';
import { pcapFile, tcpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type PcapRecord } from '../helpers/pcapbuild.js';

const hasTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
if (!hasTmux) console.warn('test/tui/compare-e2e.test.ts: tmux not found, skipping the end-to-end test of fwtp compare');

const T0 = 1_800_000_000;
const DB = '198.51.100.24';
const APP = '192.0.2.10';
const WEB = '203.0.113.5';

/**
 * The story as packets: a pooled database session (Oracle 1521) whose server probes after
 * 7200 s of silence (seq = next - 1, no payload; answered by a plain ACK), used again at
 * 9000 s; and a short HTTPS session with a 100 s pause, closed by FIN. 3 hours 20 min.
 */
function storyPcap(): Buffer {
  const recs: PcapRecord[] = [];
  const at = (s: number, data: Buffer): void => { recs.push({ sec: T0 + Math.floor(s), nsec: Math.round((s % 1) * 1e6) * 1000, data }); };
  // Database session: client seq from 1000, server from 5000.
  const c2s = (s: number, seq: number, ack: number, flags: number, payload = 0): void => at(s, tcpFrame({ src: APP, dst: DB, sport: 40000, dport: 1521, seq, ack, flags, payload }));
  const s2c = (s: number, seq: number, ack: number, flags: number, payload = 0): void => at(s, tcpFrame({ src: DB, dst: APP, sport: 1521, dport: 40000, seq, ack, flags, payload }));
  c2s(0, 1000, 0, TCP_SYN);
  s2c(0.001, 5000, 1001, TCP_SYN | TCP_ACK);
  c2s(0.002, 1001, 5001, TCP_ACK);
  c2s(1, 1001, 5001, TCP_PSH | TCP_ACK, 10);
  s2c(1.01, 5001, 1011, TCP_PSH | TCP_ACK, 20);
  c2s(1.02, 1011, 5021, TCP_ACK);
  // Web session.
  const w = (s: number, fromClient: boolean, seq: number, ack: number, flags: number, payload = 0): void =>
    at(s, fromClient ? tcpFrame({ src: APP, dst: WEB, sport: 40001, dport: 443, seq, ack, flags, payload })
      : tcpFrame({ src: WEB, dst: APP, sport: 443, dport: 40001, seq, ack, flags, payload }));
  w(100, true, 100, 0, TCP_SYN);
  w(100.01, false, 900, 101, TCP_SYN | TCP_ACK);
  w(100.02, true, 101, 901, TCP_ACK);
  w(101, true, 101, 901, TCP_PSH | TCP_ACK, 50);
  w(101.05, false, 901, 151, TCP_PSH | TCP_ACK, 500);
  w(201, true, 151, 1401, TCP_PSH | TCP_ACK, 50);
  w(201.05, false, 1401, 201, TCP_PSH | TCP_ACK, 500);
  w(202, true, 201, 1901, TCP_FIN | TCP_ACK);
  w(202.01, false, 1901, 202, TCP_FIN | TCP_ACK);
  w(202.02, true, 202, 1902, TCP_ACK);
  // 7200 s of silence, then the server's keep-alive probe and the client's answer.
  s2c(7201.02, 5020, 1011, TCP_ACK);
  c2s(7201.03, 1011, 5021, TCP_ACK);
  // Used again at 9000 s, then idle until the capture ends at 12000 s.
  c2s(9000, 1011, 5021, TCP_PSH | TCP_ACK, 10);
  s2c(9000.01, 5021, 1021, TCP_PSH | TCP_ACK, 20);
  c2s(9000.02, 1021, 5041, TCP_ACK);
  c2s(12000, 1021, 5041, TCP_PSH | TCP_ACK, 10);
  s2c(12000.01, 5041, 1031, TCP_ACK);
  recs.sort((a, b) => a.sec - b.sec || a.nsec - b.nsec);
  return pcapFile(recs, { linkType: 1 });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasTmux)('fwtp compare in tmux', () => {
  const socket = `fwtp-e2e-${process.pid}`;
  const tmux = (...args: string[]): string => {
    const r = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const screen = (): string => tmux('capture-pane', '-p', '-t', 'e2e');
  const keys = (...k: string[]): void => { tmux('send-keys', '-t', 'e2e', ...k); };
  // A wait for a condition, polled every 100 ms, never a fixed pause: the deadline only bounds a
  // hang, so it is generous (docs/LAB.md, "Timing margins").
  const until = async (what: string, pred: (s: string) => boolean, timeoutMs = 60_000): Promise<string> => {
    const start = Date.now();
    for (;;) {
      const s = screen();
      if (pred(s)) return s;
      if (Date.now() - start > timeoutMs) throw new Error(`waiting for ${what}; the screen:\n${s}`);
      await sleep(100);
    }
  };
  const row = (s: string, t: string): string | undefined => s.split('\n').find((l) => new RegExp(`^[│║][> ][C ][R ] ${t}\\*? `).test(l));
  let dir = '';
  let capture = '';

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fwtp-e2e-'));
    capture = join(dir, 'story.pcap');
    writeFileSync(capture, storyPcap());
    const env = [`PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, `HOME=${dir}`, 'TERM=xterm-256color', 'LANG=C.UTF-8', 'PS1=fwtp-e2e$ ', 'HISTFILE=/dev/null'];
    tmux('new-session', '-d', '-s', 'e2e', '-x', '100', '-y', '30', '-c', dir, 'env', '-i', ...env, 'bash', '--norc', '--noprofile');
  });

  afterAll(() => {
    try { tmux('kill-server'); } catch { /* already gone */ }
    if (dir !== '') rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it('opens, selects, adds, exports and quits leaving the shell as it was', { timeout: 300_000 }, async () => {
    await until('the shell prompt', (s) => s.includes('fwtp-e2e$'));
    keys(`node ${BIN} compare story.pcap --platform cisco-asa -t 1h,2h30m,1d`, 'Enter');
    let s = await until('the view with every figure', (x) => row(x, '1h') !== undefined && !x.includes('evaluating'));
    expect(tmux('display-message', '-p', '-t', 'e2e', '#{alternate_on}').trim()).toBe('1');
    expect(row(s, '1h')).toMatch(/^║>C  1h /); // cisco-asa's conn timeout is the current setting, selected first
    expect(s).toContain('platform cisco-asa');
    expect(s.split('\n')[0]).toContain('story.pcap');

    keys('Down');
    s = await until('the selection on 2h30m', (x) => /^║> /.test(row(x, '2h30m') ?? ''));
    expect(row(s, '1h')).toMatch(/^║ C  1h /);

    keys('a');
    await until('the add prompt', (x) => x.includes('add timeout'));
    keys('1h30m');
    keys('Enter');
    s = await until('the added candidate', (x) => /^║> /.test(row(x, '1h30m') ?? '') && !x.includes('evaluating'));
    expect(s).toContain('added 1h30m (5400 s)');

    keys('e');
    await until('the format prompt', (x) => x.includes('export format md|json|csv [md]:'));
    keys('Enter');
    await until('the path prompt', (x) => x.includes('export md to [fwtp-compare.md]:'));
    keys('view.md');
    keys('Enter');
    await until('the export message', (x) => x.includes('wrote md report to view.md (4 candidates)'));
    const report = join(dir, 'view.md');
    expect(existsSync(report)).toBe(true);
    const text = readFileSync(report, 'utf8');
    // The same table as fwtp plan prints for these candidates.
    const planned = runCli(['plan', capture, '--platform', 'cisco-asa', '-t', '1h,1h30m,2h30m,1d', '--format', 'md']);
    expect(planned.status).toBe(0);
    // The candidates table: the first one (per-service tables follow it).
    const tableOf = (md: string): string[] => {
      const lines = md.split('\n');
      const first = lines.findIndex((l) => l.startsWith('| '));
      const end = lines.findIndex((l, i) => i > first && !l.startsWith('| '));
      return lines.slice(first, end);
    };
    expect(tableOf(planned.stdout)).toHaveLength(6);
    expect(tableOf(text)).toEqual(tableOf(planned.stdout));
    expect(text).toContain('- selected: 1h30m (5400 s)');

    keys('q');
    s = await until('the shell prompt again', (x) => x.trimEnd().split('\n').pop() === 'fwtp-e2e$');
    expect(tmux('display-message', '-p', '-t', 'e2e', '#{alternate_on}').trim()).toBe('0');
    expect(s).not.toMatch(/[║╔╚┌└]/); // nothing of the view is left on the shell's screen
    // The shell works as before (raw mode was reset: a typed command echoes and runs).
    keys('echo done-$((1+1))', 'Enter');
    await until('the shell running a command', (x) => x.includes('done-2'));
  });
});
