// npm run bench: the story in one run (issue 15 item 4). Reads a day capture with fwtp gaps, with
// tcptrace (`tcptrace -n -l`) and with tcpdump's bare read (`tcpdump -r FILE -w /dev/null`), each
// --runs times interleaved (median); fwtp against tshark on a smaller file; heap per open flow;
// planning 1 M flows x 50 candidates (synthetic, and a generated day read from its profile); the slowest key of `fwtp compare`; firewall-log lines/s.
// Ends with one table (plain text, then the same as a JSON line): each figure, its target (issues
// 13 and 15) and met / not met, the machine and the load average at start and end.
// Compare ratios from one run, not absolute times: the machine may be shared.
//   node bench/run.js [--file PCAP] [--packets N] [--runs N] [--tshark-packets N] [--skip-tshark] [--day-packets N]
// Needs `npx tsc -p tsconfig.json` first; tcptrace, tcpdump, tshark and GNU time when present.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : dflt; };
const packets = Number(arg('--packets', 2_100_000)); // a day like issue 15's: 2.1 M packets
const runs = Math.max(1, Number(arg('--runs', 3)));
const tsharkPackets = Number(arg('--tshark-packets', 200_000));
const dayPackets = Number(arg('--day-packets', 20_000_000)); // plan-day.js: about 1 M flows
const skipTshark = process.argv.includes('--skip-tshark');
const load = (l) => l.map((x) => +x.toFixed(2));
const loadStart = load(loadavg());
const fwtp = join(root, 'bin', 'fwtp.js');
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
console.log(JSON.stringify({ bench: 'machine', ...machine, loadAverageStart: loadStart }));

