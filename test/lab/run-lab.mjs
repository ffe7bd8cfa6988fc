#!/usr/bin/env node
// The lab driver (docs/LAB.md): builds one namespace set per run, plays the same scripted workload
// through a Linux firewall at the baseline (no expiry) and at each candidate established timeout,
// all runs in parallel from one common start instant, and writes what the kernel did to
// OUT/results.json (truth per run + paths of the captures).
//
//   node test/lab/run-lab.mjs --out DIR [--only ka,off]
//
// Exit status: 0 done, 1 failed, 2 the lab cannot run here (not root, no netns, missing tools;
// the reason is on stderr). Namespaces are fwtp-<pid>-<run>-{app,fw,db}; they are removed on every
// exit path (normal, error, SIGINT/SIGTERM, watchdog); leftovers of dead drivers are removed at start.
import { spawn, execFileSync, execFile } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, openSync, closeSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { SERVICE_PORTS, SVC_GLOBAL_SECONDS, SVC_SCENARIO, attemptSessions, serviceOfPort, writeSynthCapture } from './services.mjs';
import { ULOGD_READY, ULOG_GROUP, ulogdConfig } from './ulogd.mjs';

const execFileP = promisify(execFile);
const LAB_DIR = dirname(fileURLToPath(import.meta.url));
const LAB_SH = join(LAB_DIR, 'lab.sh');
const NFLOG_GROUP = 5;
const SAMPLE_INTERVAL_MS = 100;
/** Scheduling priority of the client, db and sampler (see startIn). */
// -10, not -5: at -5 (weight 3121 against 1024 at nice 0) clients were seen 280 to 530 ms late on
// the shared 2-core machine (load 10 to 20 from other work), all runs at the same instants (docs/LAB.md).
const NICENESS = -10;
/** Every this many samples the sampler also runs `conntrack -L` (~10 ms of system time each). */
const LIST_CHECK_EVERY = 10;
/**
 * Baseline runs also record a conntrack dump series (series.mjs: `date +%s.%N` + `conntrack -L -o
 * extended`) at this interval, which `fwtp plan` reads instead of the capture (docs/LAB.md "The
 * dump series"). 500 ms: a dump costs ~10 ms of system time; two baselines at 2 Hz are ~2 % of a CPU.
 */
export const SERIES_INTERVAL_MS = 500;
/** Established timeout of the baseline runs: longer than any run, so nothing expires. */
const BASELINE_ESTABLISHED_SECONDS = 3600;
/** Whole-lab budget; the vitest hook allows a little more. */
const WATCHDOG_MS = 270_000;
/** Gaps must stay this far from every candidate and from the keep-alive idle time (timer jitter). */
const SAFETY_MARGIN_SECONDS = 0.5;

/**
 * The workload. Times in seconds. A pattern opens a session, sends a first query 0.1 s later,
 * then one query after each of `gaps`; `close` is the idle time before the client closes (FIN),
 * absent = the session leaks (stays open, idle, until the end). Sessions are opened every
 * `openEverySeconds` in round-robin pattern order.
 */
export const SCENARIOS = [
  {
    name: 'ka',
    title: 'keep-alives on (db: idle 6 s, interval 2 s, 3 probes)',
    keepAlive: { idleSeconds: 6, intervalSeconds: 2, count: 3 },
    candidates: [4, 10],
    stateTimeouts: {}, // kernel defaults (time_wait 120 s > the run)
    tailSeconds: 14, // > idle + (count - 1) * interval + the RST, after the last event
    openEverySeconds: 0.6,
    patterns: [
      { name: 'short-close', n: 6, gaps: [1, 2, 0.5], close: 1 },
      { name: 'short-leak', n: 5, gaps: [2, 3] },
      { name: 'mid-resume', n: 4, gaps: [1, 5, 1], close: 2 },
      { name: 'long-resume', n: 4, gaps: [2, 8, 1], close: 1 },
      { name: 'long-close', n: 4, gaps: [1], close: 9 },
      { name: 'mid-close', n: 3, gaps: [3], close: 5 },
      { name: 'very-long', n: 4, gaps: [15, 1], close: 2 },
    ],
  },
  {
    name: 'off',
    title: 'keep-alives off, time_wait scaled to 3 s',
    keepAlive: null,
    candidates: [3, 6, 12],
    stateTimeouts: { time_wait: 3 },
    tailSeconds: 13, // > the largest candidate: every entry of the workload can expire in the window
    openEverySeconds: 0.6,
    gcProbeCandidate: 3, // an extra run sampling only `conntrack -C` (gc reaping lag)
    patterns: [
      { name: 'short-close', n: 4, gaps: [1, 2, 1], close: 2 },
      { name: 'short-leak', n: 5, gaps: [1] },
      { name: 'resume-4.5', n: 4, gaps: [2, 4.5, 1], close: 1 },
      { name: 'resume-8', n: 4, gaps: [1, 8], close: 1 },
      { name: 'resume-14', n: 4, gaps: [14, 1], close: 2 },
      { name: 'close-9.5', n: 3, gaps: [2], close: 9.5 },
      { name: 'close-5', n: 3, gaps: [1, 2], close: 5 },
      { name: 'leak-after-15', n: 3, gaps: [2, 15] },
    ],
  },
  SVC_SCENARIO,
];

// ---------------------------------------------------------------------------------------------
// Workload design

/** The schedule of one scenario: sessions with events at ms offsets from the common start. */
export function buildSchedule(scenario) {
  const queue = scenario.patterns.map((p) => ({ pattern: p, left: p.n }));
  const sessions = [];
  for (let id = 0; queue.some((q) => q.left > 0); ) {
    for (const q of queue) {
      if (q.left === 0) continue;
      q.left--;
      const openMs = Math.round((0.3 + id * scenario.openEverySeconds) * 1000);
      const events = [{ atMs: openMs, op: 'open' }];
      let t = openMs + 100;
      events.push({ atMs: t, op: 'query' });
      for (const g of q.pattern.gaps) {
        t += Math.round(g * 1000);
        events.push({ atMs: t, op: 'query' });
      }
      if (q.pattern.close !== undefined) events.push({ atMs: t + Math.round(q.pattern.close * 1000), op: 'close' });
      // Two-service scenario (services.mjs): the pattern's service gives the server port.
      const port = q.pattern.service !== undefined ? SERVICE_PORTS[q.pattern.service] : undefined;
      sessions.push({ id, pattern: q.pattern.name, ...(port !== undefined ? { port } : {}), events });
      id++;
    }
  }
  sessions.push(...attemptSessions(scenario, sessions.length));
  const lastEventMs = Math.max(...sessions.flatMap((s) => s.events.map((e) => e.atMs)));
  return { sessions, lastEventMs };
}

