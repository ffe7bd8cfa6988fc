// docs/SCALING.md's GNU parallel recipe, end to end on this machine with local workers
// (`parallel -j 2`, no ssh): extract every shard of the captures, merge, plan. The merged
// profile must be byte for byte the profile of one `fwtp extract` over all captures, and the
// plan of the merged profile the plan of the captures at once.
// Nothing here depends on timing; the timeouts (300 s per test, 120 s per command) only bound a
// hang on a loaded machine (docs/LAB.md, "Timing margins").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ensureBuilt, ROOT } from '../helpers/cli.js';

const haveParallel = spawnSync('parallel', ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveParallel) console.warn('GNU parallel is not installed (Debian package "parallel"): the parallel recipe test is skipped');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'pcap', 'zeek-traces');
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`corpus absent (${CORPUS}): the parallel recipe runs on samples/ only`);

const CAPTURES = [
  join(ROOT, 'samples', 'oracle-pool.pcap'),
  join(ROOT, 'samples', 'oracle-pool-unanswered.pcap'),
  join(ROOT, 'samples', 'mixed-small.pcapng'),
  ...(haveCorpus ? [join(CORPUS, 'echo-connections.pcap.gz'), join(CORPUS, 'dhcp_dhcp_flood.pcap')] : []),
];

let dir = '';
/** Runs a shell script with `fwtp` on PATH (a wrapper around the built bin/fwtp.js), as the docs do. */
function sh(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    // stdin /dev/null: under vitest it is the worker's IPC socket, and bash run with a socket as
    // stdin takes itself for an ssh session and reads /etc/bash.bashrc (which fails under -u).
    cwd: dir, encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, NO_COLOR: '1', CAPTURES: CAPTURES.join(' ') },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fwtp-parallel-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'fwtp'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(dir, 'bin', 'fwtp'), 0o755);
}, 600_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

(haveParallel ? describe : describe.skip)('the GNU parallel recipe (docs/SCALING.md), local workers', () => {
  it('shards numbered 1..N by {#}: the merged profile equals one extract of everything, its plan the plan of everything', { timeout: 300_000 }, () => {
    const r = sh(`
      N=4
      mkdir -p profiles
      # As docs/SCALING.md, with -j 2 local job slots instead of --sshloginfile.
      seq 1 $N | parallel --will-cite --halt now,fail=1 -j 2 fwtp extract $CAPTURES --shard {#}/$N -o profiles/shard-{#}.fwtp --quiet
      fwtp merge profiles/shard-*.fwtp -o all.fwtp --quiet
      fwtp extract $CAPTURES -o direct.fwtp --quiet
      cmp all.fwtp direct.fwtp
      fwtp plan all.fwtp --timeouts 3600,9000 --format json --quiet > merged.json
      fwtp plan $CAPTURES --timeouts 3600,9000 --format json --quiet > direct.json
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(join(dir, 'profiles')).sort()).toEqual(['shard-1.fwtp', 'shard-2.fwtp', 'shard-3.fwtp', 'shard-4.fwtp']);
    const merged = readFileSync(join(dir, 'merged.json'), 'utf8');
    expect(merged).toBe(readFileSync(join(dir, 'direct.json'), 'utf8'));
    const plan = JSON.parse(merged);
    expect(plan.inputs.map((i: { path: string }) => i.path)).toEqual(CAPTURES);
    expect(plan.flows).toBeGreaterThan(80);
  });

  it('shards numbered 0..N-1 (as a Kubernetes Indexed Job numbers them) give the same merged profile', { timeout: 300_000 }, () => {
    const r = sh(`
      N=3
      mkdir -p k8s
      seq 0 $((N-1)) | parallel --will-cite --halt now,fail=1 -j 2 'fwtp extract $CAPTURES --shard {}/'$N' -o k8s/shard-{}.fwtp --quiet'
      fwtp merge k8s/shard-2.fwtp k8s/shard-0.fwtp k8s/shard-1.fwtp -o k8s-all.fwtp --quiet
      fwtp extract $CAPTURES -o direct3.fwtp --quiet
      cmp k8s-all.fwtp direct3.fwtp
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('fwtp extract and fwtp merge on the command line', () => {
  const sample = join(ROOT, 'samples', 'oracle-pool.pcap');
  const run = (args: string[], input?: Buffer): { status: number | null; stdout: Buffer; stderr: string } => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, input, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
  };

  it('--shard N/N is shard 0/N; the profile goes to standard output when there is no -o', { timeout: 300_000 }, () => {
    expect(run(['extract', sample, '--shard', '0/3', '-o', 'a.fwtp', '-q']).status).toBe(0);
    expect(run(['extract', sample, '--shard', '3/3', '-o', 'b.fwtp', '-q']).status).toBe(0);
    const a = readFileSync(join(dir, 'a.fwtp'));
    expect(readFileSync(join(dir, 'b.fwtp')).equals(a)).toBe(true);
    const piped = run(['extract', sample, '--shard', '0/3', '-q']);
    expect(piped.status).toBe(0);
    expect(piped.stdout.equals(a)).toBe(true);
  });

  it('merge reads standard input (-) and prints what it wrote as JSON; a complete merge holds all shards', { timeout: 300_000 }, () => {
    for (const i of [1, 2]) expect(run(['extract', sample, '--shard', `${i}/3`, '-o', `c${i}.fwtp`, '-q']).status).toBe(0);
    const r = run(['merge', '-', 'c1.fwtp', 'c2.fwtp', '-o', 'c.fwtp', '--format', 'json'], readFileSync(join(dir, 'a.fwtp')));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout.toString('utf8'));
    expect(s).toMatchObject({ output: 'c.fwtp', flows: 80, inputs: [sample], shards: [null] });
    expect(s.bytes).toBe(readFileSync(join(dir, 'c.fwtp')).length);
  });

  it('errors: an invalid --shard (2), a profile given to extract (2), merge of something that is not a profile (1)', { timeout: 300_000 }, () => {
    const bad = run(['extract', sample, '--shard', '4/3', '-o', 'x.fwtp']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('fwtp: --shard takes I/N with 1 <= N and 0 <= I <= N (0..N-1, or 1..N as GNU parallel numbers jobs); got "4/3" [CLI_INVALID_SHARD]\n');
    const again = run(['extract', 'a.fwtp', '-o', 'x.fwtp']);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe('fwtp: a.fwtp is a profile already: combine profiles with fwtp merge [CLI_EXTRACT_PROFILE]\n');
    const notProfile = run(['merge', sample, '-o', 'x.fwtp']);
    expect(notProfile.status).toBe(1);
    expect(notProfile.stderr).toBe(`fwtp: ${sample}: byte 0: not an fwtp profile (the magic \\x89FWTP\\r\\n\\x1a is missing) [PROFILE_BAD_MAGIC]\n`);
    expect(existsSync(join(dir, 'x.fwtp'))).toBe(false);
  });
});
