/**
 * `fwtp recommend` as a user runs it on the story's sample: the exact threshold from the data
 * (the database's keep-alive after 7200.04 s of silence) plus the Linux timer slack, the
 * per-service fix for 198.51.100.24:1521, and nft lines that nft itself accepts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../helpers/cli.js';

const haveNft = spawnSync('nft', ['--version']).status === 0 && process.getuid?.() === 0;
if (!haveNft) console.warn('recommend: nft missing or not root: the nft -c checks are skipped');

describe('fwtp recommend on samples/oracle-pool.pcap', () => {
  beforeAll(() => ensureBuilt());

  it('recommends the exact threshold plus margin, and the per-service fix at the current timeout', () => {
    const r = runCli(['recommend', 'samples/oracle-pool.pcap', '--current', '3600', '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.threshold.seconds).toBe(7200.039978);
    expect(j.threshold.lowerBound).toBe(false);
    expect(j.threshold.margin.seconds).toBe(131.072); // 32768 jiffies at HZ=250
    expect(j.threshold.timeoutSeconds).toBe(7332);
    expect(j.recommendedSeconds).toBe(7332);
    expect(j.range.minSeconds).toBe(7332);
    const fix = j.proposal.services;
    expect(fix).toHaveLength(1);
    expect(fix[0].service).toEqual({ protocol: 'tcp', serverAddr: '198.51.100.24', serverPort: 1521 });
    expect(fix[0]).toMatchObject({ flows: 24, brokenAtCurrent: 15, timeoutSeconds: 7332, possible: true });
    expect(fix[0].withFix.sessionsWithDrops).toBe(0);
    expect(j.proposal.atCurrent.sessionsWithDrops).toBe(15);
    expect(j.proposal.remedies.map((x: { kind: string }) => x.kind).sort()).toEqual(['global', 'keepalive', 'service']);
  });

  it('a platform without per-service timeouts says so, and the emitted lines are global', () => {
    const r = runCli(['recommend', 'samples/oracle-pool.pcap', '--platform', 'gcp-cloud-nat', '--current', '3600', '--emit', 'gcp-cloud-nat', '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.proposal.services[0].possible).toBe(false);
    expect(j.proposal.services[0].why).toMatch(/per gateway/);
    expect(j.emit.configuration.apply.lines.join('\n')).toMatch(/tcp-established-idle-timeout/);
  });

  it('an unknown --emit platform is a usage error', () => {
    const r = runCli(['recommend', 'samples/oracle-pool.pcap', '--emit', 'nosuch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/CLI_UNKNOWN_PLATFORM/);
  });

  it.skipIf(!haveNft)('nft -c -f accepts the emitted Linux per-service lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwtp-nft-'));
    const perService = runCli(['recommend', 'samples/oracle-pool.pcap', '--current', '3600', '--emit', 'linux']);
    const table = perService.stdout.split('\n');
    const from = table.indexOf('table inet fwtp {');
    const to = table.indexOf('}', from);
    expect(from).toBeGreaterThan(0);
    const file = join(dir, 'fix.nft');
    writeFileSync(file, table.slice(from, to + 1).join('\n') + '\n');
    const c = spawnSync('nft', ['-c', '-f', file], { encoding: 'utf8' });
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(table.slice(from, to + 1).join('\n')).toMatch(/policy = \{ established: 7332 \};[\s\S]*ip daddr 198\.51\.100\.24 tcp dport 1521 ct timeout set "fwtp-1521-7332"/);
  });

  it.skipIf(!haveNft)('--emit-name names the table and objects; nft -c -f accepts it; a bad name is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwtp-nft-'));
    const r = runCli(['recommend', 'samples/oracle-pool.pcap', '--current', '3600', '--emit', 'linux', '--emit-name', 'dbpool', '--format', 'json']);
    expect(r.status).toBe(0);
    const conf = JSON.parse(r.stdout).emit.configuration;
    expect(conf.apply.lines[0]).toBe('table inet dbpool {');
    expect(conf.apply.lines.join('\n')).toContain('ct timeout set "dbpool-1521-7332"');
    expect(conf.rollback.lines).toEqual(['nft delete table inet dbpool']);
    const file = join(dir, 'fix.nft');
    writeFileSync(file, conf.apply.lines.join('\n') + '\n');
    expect(spawnSync('nft', ['-c', '-f', file], { encoding: 'utf8' }).status).toBe(0);
    const asa = JSON.parse(runCli(['recommend', 'samples/oracle-pool.pcap', '--platform', 'cisco-asa', '--current', '3600', '--emit', 'cisco-asa', '--emit-name', 'dbpool', '--format', 'json']).stdout);
    expect(asa.emit.configuration.apply.lines).toContain('class-map DBPOOL-1');
    const bad = runCli(['recommend', 'samples/oracle-pool.pcap', '--emit', 'linux', '--emit-name', 'a b']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--emit-name .*CLI_INVALID_EMIT_NAME/);
  });
});