/**
 * What the design says the firewall must do to one pattern at one candidate timeout, from the
 * idle times on the wire: with keep-alives on, a gap longer than the idle time shows a probe at
 * idle (and every idle after), so the firewall sees idle-long silences only; a leaked session is
 * silent forever without keep-alives. Returns null (no drop) or the kind of the first dropped packet.
 */
export function expectedBreak(pattern, timeoutSeconds, keepAlive) {
  const idles = [...pattern.gaps.map((g) => ({ g, kind: 'data' }))];
  if (pattern.close !== undefined) idles.push({ g: pattern.close, kind: 'close' });
  else if (keepAlive) idles.push({ g: Infinity, kind: 'data' });
  for (const { g, kind } of idles) {
    if (keepAlive && g > keepAlive.idleSeconds) {
      if (timeoutSeconds < keepAlive.idleSeconds) return 'keepAlive';
      continue;
    }
    if (g > timeoutSeconds) return kind;
  }
  return null;
}

/**
 * Expected kernel truth per candidate (a broken session's db probes all die: count each).
 * `timeoutFor(pattern)` gives a pattern's timeout when services have their own (per-service
 * policy); `service` keeps only that service's patterns. Keep-alives only where the pattern's
 * service has them (two-service scenario).
 */
export function expectedTruth(scenario, timeoutSeconds, { timeoutFor = () => timeoutSeconds, service = null } = {}) {
  const out = { sessionsWithDrops: 0, droppedKeepAlives: 0, brokenByKind: { keepAlive: 0, data: 0, close: 0 } };
  for (const p of scenario.patterns) {
    if (service !== null && p.service !== service) continue;
    const keepAlive = p.service !== undefined && !scenario.services[p.service].keepAlive ? null : scenario.keepAlive;
    const kind = expectedBreak(p, timeoutFor(p), keepAlive);
    if (kind === null) continue;
    out.sessionsWithDrops += p.n;
    out.brokenByKind[kind] += p.n;
    // The db hears nothing after the entry expired: its full probe series is dropped.
    if (keepAlive) out.droppedKeepAlives += p.n * keepAlive.count;
  }
  return out;
}

/** Per service (two-service scenario): expectedTruth of each service's patterns. */
export function expectedByService(scenario, timeoutFor) {
  return Object.fromEntries(Object.keys(scenario.services).map((name) => [name, expectedTruth(scenario, NaN, { timeoutFor, service: name })]));
}

/**
 * Throws when an idle time on the wire could land within SAFETY_MARGIN_SECONDS of a candidate or
 * of the keep-alive idle time, where timer jitter could flip the outcome. With keep-alives, a gap
 * longer than the idle time is cut by probes every idle seconds: the remainder must stay clear of
 * the next probe on both sides (which of probe and data comes first must not be a coin toss).
 */
export function assertGapsSafe(scenario, extraTimeouts = {}) {
  const ka = scenario.keepAlive;
  const fail = (p, g, what) => {
    throw new Error(`scenario ${scenario.name} pattern ${p.name}: gap ${g} s too close to ${what}`);
  };
  if (ka) {
    for (const c of scenario.candidates) {
      if (Math.abs(c - ka.idleSeconds) < SAFETY_MARGIN_SECONDS) throw new Error(`candidate ${c} s too close to the keep-alive idle`);
    }
  }
  for (const p of scenario.patterns) {
    const ka = p.service !== undefined && !scenario.services[p.service].keepAlive ? null : scenario.keepAlive;
    for (const g of [...p.gaps, ...(p.close !== undefined ? [p.close] : [])]) {
      if (ka && g > ka.idleSeconds) {
        const remainder = g % ka.idleSeconds;
        if (remainder < SAFETY_MARGIN_SECONDS || ka.idleSeconds - remainder < SAFETY_MARGIN_SECONDS) fail(p, g, 'a keep-alive probe');
        continue;
      }
      if (ka && ka.idleSeconds - g < SAFETY_MARGIN_SECONDS) fail(p, g, 'the keep-alive idle');
      for (const c of [...scenario.candidates, ...(extraTimeouts[p.service] ?? [])]) if (Math.abs(g - c) < SAFETY_MARGIN_SECONDS) fail(p, g, `timeout ${c} s`);
    }
    // A per-service timeout under the keep-alive idle would let the probe decide (not designed).
    if (ka) for (const c of extraTimeouts[p.service] ?? []) if (Math.abs(c - ka.idleSeconds) < SAFETY_MARGIN_SECONDS) fail(p, c, 'the keep-alive idle');
  }
}

// ---------------------------------------------------------------------------------------------
// Processes and namespaces

const children = new Set();
const prefixes = new Set();
let tornDown = false;

function teardownAllSync() {
  if (tornDown) return;
  tornDown = true;
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  for (const prefix of prefixes) {
    try {
      execFileSync('bash', [LAB_SH, 'teardown', prefix], { stdio: 'ignore', timeout: 10_000 });
    } catch {}
  }
}
process.on('exit', teardownAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`run-lab: ${sig}, cleaning up\n`);
    teardownAllSync();
    process.exit(130);
  });
}

/**
 * Starts `cmd` inside namespace `ns` (ip netns exec and nice exec in place: child.pid is the
 * command). `niceness` < 0 for the processes whose timing matters (client, db, sampler): they use
 * little CPU, but on a shared, loaded machine their wake-ups must not queue behind other work.
 */
function startIn(ns, cmd, args, { stdoutFile, stdin = false, niceness = 0 } = {}) {
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : null;
  const argv = niceness !== 0 ? ['nice', '-n', String(niceness), cmd, ...args] : [cmd, ...args];
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
    stdio: [stdin ? 'pipe' : 'ignore', fd ?? 'pipe', 'pipe'],
  });
  if (fd !== null) closeSync(fd);
  child.stderrText = '';
  child.stdoutText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { child.stderrText += d; });
  if (child.stdout) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { child.stdoutText += d; });
  }
  // 'exit' can come before the last stderr bytes are read (tcpdump prints its statistics as it
  // exits; under load they were missing): resolve on 'close', when stdio is drained, or 5 s after
  // 'exit' should a grandchild keep a pipe open.
  child.exited = new Promise((res) => {
    let timer = null;
    const done = (code, signal) => { if (timer !== null) clearTimeout(timer); children.delete(child); res({ code, signal }); };
    child.on('close', (code, signal) => done(code, signal));
    child.on('exit', (code, signal) => { timer = setTimeout(() => done(code, signal), 5000); });
  });
  children.add(child);
  return child;
}

