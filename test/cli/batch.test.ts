// fwtp batch, through the built command line: datasets found under directories and globs by
// content, one plan per dataset equal to planning it alone, summary.csv / summary.json, a bad
// dataset reported and skipped (exit 1), up-to-date datasets skipped on a re-run, --force,
// --dataset-per-dir, usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT, runCli } from '../helpers/cli.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`corpus absent (${CORPUS}): the batch test over conntrack dumps and flow exports is skipped`);

let dir = '';
const sample = (name: string): string => join(ROOT, 'samples', name);

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fwtp-batch-test-'));
  mkdirSync(join(dir, 'data', 'app'), { recursive: true });
  mkdirSync(join(dir, 'data', 'db'), { recursive: true });
  mkdirSync(join(dir, 'data', 'rot'), { recursive: true });
  copyFileSync(sample('oracle-pool.pcap'), join(dir, 'data', 'app', 'oracle-pool.pcap'));
  copyFileSync(sample('oracle-pool-unanswered.pcap'), join(dir, 'data', 'db', 'oracle-pool-unanswered.pcap'));
  copyFileSync(sample('mixed-small.pcapng'), join(dir, 'data', 'db', 'mixed-small.pcapng'));
  writeFileSync(join(dir, 'data', 'app', 'README.txt'), 'notes about these captures\n'); // not an input: left out
  writeFileSync(join(dir, 'data', 'db', '.hidden.pcap'), 'x'); // hidden: never looked at
  writeFileSync(join(dir, 'data', 'db', 'short.pcap'), Buffer.from('d4c3b2a102000400', 'hex')); // a pcap cut inside its header: fails
}, 600_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const T = ['--timeouts', '3600,9000'];

/** What `fwtp plan --format json` and `--format md` print for the same files. */
async function expected(files: string[], timeouts = '3600,9000'): Promise<{ json: string; md: string }> {
  const run = (format: string): string => {
    const r = runCli(['plan', ...files, '--timeouts', timeouts, '--format', format, '--quiet'], { cwd: dir });
    expect(r.status).toBe(0);
    return r.stdout;
  };
  return { json: run('json'), md: run('md') };
}

const out = (...p: string[]): string => join(dir, 'out', ...p);

