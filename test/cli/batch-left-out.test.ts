// fwtp batch loses nothing, as a user hits it: a directory with a good capture, a `c.pcap` holding
// text, a capture cut short mid-record and a README.txt. The text named like a capture is a failed
// dataset with its error (exit 1); the cut capture is planned with its warning; the README is
// listed in summary.json `leftOut` with the reason; no file vanishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT, runCli } from '../helpers/cli.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fwtp-batch-left-out-'));
  mkdirSync(join(dir, 'caps'));
  const story = join(ROOT, 'samples', 'oracle-pool.pcap');
  copyFileSync(story, join(dir, 'caps', 'good.pcap'));
  writeFileSync(join(dir, 'caps', 'c.pcap'), 'this is a note, not a capture\n');
  writeFileSync(join(dir, 'caps', 'cut.pcap'), readFileSync(story).subarray(0, 3000)); // cut inside the record at byte 2990
  writeFileSync(join(dir, 'caps', 'README.txt'), 'captures of the database pool\n');
  writeFileSync(join(dir, 'caps', '.DS_Store'), 'x');
}, 600_000);
afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

describe('fwtp batch over a directory a user left untidy', () => {
  it('the text named .pcap fails with its error (exit 1), the cut capture is planned with its warning, the rest is listed as left out', () => {
    const r = runCli(['batch', 'caps', '--out', 'out', '--timeouts', '3600,9000'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.errLines).toHaveLength(2);
    expect(r.errLines[0]).toMatch(/^fwtp: caps\/c\.pcap: byte 0: not a format fwtp reads .*\[INPUT_UNKNOWN_FORMAT\]$/);
    expect(r.errLines[1]).toBe(`fwtp: 1 of 3 dataset(s) failed (listed above and in ${join('out', 'summary.json')})`);
    expect(r.stdout).toBe(`3 dataset(s): 2 planned, 0 up to date, 1 failed; summary in ${join('out', 'summary.csv')} and summary.json\n` +
      '2 file(s) left out, not inputs (listed with the reason in summary.json, leftOut)\n');
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.totals).toEqual({ datasets: 3, planned: 2, upToDate: 0, failed: 1 });
    expect(summary.datasets.map((d: { name: string; status: string }) => `${d.name} ${d.status}`)).toEqual(['caps/c.pcap failed', 'caps/cut.pcap planned', 'caps/good.pcap planned']);
    expect(summary.datasets[0].error.code).toBe('INPUT_UNKNOWN_FORMAT');
    expect(summary.datasets[1].warnings[0]).toMatch(/^caps\/cut\.pcap: truncated: the last record is cut short at byte 3000/);
    expect(summary.leftOut).toEqual([
      { path: 'caps/.DS_Store', reason: 'hidden (the name starts with a dot): not looked at' },
      { path: 'caps/README.txt', reason: 'content is none of the inputs fwtp reads (capture, profile, conntrack, flow export), and the name does not say it is one' },
    ]);
    // Every file under the source is accounted for: planned, failed or left out.
    expect(summary.datasets.length + summary.leftOut.length).toBe(5);
    expect(readFileSync(join(dir, 'out', 'summary.csv'), 'utf8')).toMatch(/^caps\/c\.pcap,failed,1,.*INPUT_UNKNOWN_FORMAT\]"$/m);
  });

  it('the names that say input: .pcap .pcapng .cap .ntar .gz .log .dmp .fwtp fail when their content is not; .txt .csv go by content', () => {
    mkdirSync(join(dir, 'names'));
    const names = ['a.pcapng', 'b.CAP', 'c.ntar', 'd.pcap.gz', 'e.log', 'f.dmp', 'g.fwtp', 'h.txt', 'i.csv'];
    for (const n of names) writeFileSync(join(dir, 'names', n), 'plain words\n');
    const r = runCli(['batch', 'names', '--out', 'out-names', '--timeouts', '3600', '--format', 'json'], { cwd: dir });
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.datasets.map((d: { name: string; status: string }) => `${d.name} ${d.status}`)).toEqual(names.slice(0, 7).map((n) => `names/${n} failed`));
    expect(summary.leftOut.map((l: { path: string }) => l.path)).toEqual(['names/h.txt', 'names/i.csv']);
  });
});