function waitFor(child, stream, needle, what, timeoutMs = 15_000) {
  return new Promise((res, rej) => {
    const key = stream === 'stderr' ? 'stderrText' : 'stdoutText';
    const timer = setTimeout(() => rej(new Error(`${what}: no "${needle}" within ${timeoutMs} ms: ${child.stderrText}`)), timeoutMs);
    const check = () => {
      if (child[key].includes(needle)) {
        clearTimeout(timer);
        res();
        return true;
      }
      return false;
    };
    if (check()) return;
    child[stream].on('data', check);
    child.exited.then(({ code }) => {
      if (!check()) {
        clearTimeout(timer);
        rej(new Error(`${what} exited (${code}) before "${needle}": ${child.stderrText}`));
      }
    });
  });
}

async function stopChild(child, signal, timeoutMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const r = await child.exited;
  clearTimeout(timer);
  return r;
}

const sleep = (ms) => new Promise((res) => setTimeout(res, Math.max(0, ms)));

// ---------------------------------------------------------------------------------------------
// One run

function planRuns(scenarios) {
  const runs = [];
  for (const sc of scenarios) {
    runs.push({ name: `${sc.name}b`, scenario: sc, role: 'baseline', establishedSeconds: BASELINE_ESTABLISHED_SECONDS, listSampling: true });
    for (const c of sc.candidates) {
      // Two-service scenario: the short run also writes the firewall's logs (ulogd2, conntrack -E).
      runs.push({ name: `${sc.name}${c}`, scenario: sc, role: 'candidate', establishedSeconds: c, listSampling: true,
        firewallLogs: sc.services !== undefined });
    }
    if (sc.services !== undefined) {
      // The same global timeout with the ct timeout policy `fwtp recommend --emit linux` printed.
      runs.push({ name: `${sc.name}p`, scenario: sc, role: 'policy', establishedSeconds: SVC_GLOBAL_SECONDS, listSampling: true });
    }
    if (sc.gcProbeCandidate !== undefined) {
      // Same workload and timeout as the candidate run, but nothing lists the table: only the
      // kernel's gc reaps, and the counter shows how long expired entries stay counted.
      runs.push({ name: `${sc.name}${sc.gcProbeCandidate}c`, scenario: sc, role: 'gcProbe', establishedSeconds: sc.gcProbeCandidate,
        listSampling: false, twin: `${sc.name}${sc.gcProbeCandidate}` });
    }
  }
  return runs;
}

async function prepareRun(run, outDir) {
  const sc = run.scenario;
  const stepMs = (run.prepareMs = {});
  let stepAt = Date.now();
  const step = (name) => { const now = Date.now(); stepMs[name] = now - stepAt; stepAt = now; };
  run.prefix = `fwtp-${process.pid}-${run.name}`;
  run.dir = join(outDir, run.name);
  mkdirSync(run.dir, { recursive: true });
  const ka = sc.keepAlive ?? { idleSeconds: 7200, intervalSeconds: 75, count: 9 };
  const stateArgs = Object.entries(sc.stateTimeouts).map(([k, v]) => `${k}=${v}`);
  prefixes.add(run.prefix);
  // At NICENESS too: the processes of the runs already set up (tcpdump, db) would otherwise come first.
  await execFileP('nice', ['-n', String(NICENESS), 'bash', LAB_SH, 'setup', run.prefix, String(run.establishedSeconds), String(ka.idleSeconds),
    String(ka.intervalSeconds), String(ka.count), ...stateArgs], { env: { ...process.env, ...(run.firewallLogs ? { LAB_ULOG_GROUP: String(ULOG_GROUP) } : {}) } });
  step('namespaces');
  const fw = `${run.prefix}-fw`;
  if (run.role === 'policy') {
    // Applied as fwtp printed it (its table is `inet fwtp`, the lab's own: nft merges the ct
    // timeout objects and the prerouting chain into it).
    run.policyFile = sc.policy.file;
    await execFileP('ip', ['netns', 'exec', fw, 'nft', '-f', run.policyFile]);
  }
  run.files = {
    appSide: join(run.dir, 'app-side.pcap'),
    dbSide: join(run.dir, 'db-side.pcap'),
    drops: join(run.dir, 'drops.pcap'),
    samples: join(run.dir, 'samples.jsonl'),
    client: join(run.dir, 'client.jsonl'),
    schedule: join(run.dir, 'schedule.json'),
    ...(run.role === 'baseline' ? { series: join(run.dir, 'series.txt'), sysctl: join(run.dir, 'sysctl.txt') } : {}),
    ...(run.firewallLogs ? { ulogdConf: join(run.dir, 'ulogd.conf'), ulogdSelf: join(run.dir, 'ulogd.self.log'),
      fwLog: join(run.dir, 'drops.logemu'), ctEvents: join(run.dir, 'conntrack-events.txt') } : {}),
  };
  if (run.firewallLogs) {
    // One ulogd per run (its own configuration, its own files); stopped in stopRun, killed with
    // every other child on the error and signal paths (teardownAllSync, lab.sh teardown).
    writeFileSync(run.files.ulogdConf, ulogdConfig({ selfLog: run.files.ulogdSelf, emuFile: run.files.fwLog }));
    writeFileSync(run.files.fwLog, '');
    run.ulogd = startIn(fw, 'ulogd', ['-c', run.files.ulogdConf], { niceness: NICENESS });
    await waitUntil(() => fileText(run.files.ulogdSelf).includes(ULOGD_READY) || run.ulogd.exitCode !== null, 15_000);
    if (!fileText(run.files.ulogdSelf).includes(ULOGD_READY)) throw new Error(`${run.name} ulogd did not start: ${fileText(run.files.ulogdSelf)} ${run.ulogd.stderrText}`);
    // The session-end log of a Linux firewall: conntrack events with their times (docs/CONNTRACK.md).
    run.ctEvents = startIn(fw, 'conntrack', ['-E', '-o', 'timestamp'], { stdoutFile: run.files.ctEvents, niceness: NICENESS });
    step('ulogd');
  }
  if (run.role === 'baseline') {
    // The timeouts the series is taken under, once at the start (docs/CONNTRACK.md "Taking the inputs").
    const { stdout } = await execFileP('ip', ['netns', 'exec', fw, 'sysctl', 'net.netfilter']);
    writeFileSync(run.files.sysctl, stdout);
  }
  // -B 8192: an 8 MiB kernel buffer (the default is 2 MiB), so a capture that waits for the CPU on
  // a loaded machine queues packets instead of losing them; NICENESS so it seldom waits.
  const tcpdump = (iface, file, filter) => startIn(fw, 'tcpdump', ['-Z', 'root', '-n', '-i', iface, '-s', '128', '-U',
    '--immediate-mode', '-B', '8192', '-w', file, ...filter], { niceness: NICENESS });
  run.captures = {
    appSide: tcpdump('fa', run.files.appSide, ['tcp']),
    dbSide: tcpdump('fd', run.files.dbSide, ['tcp']),
    drops: tcpdump(`nflog:${NFLOG_GROUP}`, run.files.drops, []),
  };
  run.db = startIn(`${run.prefix}-db`, process.execPath, [join(LAB_DIR, 'db-server.mjs'), '--keepalive', sc.keepAlive ? 'on' : 'off',
    ...(sc.services !== undefined ? ['--api-port', String(SERVICE_PORTS.api)] : [])], { niceness: NICENESS });
  await Promise.all([
    ...Object.entries(run.captures).map(([k, c]) => waitFor(c, 'stderr', 'listening on', `${run.name} tcpdump ${k}`)),
    waitFor(run.db, 'stdout', '"ready"', `${run.name} db-server`),
  ]);
  step('processes');
}

