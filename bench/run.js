// npm run bench: reading speed (fwtp gaps on a generated day of sessions, against tshark on the
// same file where the machine allows), heap per open flow, and planning speed.
// Figures are printed as JSON lines; compare ratios from one run, not absolute times.
//   node bench/run.js [--packets N] [--tshark-packets N] [--skip-tshark]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : dflt; };
const packets = Number(arg('--packets', 5_000_000));
const tsharkPackets = Number(arg('--tshark-packets', 200_000));
const skipTshark = process.argv.includes('--skip-tshark');

function gen(n, file) {
  if (existsSync(file)) return JSON.parse(execFileSync('cat', [`${file}.json`], { encoding: 'utf8' }));
  const line = execFileSync(process.execPath, [join(root, 'bench', 'gen-capture.mjs'), '--out', file, '--packets', String(n), '--quiet'], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('sh', ['-c', `printf '%s' '${line}' > '${file}.json'`]);
  return JSON.parse(line);
}

/** Run a command, return wall seconds and peak RSS (KiB) from GNU time when present, else from process.resourceUsage. */
function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { wall, stdout: r.stdout };
}

function peakRss(cmd, args) {
  if (!existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const lines = r.stderr.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

const fwtp = join(root, 'bin', 'fwtp.js');
const machine = { cpus: (await import('node:os')).cpus().length, cpu: (await import('node:os')).cpus()[0].model, memGiB: Math.round((await import('node:os')).totalmem() / 2 ** 30), node: process.version };
console.log(JSON.stringify({ bench: 'machine', ...machine }));

// 1. Reading: the big capture.
const big = join(out, `day-${packets}.pcap`);
const truth = gen(packets, big);
const run = timed(process.execPath, [fwtp, 'gaps', big, '--format', 'json', '--quiet']);
const doc = JSON.parse(run.stdout);
const rss = peakRss(process.execPath, [fwtp, 'gaps', big, '--format', 'json', '--quiet']);
console.log(JSON.stringify({
  bench: 'gaps-read', file: big, fileMiB: Math.round(statSync(big).size / 2 ** 20), packets: doc.packets, flows: doc.flows.total,
  seconds: +run.wall.toFixed(2), packetsPerSecond: Math.round(doc.packets / run.wall), targetPacketsPerSecond: 2_000_000, peakRssMiB: rss === null ? null : Math.round(rss / 1024),
  agreesWithGenerator: doc.packets === truth.packets && doc.tcpStreams === truth.flows && doc.keepAlives.probes === truth.keepAliveProbes && doc.keepAlives.acks === truth.keepAliveAcks,
}));

// 2. Against tshark on a smaller file (tshark needs minutes and gigabytes on the big one).
if (!skipTshark && spawnSync('tshark', ['-v']).status === 0) {
  const small = join(out, `day-${tsharkPackets}.pcap`);
  gen(tsharkPackets, small);
  const ours = timed(process.execPath, [fwtp, 'gaps', small, '--format', 'json', '--quiet']);
  const theirs = timed('tshark', ['-r', small, '-n', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.analysis.keep_alive', '-e', 'tcp.analysis.keep_alive_ack']);
  const tsharkRss = peakRss('tshark', ['-r', small, '-n', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.analysis.keep_alive', '-e', 'tcp.analysis.keep_alive_ack']);
  console.log(JSON.stringify({ bench: 'vs-tshark', packets: tsharkPackets, fwtpSeconds: +ours.wall.toFixed(2), tsharkSeconds: +theirs.wall.toFixed(2),
    speedup: +(theirs.wall / ours.wall).toFixed(1), tsharkPacketsPerSecond: Math.round(tsharkPackets / theirs.wall), tsharkPeakRssMiB: tsharkRss === null ? null : Math.round(tsharkRss / 1024) }));
}

// 3. Heap per open flow, 4. planning speed.
for (const [script, args] of [['flow-memory.js', ['--expose-gc']], ['plan-speed.js', []]]) {
  const r = spawnSync(process.execPath, [...args, join(root, 'bench', script)], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.status !== 0) process.stderr.write(r.stderr);
}
