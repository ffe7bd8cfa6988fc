#!/usr/bin/env node
/**
 * The golden outputs: the JSON of gaps, plan, recommend and report (and report's Markdown) on the
 * samples and a spread of corpus inputs, as the built CLI writes them. `node scripts/golden.mjs
 * --write` records them in test/golden/; test/golden/golden.test.ts compares every run with them,
 * so a refactor that changes one byte of what users see fails the tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
export const GOLDEN_DIR = join(ROOT, 'test', 'golden');

/** Each case: a name, the inputs (corpus: paths under ../shared/corpus), and whether it needs the corpus. */
const INPUTS = [
  { name: 'oracle-pool', files: ['samples/oracle-pool.pcap'] },
  { name: 'oracle-pool-unanswered', files: ['samples/oracle-pool-unanswered.pcap'] },
  { name: 'mixed-small', files: ['samples/mixed-small.pcapng'] },
  { name: 'zeek-ftp', corpus: true, files: ['pcap/zeek-traces/ftp_cwd-navigation.pcap'] },
  { name: 'zeek-ssh', corpus: true, files: ['pcap/zeek-traces/ssh_ssh.pcap'] },
  { name: 'zeek-http206', corpus: true, files: ['pcap/zeek-traces/http_206_example_b.pcap'] },
  { name: 'conntrack-series', corpus: true, files: ['conntrack/kernel-6.18/series-epoch.txt', 'conntrack/kernel-6.18/sysctl-netfilter.txt'] },
  { name: 'conntrack-events', corpus: true, files: ['conntrack/kernel-6.18/events-timestamp.txt'] },
  { name: 'conntrack-list', corpus: true, files: ['conntrack/kernel-6.18/list-extended.txt', 'conntrack/kernel-6.18/sysctl-netfilter.txt'] },
  { name: 'zeek-conn', corpus: true, files: ['flows/zeek/clear-txt-passwd.conn.log'] },
  { name: 'nfdump', corpus: true, files: ['flows/nfdump/ftp_cwd-navigation.csv'] },
  { name: 'argus', corpus: true, files: ['flows/argus/smb_smb3_multichannel.csv'] },
];

const COMMANDS = [
  { name: 'gaps', args: ['gaps', '--format', 'json'] },
  { name: 'plan', args: ['plan', '--timeouts', '60,600,3600,9000', '--format', 'json', '--no-interactive'] },
  { name: 'plan-asa', args: ['plan', '--platform', 'cisco-asa', '--format', 'json', '--no-interactive'] },
  { name: 'recommend', args: ['recommend', '--max-broken', '0', '--format', 'json'] },
  { name: 'report', args: ['report', '--proposed', '9000', '--format', 'json'] },
  { name: 'report-md', args: ['report', '--proposed', '9000', '--format', 'md'] },
];

export function goldenCases() {
  const out = [];
  for (const input of INPUTS) {
    const files = input.files.map((f) => (input.corpus ? join(CORPUS, f) : join(ROOT, f)));
    for (const cmd of COMMANDS) out.push({ id: `${input.name}.${cmd.name}`, corpus: !!input.corpus, files, args: cmd.args });
  }
  return out;
}

/** Runs one case; paths in the output are made relative so the file does not depend on the checkout. */
export function runCase(c) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'fwtp.js'), ...c.args, '--quiet', ...c.files], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 << 20, timeout: 120_000,
  });
  const norm = (s) => s.split(CORPUS).join('<corpus>').split(ROOT).join('<root>/');
  return `exit ${r.status}\n--- stdout\n${norm(r.stdout)}\n--- stderr\n${norm(r.stderr)}`;
}

export const goldenPath = (id) => join(GOLDEN_DIR, `${id}.txt`);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = process.argv.includes('--write');
  if (!existsSync(CORPUS)) console.error('golden: ../shared/corpus is absent; corpus cases left out');
  mkdirSync(GOLDEN_DIR, { recursive: true });
  let diff = 0;
  for (const c of goldenCases()) {
    if (c.corpus && !existsSync(CORPUS)) continue;
    const got = runCase(c);
    const p = goldenPath(c.id);
    if (write) writeFileSync(p, got);
    else if (!existsSync(p) || readFileSync(p, 'utf8') !== got) { diff++; console.log(`differs: ${c.id}`); }
  }
  if (!write) console.log(diff ? `${diff} golden output(s) differ` : 'golden outputs unchanged');
  process.exitCode = diff ? 1 : 0;
}