/**
 * The table sampler and (baselines) the dump series, started once every run is set up: they read
 * the table 10 and 2 times a second at NICENESS, and started with their run they took CPU from the
 * setup of the runs after it for up to 50 s (docs/LAB.md "Wall time"). Only their samples from
 * the start instant on are used.
 */
async function startProbes(run) {
  const fw = `${run.prefix}-fw`;
  run.sampler = startIn(fw, process.execPath, [join(LAB_DIR, 'sampler.mjs'), '--interval-ms', String(SAMPLE_INTERVAL_MS),
    '--proc', run.listSampling ? '1' : '0', '--list-every', run.listSampling ? String(LIST_CHECK_EVERY) : '0'],
  { stdoutFile: run.files.samples, niceness: NICENESS });
  if (run.role === 'baseline') {
    // NICENESS: the dumps must keep their grid on a loaded machine (the test checks the rate).
    run.series = startIn(fw, process.execPath, [join(LAB_DIR, 'series.mjs'), '--interval-ms', String(SERIES_INTERVAL_MS)],
      { stdoutFile: run.files.series, niceness: NICENESS });
  }
  await Promise.all([
    waitUntil(() => fileText(run.files.samples).includes('{"t"') || run.sampler.exitCode !== null, 30_000),
    ...(run.series ? [waitFor(run.series, 'stderr', 'ready', `${run.name} series`)] : []),
  ]);
  if (!fileText(run.files.samples).includes('{"t"')) throw new Error(`${run.name} sampler took no sample: ${run.sampler.stderrText}`);
}

/** Starts the client and waits until it has loaded its schedule (it then waits for "START"). */
async function startClient(run, schedule) {
  writeFileSync(run.files.schedule, JSON.stringify({ sessions: schedule.sessions }));
  run.client = startIn(`${run.prefix}-app`, process.execPath, [join(LAB_DIR, 'app-client.mjs'), '--schedule', run.files.schedule],
    { stdin: true, niceness: NICENESS });
  await waitFor(run.client, 'stdout', '"ev":"ready"', `${run.name} app-client`);
}

/** tcpdump's exit statistics: "N packets captured", "N packets dropped by kernel". */
function tcpdumpStats(text) {
  const num = (re) => Number(re.exec(text)?.[1] ?? NaN);
  return { captured: num(/(\d+) packets? captured/), droppedByKernel: num(/(\d+) packets? dropped by kernel/) };
}

/** The named nft counters of the firewall: name -> packets. */
async function nftCounters(fw) {
  const { stdout } = await execFileP('ip', ['netns', 'exec', fw, 'nft', 'list', 'counters', 'table', 'inet', 'fwtp']);
  const counters = {};
  for (const m of stdout.matchAll(/counter (\w+) \{\s*packets (\d+)/g)) counters[m[1]] = Number(m[2]);
  return counters;
}

/** Records in a classic pcap file as written so far (a record cut at the end is not counted). */
function pcapRecords(file) {
  let buf;
  try {
    buf = readFileSync(file);
  } catch {
    return 0;
  }
  if (buf.length < 24) return 0;
  const le = buf.readUInt32LE(0) === 0xa1b2c3d4 || buf.readUInt32LE(0) === 0xa1b23c4d;
  let n = 0;
  for (let at = 24; at + 16 <= buf.length; n++) {
    const incl = le ? buf.readUInt32LE(at + 8) : buf.readUInt32BE(at + 8);
    if (at + 16 + incl > buf.length) break;
    at += 16 + incl;
  }
  return n;
}

function fileText(file) {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}
const lineCount = (file) => fileText(file).split('\n').filter((l) => l.length > 0).length;

/** Polls `pred` every 50 ms; `deadlineMs` only bounds a hang (the caller's check then fails). */
async function waitUntil(pred, deadlineMs) {
  const end = Date.now() + deadlineMs;
  while (!pred() && Date.now() < end) await sleep(50);
}

/** Waits until none of the files has grown for `quietMs` (bounded by deadlineMs). */
async function waitQuiet(files, quietMs, deadlineMs) {
  const size = () => files.map((f) => { try { return statSync(f).size; } catch { return 0; } }).join(',');
  const end = Date.now() + deadlineMs;
  let last = size();
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < quietMs) {
    await sleep(50);
    const now = size();
    if (now !== last) { last = now; since = Date.now(); }
  }
}