describe('fwtp batch', () => {
  it('plans each capture under a directory, reports the bad one and exits 1, writes the summaries', async () => {
    const r = runCli(['batch', 'data', '--out', 'out', ...T, '--jobs', '2'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.errLines).toEqual([
      'fwtp: data/db/short.pcap: byte 0: file ends inside the 24-byte pcap header (8 bytes) [PCAP_SHORT_HEADER]',
      `fwtp: 1 of 4 dataset(s) failed (listed above and in ${join('out', 'summary.json')})`,
    ]);
    expect(r.stderr).not.toContain('\r'); // no progress off a terminal
    expect(r.stdout).toBe(`4 dataset(s): 3 planned, 0 up to date, 1 failed; summary in ${join('out', 'summary.csv')} and summary.json\n` +
      '2 file(s) left out, not inputs (listed with the reason in summary.json, leftOut)\n');
    const want = await expected(['data/app/oracle-pool.pcap']);
    expect(readFileSync(out('data', 'app', 'oracle-pool.pcap.plan.json'), 'utf8')).toBe(want.json);
    expect(readFileSync(out('data', 'app', 'oracle-pool.pcap.plan.md'), 'utf8')).toBe(want.md);
    expect(readFileSync(out('data', 'db', 'mixed-small.pcapng.plan.json'), 'utf8')).toBe((await expected(['data/db/mixed-small.pcapng'])).json);
    expect(existsSync(out('data', 'app', 'README.txt.plan.json'))).toBe(false);
    expect(existsSync(out('data', 'db', 'short.pcap.plan.json'))).toBe(false);

    const csv = readFileSync(out('summary.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('dataset,status,inputs,flows,window_start,window_end,window_seconds,platform,timeout_s,sessions_with_drops,' +
      'dropped_keepalives,dropped_packets,broken_keepalive,broken_data,broken_close,entries_mean,entries_peak,entries_p99,entries_at_end,' +
      'memory_mean_bytes,memory_peak_bytes,headroom,growth_per_hour,extrapolated,error');
    // Datasets in name order, one row per candidate; the failed one has one row with its error.
    expect(csv.map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      'dataset,status', 'data/app/oracle-pool.pcap,planned', 'data/app/oracle-pool.pcap,planned',
      'data/db/mixed-small.pcapng,planned', 'data/db/mixed-small.pcapng,planned',
      'data/db/oracle-pool-unanswered.pcap,planned', 'data/db/oracle-pool-unanswered.pcap,planned', 'data/db/short.pcap,failed',
    ]);
    // The story (README): 80 flows; at 3600 s 15 sessions break and 135 keep-alives are dropped; at 9000 s none.
    const story = csv.filter((l) => l.startsWith('data/app/oracle-pool.pcap,')).map((l) => l.split(','));
    expect(story.map((c) => [c[3], c[8], c[9], c[10], c[12], c[13], c[14]])).toEqual([['80', '3600', '15', '135', '14', '1', '0'], ['80', '9000', '0', '0', '0', '0', '0']]);
    expect(csv[7]).toBe('data/db/short.pcap,failed,1,,,,,,,,,,,,,,,,,,,,,,' +
      'data/db/short.pcap: byte 0: file ends inside the 24-byte pcap header (8 bytes) [PCAP_SHORT_HEADER]');

    const summary = JSON.parse(readFileSync(out('summary.json'), 'utf8'));
    expect(summary.totals).toEqual({ datasets: 4, planned: 3, upToDate: 0, failed: 1 });
    expect(summary.datasets[3]).toMatchObject({ name: 'data/db/short.pcap', status: 'failed', error: { code: 'PCAP_SHORT_HEADER' } });
    expect(summary.datasets[0]).toMatchObject({ name: 'data/app/oracle-pool.pcap', status: 'planned', inputs: ['data/app/oracle-pool.pcap'], flows: 80 });
    // Nothing vanishes: what is not planned is listed with the reason.
    expect(summary.leftOut).toEqual([
      { path: 'data/app/README.txt', reason: 'content is none of the inputs fwtp reads (capture, profile, conntrack, flow export), and the name does not say it is one' },
      { path: 'data/db/.hidden.pcap', reason: 'hidden (the name starts with a dot): not looked at' },
    ]);
  });

  it('a re-run skips the datasets whose plans are newer than their captures; a touched capture, new settings or --force plan again', () => {
    const plan = out('data', 'app', 'oracle-pool.pcap.plan.json');
    const before = statSync(plan).mtimeMs;
    let r = runCli(['batch', 'data', '--out', 'out', ...T], { cwd: dir });
    expect(r.status).toBe(1); // short.pcap still fails
    expect(r.stdout).toBe(`4 dataset(s): 0 planned, 3 up to date, 1 failed; summary in ${join('out', 'summary.csv')} and summary.json\n` +
      '2 file(s) left out, not inputs (listed with the reason in summary.json, leftOut)\n');
    expect(statSync(plan).mtimeMs).toBe(before);
    const summary = JSON.parse(readFileSync(out('summary.json'), 'utf8'));
    expect(summary.datasets[0]).toMatchObject({ status: 'up-to-date', flows: 80 });
    expect(summary.datasets[0].candidates.map((c: { sessionsWithDrops: number }) => c.sessionsWithDrops)).toEqual([15, 0]);

    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'data', 'db', 'mixed-small.pcapng'), future, future);
    r = runCli(['batch', 'data', '--out', 'out', ...T], { cwd: dir });
    expect(r.stdout).toContain('1 planned, 2 up to date, 1 failed');

    r = runCli(['batch', 'data', '--out', 'out', '--timeouts', '3600,7200'], { cwd: dir });
    expect(r.stdout).toContain('3 planned, 0 up to date, 1 failed');
    expect(readFileSync(out('summary.csv'), 'utf8')).toContain('data/app/oracle-pool.pcap,planned,1,80,');
    expect(readFileSync(out('summary.csv'), 'utf8')).toContain(',7200,');

    r = runCli(['batch', 'data', '--out', 'out', '--timeouts', '3600,7200', '--force', '--quiet'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out('summary.json'), 'utf8')).totals).toEqual({ datasets: 4, planned: 3, upToDate: 0, failed: 1 });
  });

  it('--dataset-per-dir reads each directory as one dataset (files in name order); quoted globs select files', async () => {
    copyFileSync(sample('oracle-pool.pcap'), join(dir, 'data', 'rot', 'cap.10.pcap'));
    copyFileSync(sample('mixed-small.pcapng'), join(dir, 'data', 'rot', 'cap.2.pcapng'));
    let r = runCli(['batch', 'data/rot', '--out', 'out-dirs', ...T, '--dataset-per-dir', '--format', 'json'], { cwd: dir });
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.datasets.map((d: { name: string; inputs: string[] }) => [d.name, d.inputs])).toEqual([
      ['rot', ['data/rot/cap.2.pcapng', 'data/rot/cap.10.pcap']],
    ]);
    expect(readFileSync(join(dir, 'out-dirs', 'rot.plan.json'), 'utf8')).toBe((await expected(['data/rot/cap.2.pcapng', 'data/rot/cap.10.pcap'])).json);

    // A glob of directories: one dataset each; the one holding the damaged capture fails as a whole.
    r = runCli(['batch', 'data/*/', '--out', 'out-sites', ...T, '--dataset-per-dir', '--format', 'json'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).datasets.map((d: { name: string; status: string; inputs: string[] }) => [d.name, d.status, d.inputs.length])).toEqual([
      ['data/app', 'planned', 1], ['data/db', 'failed', 3], ['data/rot', 'planned', 2],
    ]);

    r = runCli(['batch', 'data/**/*.pcapng', '--out', 'out-glob', ...T, '--format', 'json', '--jobs', '1'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).datasets.map((d: { name: string }) => d.name)).toEqual(['data/db/mixed-small.pcapng', 'data/rot/cap.2.pcapng']);
  });

  it('usage errors: --jobs 0, a source that does not exist, nothing to plan', () => {
    expect(runCli(['batch', 'data', '--out', 'o2', '--jobs', '0'], { cwd: dir }).errLines).toEqual(['fwtp: --jobs must be a whole number of at least 1 (got 0) [CLI_INVALID_JOBS]']);
    const missing = runCli(['batch', 'nope', '--out', 'o2'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.errLines).toEqual(['fwtp: nope: no such file or directory [BATCH_NO_SUCH_SOURCE]']);
    mkdirSync(join(dir, 'empty'), { recursive: true });
    writeFileSync(join(dir, 'empty', 'notes.txt'), 'nothing here\n');
    const none = runCli(['batch', 'empty', '--out', 'o2'], { cwd: dir });
    expect(none.status).toBe(2);
    expect(none.errLines).toEqual(['fwtp: no capture, profile or other input fwtp reads under empty (1 file(s) left out, the first: empty/notes.txt: ' +
      'content is none of the inputs fwtp reads (capture, profile, conntrack, flow export), and the name does not say it is one) [BATCH_NO_INPUTS]']);
  });

  it('plans profiles like captures (a profile dataset gives the plan of its captures)', async () => {
    mkdirSync(join(dir, 'prof'), { recursive: true });
    const x = runCli(['extract', 'data/app/oracle-pool.pcap', '-o', 'prof/app.fwtp', '--quiet'], { cwd: dir });
    expect(x.status).toBe(0);
    const r = runCli(['batch', 'prof', '--out', 'out-prof', ...T], { cwd: dir });
    expect(r.errLines).toEqual([]);
    expect(readFileSync(join(dir, 'out-prof', 'prof', 'app.fwtp.plan.json'), 'utf8')).toBe((await expected(['data/app/oracle-pool.pcap'])).json);
  });
});