/** The generated capture of n packets at file (kept for later runs), and the generator's own counts. */
function gen(n, file) {
  if (!existsSync(file)) {
    const line = execFileSync(process.execPath, [join(root, 'bench', 'gen-capture.mjs'), '--out', file, '--packets', String(n), '--quiet'], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('sh', ['-c', `printf '%s' '${line}' > '${file}.json'`]);
  }
  return existsSync(`${file}.json`) ? JSON.parse(readFileSync(`${file}.json`, 'utf8')) : null;
}

const hasTime = existsSync('/usr/bin/time');
const has = (cmd, args) => { const r = spawnSync(cmd, args, { stdio: 'ignore' }); return r.error === undefined; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/**
 * One run of a command: wall seconds, CPU seconds (user + sys of the command, from GNU time),
 * peak RSS in MiB, and stdout when `keepStdout` (else it goes to /dev/null: tcptrace -l prints
 * hundreds of MB). CPU and RSS are null without /usr/bin/time.
 */
function measure(cmd, args, keepStdout = false) {
  const timeFile = join(tmpdir(), `fwtp-bench-time-${process.pid}`);
  const [c, a] = hasTime ? ['/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  let cpu = null, rssMiB = null;
  if (hasTime) {
    const f = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    rmSync(timeFile, { force: true });
    cpu = f[1] + f[2]; rssMiB = f[3] / 1024;
  }
  return { wall, cpu, rssMiB, stdout: r.stdout };
}

/** Median of each figure over the runs. */
function medianOf(list) {
  const m = (k) => (list[0][k] === null ? null : median(list.map((x) => x[k])));
  return { wall: m('wall'), cpu: m('cpu'), rssMiB: m('rssMiB'), runs: list.length };
}
const r2 = (x) => (x === null || x === undefined ? null : +x.toFixed(2));

// 1. Reading the day capture: fwtp gaps, tcpdump's bare read, tcptrace; interleaved runs.
const file = arg('--file', join(out, `day-${packets}.pcap`));
const truth = arg('--file', null) === null ? gen(packets, file) : (existsSync(`${file}.json`) ? JSON.parse(readFileSync(`${file}.json`, 'utf8')) : null);
const tools = {
  fwtp: { cmd: process.execPath, args: [fwtp, 'gaps', file, '--format', 'json', '--quiet'], present: true, list: [] },
  tcpdump: { cmd: 'tcpdump', args: ['-r', file, '-w', '/dev/null'], present: has('tcpdump', ['--version']), list: [] },
  tcptrace: { cmd: 'tcptrace', args: ['-n', '-l', file], present: has('tcptrace', ['-v']), list: [] },
};
let doc = null;
for (let i = 0; i < runs; i++) {
  for (const [name, t] of Object.entries(tools)) {
    if (!t.present) continue;
    const m = measure(t.cmd, t.args, name === 'fwtp');
    if (name === 'fwtp') doc = JSON.parse(m.stdout);
    t.list.push(m);
  }
}
const read = Object.fromEntries(Object.entries(tools).map(([k, t]) => [k, t.present ? medianOf(t.list) : null]));
const gaps = read.fwtp;
console.log(JSON.stringify({
  bench: 'gaps-read', file, fileMiB: Math.round(statSync(file).size / 2 ** 20), packets: doc.packets, flows: doc.flows.total, runs,
  seconds: r2(gaps.wall), cpuSeconds: r2(gaps.cpu), peakRssMiB: gaps.rssMiB === null ? null : Math.round(gaps.rssMiB),
  packetsPerSecond: Math.round(doc.packets / gaps.wall), packetsPerCpuSecond: gaps.cpu === null ? null : Math.round(doc.packets / gaps.cpu),
  agreesWithGenerator: truth === null ? null : doc.packets === truth.packets && doc.tcpStreams === truth.flows && doc.keepAlives.probes === truth.keepAliveProbes && doc.keepAlives.acks === truth.keepAliveAcks,
  tcpdump: read.tcpdump === null ? 'missing' : { seconds: r2(read.tcpdump.wall), cpuSeconds: r2(read.tcpdump.cpu), peakRssMiB: r2(read.tcpdump.rssMiB) },
  tcptrace: read.tcptrace === null ? 'missing' : { seconds: r2(read.tcptrace.wall), cpuSeconds: r2(read.tcptrace.cpu), peakRssMiB: r2(read.tcptrace.rssMiB) },
}));

// 2. Against tshark on a smaller file (tshark needs minutes and gigabytes on the big one).
let vsTshark = null;
if (!skipTshark && has('tshark', ['-v'])) {
  const small = join(out, `day-${tsharkPackets}.pcap`);
  gen(tsharkPackets, small);
  const fields = ['-r', small, '-n', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.analysis.keep_alive', '-e', 'tcp.analysis.keep_alive_ack'];
  const ours = [], theirs = [];
  for (let i = 0; i < runs; i++) {
    ours.push(measure(process.execPath, [fwtp, 'gaps', small, '--format', 'json', '--quiet']));
    theirs.push(measure('tshark', fields));
  }
  const o = medianOf(ours), t = medianOf(theirs);
  vsTshark = { packets: tsharkPackets, fwtpSeconds: r2(o.wall), tsharkSeconds: r2(t.wall), speedup: +(t.wall / o.wall).toFixed(1),
    cpuSpeedup: o.cpu === null ? null : +(t.cpu / o.cpu).toFixed(1), tsharkPeakRssMiB: t.rssMiB === null ? null : Math.round(t.rssMiB) };
  console.log(JSON.stringify({ bench: 'vs-tshark', runs, ...vsTshark }));
}

// 3.-6. The scripts that measure inside one process; each prints JSON.
function script(name, args = [], nodeArgs = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, join(root, 'bench', name), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) { process.stderr.write(`${name} failed:\n${r.stderr}`); return null; }
  process.stdout.write(r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`);
  return r.stdout;
}
const lastJson = (text) => (text === null ? null : JSON.parse(text.trim().split('\n').pop()));
const memory = lastJson(script('flow-memory.js', [], ['--expose-gc']));
const plans = [];
for (let i = 0; i < runs; i++) plans.push(lastJson(script('plan-speed.js')));
const planMs = plans.every((p) => p !== null) ? median(plans.map((p) => p.totalAfterReadMs)) : null;
// A day's flows planned after reading them (plan-day.js): generated once (20 M packets), kept as a profile.
const dayProfile = join(out, `day-${dayPackets}.fwtp`);
if (!existsSync(dayProfile)) {
  const capture = join(out, `day-${dayPackets}.pcap`);
  gen(dayPackets, capture);
  execFileSync(process.execPath, [fwtp, 'extract', capture, '-o', dayProfile, '--quiet'], { stdio: 'ignore' });
  rmSync(capture, { force: true }); // 2 GB; the profile holds what the plan reads
}
const dayPlans = [];
for (let i = 0; i < runs; i++) dayPlans.push(lastJson(script('plan-day.js', [dayProfile])));
const dayPlan = dayPlans.every((p) => p !== null) ? { ...dayPlans[0], planMs: median(dayPlans.map((p) => p.planMs)) } : null;
const tuiText = script('tui-bench.mjs');
const tui = tuiText === null ? null : JSON.parse(tuiText.slice(tuiText.indexOf('{')));
let slowestKey = null;
if (tui !== null) {
  for (const view of ['view160x48', 'view80x24']) {
    for (const [key, k] of Object.entries(tui[view].keys)) if (slowestKey === null || k.figuresMs > slowestKey.ms) slowestKey = { ms: k.figuresMs, key, view, cpuMs: k.frameCpuMs };
  }
}
const fwlogRuns = [];
for (let i = 0; i < runs; i++) {
  const t = script('fwlog-speed.js', [], ['--expose-gc']);
  fwlogRuns.push(t === null ? null : t.trim().split('\n').map((l) => JSON.parse(l)));
}
const fwlog = (vendor) => {
  if (fwlogRuns.some((r) => r === null)) return null;
  const rows = fwlogRuns.map((r) => r.find((x) => x.vendor === vendor));
  return { linesPerSecond: median(rows.map((x) => x.linesPerSecond)), linesPerCpuSecond: median(rows.map((x) => x.linesPerCpuSecond)), heapGrowthKiB: Math.max(...rows.map((x) => x.heapGrowthKiB)) };
};
const asa = fwlog('cisco-asa'), kern = fwlog('linux-log');

// The table.
const loadEnd = load(loadavg());
const fmt = (x, d = 0) => (x === null || x === undefined ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const met = (ok, target) => (target === '-' ? '-' : ok === null ? 'n/a' : ok ? 'met' : 'NOT MET');
const rows = [];
const row = (what, figure, target, ok, data) => rows.push({ what, figure, target, status: met(ok, target), ...data });
row('gaps: fwtp reading the capture', `${fmt(gaps.wall, 2)} s wall, ${fmt(gaps.cpu, 2)} s CPU, ${fmt(gaps.rssMiB)} MiB peak RSS, ${fmt(doc.packets / gaps.wall / 1e6, 2)} M packets/s`,
  '-', null, { seconds: r2(gaps.wall), cpuSeconds: r2(gaps.cpu), peakRssMiB: r2(gaps.rssMiB), packets: doc.packets, flows: doc.flows.total });
const tt = read.tcptrace, td = read.tcpdump;
row('gaps vs tcptrace -n -l', tt === null ? 'tcptrace missing (Debian package tcptrace)' : `${fmt(tt.wall / gaps.wall, 1)}x faster (tcptrace ${fmt(tt.wall, 2)} s wall, ${fmt(tt.cpu, 2)} s CPU, ${fmt(tt.rssMiB)} MiB; CPU ratio ${fmt(tt.cpu / gaps.cpu, 1)}x)`,
  '>= 20x faster', tt === null ? null : tt.wall / gaps.wall >= 20, { ratio: tt === null ? null : r2(tt.wall / gaps.wall), cpuRatio: tt === null || tt.cpu === null ? null : r2(tt.cpu / gaps.cpu) });
row('gaps vs tcpdump -r -w /dev/null', td === null ? 'tcpdump missing' : `${fmt(gaps.wall / td.wall, 1)}x its time (tcpdump ${fmt(td.wall, 2)} s wall, ${fmt(td.cpu, 2)} s CPU; CPU ratio ${fmt(gaps.cpu / td.cpu, 1)}x)`,
  '<= 1.5x', td === null ? null : gaps.wall / td.wall <= 1.5, { ratio: td === null ? null : r2(gaps.wall / td.wall), cpuRatio: td === null || td.cpu === null ? null : r2(gaps.cpu / td.cpu) });
if (vsTshark !== null) row(`gaps vs tshark (${fmt(tsharkPackets)} packets)`, `${vsTshark.speedup}x faster (tshark ${vsTshark.tsharkSeconds} s, fwtp ${vsTshark.fwtpSeconds} s)`, '-', null, { ratio: vsTshark.speedup });
row('heap per open flow (1 M open TCP flows)', memory === null ? 'failed' : `${fmt(memory.bytesPerOpenFlow)} B`, '<= 150 B', memory === null ? null : memory.bytesPerOpenFlow <= 150, { bytes: memory?.bytesPerOpenFlow ?? null });
row('plan: 1 M flows x 50 candidates', planMs === null ? 'failed' : `${fmt(planMs / 1000, 2)} s after reading`, '< 2 s', planMs === null ? null : planMs < 2000, { ms: planMs });
row(dayPlan === null ? 'plan: a day of flows x 50 candidates' : `plan: a day's ${fmt(dayPlan.flows)} flows x 50 candidates`, dayPlan === null ? 'failed'
  : `${fmt(dayPlan.planMs / 1000, 2)} s after reading (${fmt(dayPlan.gaps / 1e6, 2)} M gaps, from ${dayPackets / 1e6} M packets)`, '< 2 s', dayPlan === null ? null : dayPlan.planMs < 2000, { ms: dayPlan?.planMs ?? null, flows: dayPlan?.flows ?? null, gaps: dayPlan?.gaps ?? null });
row('compare: slowest key to its figures', slowestKey === null ? 'failed' : `${fmt(slowestKey.ms)} ms ('${slowestKey.key}', ${slowestKey.view.slice(4)})`, '< 100 ms', slowestKey === null ? null : slowestKey.ms < 100, { ms: slowestKey?.ms ?? null, key: slowestKey?.key ?? null });
for (const [name, f] of [['Cisco ASA', asa], ['Linux kernel LOG', kern]]) {
  row(`fwlog: ${name} lines/s`, f === null ? 'failed' : `${fmt(f.linesPerSecond / 1000)}k lines/s (${fmt(f.linesPerCpuSecond / 1000)}k per CPU s; heap growth ${fmt(f.heapGrowthKiB)} KiB)`,
    '>= 500k lines/s', f === null ? null : f.linesPerSecond >= 500_000, f ?? {});
}

const w = [0, 0, 0, 0];
const cells = rows.map((r) => [r.what, r.figure, r.target, r.status]);
for (const c of [['what', 'figure', 'target', 'status'], ...cells]) c.forEach((x, i) => { w[i] = Math.max(w[i], x.length); });
const line = (c) => c.map((x, i) => x.padEnd(w[i])).join(' | ').trimEnd();
console.log('');
console.log(`fwtp bench: ${machine.cpus} cpus (${machine.model}), ${machine.memGiB} GiB, node ${machine.node}; load average ${loadStart.join(' ')} at start, ${loadEnd.join(' ')} at end; median of ${runs} runs; ${file}`);
console.log(line(['what', 'figure', 'target', 'status']));
console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
for (const c of cells) console.log(line(c));
console.log(JSON.stringify({ bench: 'summary', machine, loadAverageStart: loadStart, loadAverageEnd: loadEnd, runs, file, rows }));