async function stopRun(run) {
  await stopChild(run.sampler, 'SIGTERM');
  // The dump in flight finishes first (series.mjs), so the series never ends with a half dump.
  if (run.series) await stopChild(run.series, 'SIGTERM');
  // Freeze the firewall before reading its counters: broken sessions keep retransmitting into
  // the drop rule, and with the links down nothing more reaches it, so the drop log and the
  // counter describe the same packets. Then give nflog and tcpdump a moment to flush.
  const fw = `${run.prefix}-fw`;
  await execFileP('ip', ['-n', fw, 'link', 'set', 'fa', 'down']);
  await execFileP('ip', ['-n', fw, 'link', 'set', 'fd', 'down']);
  await sleep(200);
  // Exact, not a pause: the drop log is complete when it holds as many packets as the frozen
  // drop counter; the interface captures when their files stop growing (docs/LAB.md).
  const frozen = await nftCounters(fw);
  const logged = (frozen.drops ?? 0) + (frozen.denials ?? 0);
  await waitUntil(() => pcapRecords(run.files.drops) >= logged, 60_000);
  if (run.ulogd) {
    // Same rule for ulogd's file: complete when it has a line per logged packet (sync=1).
    await waitUntil(() => lineCount(run.files.fwLog) >= logged, 60_000);
    await stopChild(run.ulogd, 'SIGTERM', 10_000);
    // conntrack -E flushes its output at SIGTERM (it exits through exit()).
    await stopChild(run.ctEvents, 'SIGTERM', 10_000);
  }
  await waitQuiet([run.files.appSide, run.files.dbSide], 500, 60_000);
  const stats = {};
  await Promise.all(Object.entries(run.captures).map(async ([k, c]) => {
    // tcpdump flushes and prints its statistics on SIGINT; on a loaded machine that took over 5 s,
    // and a SIGKILL then left no statistics (docs/LAB.md, "Timing margins").
    await stopChild(c, 'SIGINT', 60_000);
    stats[k] = tcpdumpStats(c.stderrText);
  }));
  run.captureStats = stats;
  run.nftCounters = await nftCounters(fw);
  run.nftDropPackets = run.nftCounters.drops ?? NaN;
  run.nftDenials = run.nftCounters.denials ?? NaN;
  await stopChild(run.client, 'SIGTERM');
  writeFileSync(run.files.client, run.client.stdoutText);
  await stopChild(run.db, 'SIGTERM');
  run.dbSummary = run.db.stdoutText.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.event === 'stop') ?? null;
  await execFileP('bash', [LAB_SH, 'teardown', run.prefix]);
  prefixes.delete(run.prefix);
}

// ---------------------------------------------------------------------------------------------
// Analysis (tshark is the packet oracle)