(haveCorpus ? describe : describe.skip)('fwtp batch over every kind of input (corpus, read in place through links)', () => {
  it('each dataset\'s plan is what fwtp plan --format json prints for it: conntrack events, series, a snapshot, sysctl, a Zeek conn.log, a capture', () => {
    const files = ['conntrack/kernel-6.18/events-timestamp.txt', 'conntrack/kernel-6.18/list-plain.txt', 'conntrack/kernel-6.18/series-epoch.txt',
      'conntrack/kernel-6.18/sysctl-netfilter.txt', 'flows/zeek/masked-timestamps.opt-basic.conn.log', 'pcap/zeek-traces/dhcp_dhcp_flood.pcap'];
    mkdirSync(join(dir, 'kinds'), { recursive: true });
    for (const f of files) symlinkSync(join(CORPUS, f), join(dir, 'kinds', f.split('/').pop()!));
    const r = runCli(['batch', 'kinds', '--out', 'out-kinds', ...T, '--format', 'json'], { cwd: dir });
    // The listing alone (its sysctl is another dataset) has no timeout in force: it fails, as plan alone does (exit 2).
    expect(r.errLines).toHaveLength(2);
    expect(r.errLines[0]).toMatch(/^fwtp: kinds\/list-plain\.txt: .*\[CONNTRACK_TIMEOUTS_UNKNOWN\]$/);
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.totals).toEqual({ datasets: 6, planned: 5, upToDate: 0, failed: 1 });
    expect(summary.datasets.find((d: { name: string }) => d.name === 'kinds/list-plain.txt')).toMatchObject({ status: 'failed', error: { code: 'CONNTRACK_TIMEOUTS_UNKNOWN' } });
    expect(runCli(['plan', join('kinds', 'list-plain.txt'), ...T, '--format', 'json', '--quiet'], { cwd: dir }).status).toBe(2);
    for (const f of files.filter((x) => !x.endsWith('list-plain.txt'))) {
      const name = f.split('/').pop()!;
      const alone = runCli(['plan', join('kinds', name), ...T, '--format', 'json', '--quiet'], { cwd: dir });
      expect(alone.status).toBe(0);
      expect(readFileSync(join(dir, 'out-kinds', 'kinds', `${name}.plan.json`), 'utf8')).toBe(alone.stdout);
    }
  });
});