const TSHARK_ENV = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
const PKT_FIELDS = ['frame.time_epoch', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'ip.id', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len'];

async function tshark(file, fields, filter = 'tcp') {
  // An empty capture (the drop log of most baselines) has no rows: spare a tshark start, ~1 s of
  // CPU each on a loaded machine (docs/LAB.md "Wall time").
  if (pcapRecords(file) === 0) return [];
  // TNS (port 1521) would try to parse our toy protocol; TCP analysis does not need it.
  const args = ['-n', '-r', file, '--disable-protocol', 'tns', '-Y', filter, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f'];
  for (const f of fields) args.push('-e', f);
  const { stdout } = await execFileP('tshark', args, { env: TSHARK_ENV, maxBuffer: 256 << 20 });
  return stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

const MONTHS = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
/** tshark prints FT_ABSOLUTE_TIME as "Nov 25, 2026 10:27:03.713203000 UTC" (TZ=UTC). Epoch ms. */
function parseAbsTime(text) {
  const m = /^(\w{3})\s+(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(\.\d+)? UTC$/.exec(text.trim());
  if (!m) return NaN;
  return Date.UTC(Number(m[3]), MONTHS[m[1]], Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) + Number(m[7] ?? 0) * 1000;
}

function packetOf(cols, offset = 0) {
  return {
    src: cols[offset + 1], sport: Number(cols[offset + 2]), dst: cols[offset + 3], dport: Number(cols[offset + 4]),
    ipId: cols[offset + 5], seq: cols[offset + 6], ack: cols[offset + 7], flags: Number(cols[offset + 8]), len: Number(cols[offset + 9]),
  };
}
const packetKey = (p) => `${p.src}:${p.sport}>${p.dst}:${p.dport}/${p.ipId}/${p.seq}/${p.ack}`;
const sessionKey = (p) => {
  const a = `${p.src}:${p.sport}`;
  const b = `${p.dst}:${p.dport}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
};
const SVC_DB_ADDR = '198.51.100.24';
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;

async function readCapture(file) {
  const rows = await tshark(file, [...PKT_FIELDS, 'tcp.analysis.keep_alive']);
  return rows.map((cols) => ({ tMs: Number(cols[0]) * 1000, ...packetOf(cols), keepAlive: cols[10] === '1' }));
}

async function readDrops(file) {
  const rows = await tshark(file, ['nflog.timestamp', ...PKT_FIELDS]);
  return rows.map((cols) => {
    // The kernel's timestamp (NFULA_TIMESTAMP); the pcap time is when tcpdump read the message.
    const kernelMs = parseAbsTime(cols[0]);
    return { tMs: Number.isFinite(kernelMs) ? kernelMs : Number(cols[1]) * 1000, ...packetOf(cols, 1) };
  });
}

/**
 * The shortest lifetime an entry can be given in the lab: time_wait 3 s (scenario ka; every other
 * state and protocol timeout is longer) and the 3 s the sampler's "lo" histogram covers.
 */
export const MIN_STATE_TIMEOUT_MS = 3000;

/**
 * Listed entries that may have expired within `windowMs` after being listed: those with less than
 * windowMs left, i.e. a /proc timeout column (whole seconds, truncated) below windowMs / 1000.
 * @param {number[]} lo entries with 0, 1, 2 s left
 * @param {number} windowMs
 */
export function atRisk(lo, windowMs) {
  let n = 0;
  for (let r = 0; r < lo.length && r * 1000 < windowMs; r++) n += lo[r];
  return n;
}

/** Step-function statistics of samples [{t, v}] over [fromMs, toMs]: peak, time-weighted mean, value at end. */
export function tableStats(samples, fromMs, toMs) {
  let peak = 0;
  let area = 0;
  let atEnd = 0;
  let prev = null;
  for (const s of samples) {
    if (s.v === null || s.v === undefined) continue;
    if (prev !== null) {
      const a = Math.max(prev.t, fromMs);
      const b = Math.min(s.t, toMs);
      if (b > a) area += prev.v * (b - a);
    }
    if (s.t >= fromMs && s.t <= toMs) {
      peak = Math.max(peak, s.v);
      atEnd = s.v;
    }
    prev = s;
  }
  if (prev !== null && toMs > Math.max(prev.t, fromMs)) area += prev.v * (toMs - Math.max(prev.t, fromMs));
  return { peak, mean: area / (toMs - fromMs), atEnd };
}

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);

async function analyseRun(run, startMs, stopMs) {
  const [drops, dbSide, appSide] = await Promise.all([readDrops(run.files.drops), readCapture(run.files.dbSide), readCapture(run.files.appSide)]);
  // Keep-alive probes as tshark flags them on either side of fw, keyed so that the very same
  // packet in the drop log matches (4-tuple, IP ID, raw sequence and acknowledgement numbers).
  const keepAliveKeys = new Set();
  for (const p of dbSide) if (p.keepAlive) keepAliveKeys.add(packetKey(p));
  for (const p of appSide) if (p.keepAlive) keepAliveKeys.add(packetKey(p));

  const firstDrop = new Map();
  const probesBySession = new Map();
  let droppedKeepAlives = 0;
  // Per service (two-service scenario): by the server's port, the db's side of the 4-tuple.
  const byService = {};
  const serviceOf = (d) => serviceOfPort(d.dst === SVC_DB_ADDR ? d.dport : d.src === SVC_DB_ADDR ? d.sport : -1) ?? 'db';
  const denied = new Set();
  let deniedPackets = 0;
  for (const d of drops) {
    const service = serviceOf(d);
    if (service === 'deny') {
      // Refused by policy (lab.sh): not a session that lost its state; counted apart.
      deniedPackets++;
      denied.add(sessionKey(d));
      continue;
    }
    const svc = (byService[service] ??= { sessions: new Map(), droppedKeepAlives: 0, fromServer: { packets: 0, sessions: new Set() }, toServer: { packets: 0, sessions: new Set() } });
    // Which way the dropped packet went (the server is db's address): what a drop log can tell.
    const way = d.src === SVC_DB_ADDR ? svc.fromServer : svc.toServer;
    way.packets++;
    way.sessions.add(sessionKey(d));
    const isProbe = keepAliveKeys.has(packetKey(d));
    if (isProbe) svc.droppedKeepAlives++;
    if (!svc.sessions.has(sessionKey(d))) svc.sessions.set(sessionKey(d), isProbe ? 'keepAlive' : (d.flags & (TCP_FIN | TCP_RST)) !== 0 ? 'close' : 'data');
    if (isProbe) {
      droppedKeepAlives++;
      const k = sessionKey(d);
      if (!probesBySession.has(k)) probesBySession.set(k, []);
      probesBySession.get(k).push(d.tMs);
    }
    const k = sessionKey(d);
    if (!firstDrop.has(k)) {
      firstDrop.set(k, isProbe ? 'keepAlive' : (d.flags & (TCP_FIN | TCP_RST)) !== 0 ? 'close' : 'data');
    }
  }
  const brokenByKind = { keepAlive: 0, data: 0, close: 0 };
  for (const kind of firstDrop.values()) brokenByKind[kind]++;
  const serviceTruth = Object.fromEntries(Object.keys(run.scenario.services ?? {}).map((name) => {
    const svc = byService[name] ?? { sessions: new Map(), droppedKeepAlives: 0, fromServer: { packets: 0, sessions: new Set() }, toServer: { packets: 0, sessions: new Set() } };
    const kinds = { keepAlive: 0, data: 0, close: 0 };
    for (const kind of svc.sessions.values()) kinds[kind]++;
    const way = (w) => ({ packets: w.packets, sessions: w.sessions.size });
    return [name, { sessionsWithDrops: svc.sessions.size, droppedKeepAlives: svc.droppedKeepAlives, brokenByKind: kinds,
      droppedPackets: svc.fromServer.packets + svc.toServer.packets, fromServer: way(svc.fromServer), toServer: way(svc.toServer) }];
  }));

  // Keep-alive schedule as the wire shows it: idle before a first probe (since the previous packet
  // of the session), spacing of unanswered (dropped) probes, probes per broken session.
  const bySession = new Map();
  for (const p of dbSide) {
    const k = sessionKey(p);
    if (!bySession.has(k)) bySession.set(k, []);
    bySession.get(k).push(p);
  }
  const idleBeforeProbeMs = [];
  for (const pkts of bySession.values()) {
    for (let i = 1; i < pkts.length; i++) {
      if (pkts[i].keepAlive && !pkts[i - 1].keepAlive) idleBeforeProbeMs.push(pkts[i].tMs - pkts[i - 1].tMs);
    }
  }
  const probeSpacingMs = [];
  const probesPerSession = [];
  for (const ts of probesBySession.values()) {
    probesPerSession.push(ts.length);
    for (let i = 1; i < ts.length; i++) probeSpacingMs.push(ts[i] - ts[i - 1]);
  }

  const samples = readSamples(run.files.samples);
  const live = samples.map((s) => ({ t: s.t, v: s.p ?? null }));
  const counted = samples.map((s) => ({ t: s.t, v: s.c }));
  const sampleGaps = samples.slice(1).map((s, i) => s.t - samples[i].t).sort((a, b) => a - b);
  const listChecks = samples.filter((s) => typeof s.l === 'number' && typeof s.p === 'number');
  // The counter counts every allocated entry. Read again ("c2") after the table, it counts every
  // listed entry still allocated: all but those that expired in between, i.e. at most the ones
  // listed with less than the window "w" left (sampler.mjs). Judged while w is under the
  // shortest state timeout and the 3 s the "lo" histogram covers (docs/LAB.md).
  const judgeable = (ms) => typeof ms === 'number' && ms < MIN_STATE_TIMEOUT_MS;
  const counted2 = samples.filter((s) => typeof s.p === 'number' && typeof s.c2 === 'number');
  const counterBelowLive = counted2.filter((s) => judgeable(s.w) && s.p - atRisk(s.lo, s.w) > s.c2).length;
  const counterUnjudged = counted2.filter((s) => !judgeable(s.w)).length;

  const clientLines = readFileSync(run.files.client, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  const lateness = clientLines.filter((o) => typeof o.lateMs === 'number').map((o) => o.lateMs).sort((a, b) => a - b);

  const sessionsSeen = new Set(appSide.filter((p) => (p.flags & (TCP_SYN | 0x10)) === TCP_SYN && serviceOf(p) !== 'deny').map(sessionKey)).size;
  return {
    sessionsSeen,
    sessionsWithDrops: firstDrop.size,
    droppedKeepAlives,
    droppedPackets: drops.length,
    nftDropPackets: run.nftDropPackets,
    /** Refused by policy (the :23 rule, its own counter and log prefix); not in the figures above. */
    denials: { packets: deniedPackets, sessions: denied.size, nft: Number.isFinite(run.nftDenials) ? run.nftDenials : 0 },
    byService: serviceTruth,
    /** Of those, picked up as NEW (mid-stream, nf_conntrack_tcp_loose=1) and INVALID (FIN/RST, no entry). */
    nftDropNew: run.nftCounters.drops_new,
    nftDropInvalid: run.nftCounters.drops_invalid,
    brokenByKind,
    tableEntries: run.listSampling ? tableStats(live, startMs, stopMs) : null,
    counterEntries: tableStats(counted, startMs, stopMs),
    counterBelowLive,
    counterUnjudged,
    counterMaxWindowMs: Math.max(0, ...counted2.map((s) => s.w)),
    listCheck: {
      samples: listChecks.length,
      // By identity (sampler.mjs): an entry in the table before and after the dump that the dump
      // lacks, or a dump entry in neither table read. Judged while the whole check took less
      // than the shortest state timeout (no entry can be born and die unseen).
      outside: listChecks.filter((s) => judgeable(s.lw) && (s.lMiss ?? 1) + (s.lExtra ?? 1) > 0).length,
      unjudged: listChecks.filter((s) => !judgeable(s.lw)).length,
      maxWindowMs: Math.max(0, ...listChecks.map((s) => s.lw ?? 0)),
      // conntrack -L outside [p, p2] by count alone (shown, not asserted).
      outsideByCount: listChecks.filter((s) => s.l < Math.min(s.p, s.p2 ?? s.p) || s.l > Math.max(s.p, s.p2 ?? s.p)).length,
      maxAbsDiff: Math.max(0, ...listChecks.map((s) => Math.abs(s.l - s.p))),
    },
    keepAliveObserved: {
      idleBeforeFirstProbeMedianMs: median(idleBeforeProbeMs),
      droppedProbeSpacingMedianMs: median(probeSpacingMs),
      droppedProbesPerSession: [...new Set(probesPerSession)].sort((a, b) => a - b),
    },
    samples: { count: samples.length, intervalMedianMs: median(sampleGaps), intervalP99Ms: quantile(sampleGaps, 0.99) },
    timing: { events: lateness.length, maxLateMs: lateness.at(-1) ?? null, p99LateMs: quantile(lateness, 0.99) },
    clientErrors: clientLines.filter((o) => o.ev === 'error').length,
    dumpSeries: run.files.series ? seriesTiming(run.files.series, startMs, stopMs) : null,
    /** [ms since start, conntrack -C counter, live entries (null in a gc probe)] per sample. */
    series: samples.map((s) => [Math.round(s.t - startMs), s.c, s.p ?? null]),
  };
}

/** The time lines of a dump series (`date +%s.%N`): how many dumps, how far apart, when. */
function seriesTiming(file, startMs, stopMs) {
  const times = readFileSync(file, 'latin1').split('\n').filter((l) => /^\d+\.\d+$/.test(l)).map((l) => Number(l) * 1000);
  const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  return {
    dumps: times.length,
    inWorkload: times.filter((t) => t >= startMs && t <= stopMs).length,
    intervalMedianMs: median(gaps),
    intervalP99Ms: quantile(gaps, 0.99),
    intervalMaxMs: gaps.at(-1) ?? null,
    firstMs: times[0] ?? null,
    lastMs: times.at(-1) ?? null,
  };
}

function readSamples(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"t"')).map((l) => JSON.parse(l));
}

/**
 * How long expired entries stay in `conntrack -C` when only the kernel's gc reaps them: the gc
 * probe's counter against its twin's live entries (same workload, same timeout, same start).
 * excessEntrySeconds = integral of (counter - live) over the window; divided by the entries that
 * expired in the window it is the mean reaping lag per entry.
 */
function gcLag(probe, twin, startMs, stopMs) {
  const twinLive = readSamples(twin.files.samples).filter((s) => typeof s.p === 'number');
  const probeCount = readSamples(probe.files.samples);
  let j = 0;
  let area = 0;
  let maxExcess = -Infinity;
  for (let i = 0; i + 1 < probeCount.length; i++) {
    const s = probeCount[i];
    if (s.t < startMs || s.t > stopMs) continue;
    while (j + 1 < twinLive.length && twinLive[j + 1].t <= s.t) j++;
    const excess = s.c - twinLive[j].p;
    maxExcess = Math.max(maxExcess, excess);
    area += excess * (probeCount[i + 1].t - s.t);
  }
  const excessEntrySeconds = area / 1000;
  const expired = twin.truth.sessionsSeen - twin.truth.tableEntries.atEnd;
  return {
    probeRun: probe.name,
    twinRun: twin.name,
    counterPeak: probe.truth.counterEntries.peak,
    livePeak: twin.truth.tableEntries.peak,
    counterMean: probe.truth.counterEntries.mean,
    liveMean: twin.truth.tableEntries.mean,
    maxExcessEntries: maxExcess,
    excessEntrySeconds,
    meanReapLagMs: expired > 0 ? (excessEntrySeconds * 1000) / expired : null,
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

// ---------------------------------------------------------------------------------------------

const REPO_DIR = resolve(LAB_DIR, '../..');

/**
 * The ct timeout policy `fwtp recommend --current <global> --emit linux` prints for the
 * scenario's synthesized baseline capture, written to OUT/<scenario>-policy.nft as printed
 * (apply.lines), and the whole-second timeout per service port that those lines give the kernel.
 */
async function servicePolicy(sc, schedule, outDir) {
  const synth = join(outDir, `${sc.name}-synth.pcap`);
  writeSynthCapture(synth, sc, schedule, Math.floor(Date.now() / 1000), schedule.lastEventMs + sc.tailSeconds * 1000);
  const ka = sc.keepAlive;
  const args = [join(REPO_DIR, 'bin', 'fwtp.js'), 'recommend', synth, '--current', String(SVC_GLOBAL_SECONDS), '--platform', 'linux',
    '--keepalive', `${ka.idleSeconds}/${ka.intervalSeconds}/${ka.count}`, '--emit', 'linux', '--format', 'json'];
  const { stdout } = await execFileP(process.execPath, args, { cwd: REPO_DIR, maxBuffer: 64 << 20 });
  const rec = JSON.parse(stdout);
  const lines = rec.emit?.configuration?.apply?.lines;
  if (!Array.isArray(lines)) throw new Error(`fwtp recommend printed no configuration: ${stdout.slice(0, 400)}`);
  const file = join(outDir, `${sc.name}-policy.nft`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  writeFileSync(join(outDir, `${sc.name}-recommend.json`), stdout);
  // What the lines give the kernel: object -> established seconds, port -> object.
  const text = lines.join('\n');
  const objects = new Map([...text.matchAll(/ct timeout (\S+) \{[^}]*?established: (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  const timeoutByPort = {};
  for (const m of text.matchAll(/tcp dport (\d+) ct timeout set "([^"]+)"/g)) timeoutByPort[m[1]] = objects.get(m[2]);
  const byService = Object.fromEntries(Object.entries(sc.services).map(([name, svc]) => [name, timeoutByPort[svc.port] ?? null]));
  // The policy's timeouts must keep the lab's margins too, or the kernel's outcome is a coin toss.
  assertGapsSafe(sc, Object.fromEntries(Object.entries(byService).filter(([, t]) => t !== null).map(([n, t]) => [n, [t]])));
  const timeoutFor = (p) => byService[p.service] ?? SVC_GLOBAL_SECONDS;
  return {
    file, args: args.slice(1), lines, synth, timeoutByService: byService,
    proposal: rec.proposal?.services?.map((x) => ({ service: x.service, timeoutSeconds: x.timeoutSeconds, thresholdSeconds: x.thresholdSeconds, margin: x.margin })) ?? [],
    expectedByService: expectedByService(sc, timeoutFor),
  };
}

/** The scenarios --only selects. */
function scenarios0(values) {
  const only = values.only ? new Set(values.only.split(',')) : null;
  return SCENARIOS.filter((s) => !only || only.has(s.name));
}

async function main() {
  const driverStartMs = Date.now();
  const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' } } });
  if (!values.out) throw new Error('usage: run-lab.mjs --out DIR [--only ka,off]');
  const outDir = resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  try {
    execFileSync('bash', [LAB_SH, 'check'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    process.stderr.write(String(err.stderr ?? err.message));
    process.exitCode = 2;
    return;
  }
  const watchdog = setTimeout(() => {
    process.stderr.write(`run-lab: watchdog: lab exceeded ${WATCHDOG_MS / 1000} s\n`);
    teardownAllSync();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();

  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('tshark is required (Debian package tshark): it is the oracle for keep-alive probes');
  }
  if (scenarios0(values).some((sc) => sc.services !== undefined)) {
    try {
      execFileSync('ulogd', ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error('ulogd is required (Debian package ulogd2): the two-service scenario writes its drop log with it');
    }
  }
  execFileSync('bash', [LAB_SH, 'cleanup'], { stdio: 'inherit' });
  const only = values.only ? new Set(values.only.split(',')) : null;
  const scenarios = SCENARIOS.filter((s) => !only || only.has(s.name));
  for (const sc of scenarios) assertGapsSafe(sc);
  const schedules = new Map(scenarios.map((sc) => [sc.name, buildSchedule(sc)]));
  // All runs share one start, so the per-service policy comes first: from the capture the
  // scenario gives at the baseline, synthesized from its definition (~1 s).
  // Wall time per phase of the driver (results.json `phases`, printed by the test): the lab must
  // stay well inside its watchdog on a loaded machine (docs/LAB.md "Wall time").
  const phases = {};
  let phaseAt = driverStartMs;
  const phase = (name) => { const now = Date.now(); phases[name] = now - phaseAt; phaseAt = now; };
  phase('checks');
  for (const sc of scenarios) if (sc.services !== undefined) sc.policy = await servicePolicy(sc, schedules.get(sc.name), outDir);
  phase('policy');
  const runs = planRuns(scenarios);

  const t0 = Date.now();
  // Setup runs 4 at a time (`ip`, nft and sysctl are quick; what takes time is waiting for
  // tcpdump and Node to start), and each run's client starts as soon as its run is set up, while
  // the others are still being built: 2 at a time and the clients after all took 28 + 5 s of
  // the 120 s the driver took alone at load ~5 (docs/LAB.md "Wall time").
  await pool(runs, 4, async (run) => {
    await prepareRun(run, outDir);
    // Every process is up (Node start-up is slow on a loaded machine) before the start instant is set.
    const at = Date.now();
    await startClient(run, schedules.get(run.scenario.name));
    run.prepareMs.client = Date.now() - at;
  });
  await Promise.all(runs.map(startProbes));
  phase('setup');
  // 2 s, not 1 s, of lead: the last runs' processes have just started (Node start-up, tcpdump)
  // and the lateness seen clustered in the first 3 s of the workload.
  const startMs = Date.now() + 2000;
  for (const run of runs) run.client.stdin.write(`START ${startMs}\n`);
  process.stderr.write(`run-lab: ${runs.length} runs ready in ${Date.now() - t0} ms, workload starts at ${new Date(startMs).toISOString()}\n`);

  const stopMsByScenario = new Map(scenarios.map((sc) => [sc.name, startMs + schedules.get(sc.name).lastEventMs + sc.tailSeconds * 1000]));
  await Promise.all(runs.map(async (run) => {
    await sleep(stopMsByScenario.get(run.scenario.name) - Date.now());
    run.stopMs = Date.now();
    await stopRun(run);
    run.prepareMs.stop = Date.now() - run.stopMs;
  }));
  phase('workload');
  process.stderr.write(`run-lab: runs done at +${((Date.now() - startMs) / 1000).toFixed(1)} s, analysing\n`);

  const truths = await pool(runs, 2, (run) => analyseRun(run, startMs, run.stopMs));
  runs.forEach((run, i) => { run.truth = truths[i]; });
  phase('analysis');
  const gcLags = runs.filter((r) => r.twin).map((r) => gcLag(r, runs.find((t) => t.name === r.twin), startMs, r.stopMs));
  const results = {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    outDir,
    startMs,
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    seriesIntervalMs: SERIES_INTERVAL_MS,
    phases,
    loadAverage: loadavg(),
    scenarios: scenarios.map((sc) => ({
      name: sc.name,
      title: sc.title,
      keepAlive: sc.keepAlive,
      candidates: sc.candidates,
      stateTimeouts: sc.stateTimeouts,
      sessions: schedules.get(sc.name).sessions.length,
      lastEventMs: schedules.get(sc.name).lastEventMs,
      windowMs: stopMsByScenario.get(sc.name) - startMs,
      patterns: sc.patterns,
      expected: Object.fromEntries(sc.candidates.map((c) => [String(c), expectedTruth(sc, c)])),
      ...(sc.services !== undefined ? {
        services: sc.services,
        attempts: sc.attempts,
        expectedByService: Object.fromEntries(sc.candidates.map((c) => [String(c), expectedByService(sc, () => c)])),
        policy: sc.policy,
      } : {}),
      baselineRun: `${sc.name}b`,
      baselineAppSide: runs.find((r) => r.name === `${sc.name}b`).files.appSide,
      baselineSeries: runs.find((r) => r.name === `${sc.name}b`).files.series,
      baselineSysctl: runs.find((r) => r.name === `${sc.name}b`).files.sysctl,
    })),
    runs: runs.map((run, i) => ({
      name: run.name,
      scenario: run.scenario.name,
      role: run.role,
      establishedSeconds: run.establishedSeconds,
      prefix: run.prefix,
      stopMs: run.stopMs,
      prepareMs: run.prepareMs,
      files: run.files,
      captureStats: run.captureStats,
      db: run.dbSummary,
      truth: truths[i],
    })),
    gcLag: gcLags,
  };
  const resultsFile = join(outDir, 'results.json');
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
  process.stdout.write(`${JSON.stringify({ results: resultsFile })}\n`);
  clearTimeout(watchdog);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`run-lab: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  }).finally(() => {
    teardownAllSync();
  });
}
