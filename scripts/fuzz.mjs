#!/usr/bin/env node
// Fuzzes every fwtp reader with hostile and broken inputs (docs/LIMITS.md, "Fuzzing").
//
//   node scripts/fuzz.mjs [--seconds 60] [--seed N] [--targets pcap,pcapng,...] [--jobs 2]
//                         [--budget-ms 3000] [--save DIR] [--no-corpus] [--json]
//   npm run fuzz -- --seconds 300
//
// fast-check generates the inputs: arbitrary bytes, and mutations of valid inputs (bit flips,
// interesting integers, length-field edits found by walking the pcap/pcapng structure,
// truncations, splices, duplicated ranges; for text formats also line duplication, deletion,
// hostile tokens and over-long lines). Seeds: samples/, ../shared/corpus when present, a few
// built-in texts, and whatever a caller passes (test/fuzz/readers.test.ts adds captures made
// with test/helpers/pcapbuild.ts).
//
// Each input runs in a child process over the compiled readers in dist/ (built first when
// stale), with a time budget: a child that does not answer in time is killed and the input
// recorded as a hang. The child's heap is capped (--max-old-space-size; running out is a memory
// finding) and the growth of heap + external memory per input is measured against a limit
// (memoryLimitBytes). Properties, per input:
//   - the reader returns a result, or throws an FwtpError of kind "input" (anything else is a crash);
//   - the result is consistent (CSR gap offsets, gap end >= start, packet accounting);
//   - it finishes within the budget and its memory growth stays under the limit.
// Every distinct failure is minimised (byte-level delta debugging) and printed as hex, ready
// for test/fuzz/regressions.test.ts. Exit code: 0 nothing found, 1 findings, 2 usage.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { fork, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, gunzipSync } from 'node:zlib';
import v8 from 'node:v8';
import vm from 'node:vm';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
export const CORPUS = resolve(ROOT, '../shared/corpus');

/** Every reader fuzzed, in report order. */
export const TARGETS = ['pcap', 'pcapng', 'gzip', 'inputs', 'conntrack', 'flowexport', 'profile'];

/** Longest error message accepted: a message is one line on a terminal, with an excerpt at most. */
export const MAX_MESSAGE_CHARS = 500;

/** Name the readers see for the fuzzed input (errors must carry it). */
export const INPUT_NAME = 'fuzz-input';

/** Heap + external memory a single input may leave allocated: a floor plus a multiple of its size. */
export function memoryLimitBytes(inputBytes) {
  return 96 * 1024 * 1024 + 64 * inputBytes;
}

/** Time a single input may take: generous (2 shared cores, GC pauses) but far from a hang. */
export function timeBudgetMs(inputBytes, baseMs = 3000) {
  return baseMs + Math.ceil(inputBytes / 1024) * 4;
}

// =============================================================================================
// Worker side: runs one input through one reader and classifies what happened.
// =============================================================================================

async function importDist(rel) {
  const p = join(DIST, rel);
  if (!existsSync(p)) return null;
  return import(pathToFileURL(p).href);
}

async function* chunked(bytes, size) {
  const n = Math.max(1, size | 0);
  for (let pos = 0; pos < bytes.length; pos += n) yield Buffer.from(bytes.subarray(pos, pos + n));
}

/** Checks a FlowSet's internal consistency; returns a description of the first problem or null. */
export function flowSetProblem(fs, { values = true } = {}) {
  const n = fs.count;
  const g = fs.gapStartUs.length;
  if (fs.gapOffset.length !== n + 1) return `gapOffset has ${fs.gapOffset.length} entries for ${n} flows`;
  if (fs.gapOffset[0] !== 0 || fs.gapOffset[n] !== g) return `gapOffset spans ${fs.gapOffset[0]}..${fs.gapOffset[n]}, not 0..${g}`;
  if (fs.gapEndUs.length !== g || fs.gapInfo.length !== g) return 'gap columns differ in length';
  for (let i = 0; i < n; i++) {
    if (fs.gapOffset[i + 1] < fs.gapOffset[i]) return `gapOffset goes backwards at flow ${i}`;
    if (fs.clientAddr[i] >= fs.addresses.length || fs.serverAddr[i] >= fs.addresses.length) return `flow ${i} names an address that is not interned`;
    if (!values) continue;
    if (fs.firstUs[i] > fs.lastUs[i]) return `flow ${i} ends (${fs.lastUs[i]}) before it starts (${fs.firstUs[i]})`;
    if (!(fs.packetsC2S[i] >= 0 && fs.packetsS2C[i] >= 0)) return `flow ${i} has a negative or NaN packet count`;
  }
  for (let k = 0; values && k < g; k++) {
    if (!(fs.gapEndUs[k] >= fs.gapStartUs[k])) return `gap ${k} ends (${fs.gapEndUs[k]}) before it starts (${fs.gapStartUs[k]})`;
  }
  return null;
}

/** Checks a GapDistribution; returns a description of the first problem or null. */
export function distributionProblem(d) {
  if (!(d.count >= 0)) return `gap count ${d.count}`;
  if (d.exactSorted !== null) {
    for (let i = 0; i < d.exactSorted.length; i++) {
      const v = d.exactSorted[i];
      if (!(v >= 0)) return `gap ${i} of the distribution is ${v}`;
      if (i > 0 && v < d.exactSorted[i - 1]) return 'the exact gaps are not sorted';
    }
  }
  for (let i = 0; i < d.censoredSeconds.length; i++) if (!(d.censoredSeconds[i] >= 0)) return `censored observation ${i} is ${d.censoredSeconds[i]}`;
  return null;
}

function captureProblem(summary, tracker, flows, dist) {
  const undecoded = Object.values(summary.undecodedLinkTypes).reduce((a, b) => a + b, 0);
  if (summary.packets !== summary.ipPackets + summary.nonIpPackets + undecoded + summary.malformedPackets) {
    return `packets ${summary.packets} != ip ${summary.ipPackets} + non-ip ${summary.nonIpPackets} + undecoded ${undecoded} + malformed ${summary.malformedPackets}`;
  }
  let inFlows = 0;
  for (let i = 0; i < flows.count; i++) inFlows += flows.packetsC2S[i] + flows.packetsS2C[i];
  if (inFlows !== tracker.ipPackets - tracker.fragmentsOrphaned - tracker.shardSkipped) {
    return `flows hold ${inFlows} packets; the tracker took ${tracker.ipPackets} IP packets, ${tracker.fragmentsOrphaned} orphaned fragments`;
  }
  return flowSetProblem(flows) ?? distributionProblem(dist);
}

function startWorker() {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const tmpFile = join(tmpdir(), `fwtp-fuzz-${process.pid}`, INPUT_NAME);
  mkdirSync(dirname(tmpFile), { recursive: true });
  process.on('exit', () => rmSync(dirname(tmpFile), { recursive: true, force: true }));
  const mods = {};
  const ready = (async () => {
    mods.captures = await importDist('ingest/captures.js');
    mods.pcap = await importDist('ingest/pcap.js');
    mods.pcapng = await importDist('ingest/pcapng.js');
    mods.tracker = await importDist('flows/tracker.js');
    mods.inputs = await importDist('read/inputs.js');
    mods.conntrack = await importDist('ingest/conntrack.js');
    mods.flowexport = await importDist('flows/export-flows.js');
    mods.profile = await importDist('profile/profile.js');
  })();

  async function capture(format, bytes, p) {
    // The container alone first: every record it hands out lies inside its buffer.
    let recordProblem = null;
    const sink = {
      packet(tsUs, linkType, buf, offset, capLen, wireLen) {
        if (recordProblem !== null) return;
        if (!(Number.isInteger(capLen) && capLen >= 0 && Number.isInteger(offset) && offset >= 0 && offset + capLen <= buf.length)) {
          recordProblem = `record of ${capLen} bytes at ${offset} in a buffer of ${buf.length}`;
        } else if (!(Number.isInteger(wireLen) && wireLen >= 0)) recordProblem = `original length ${wireLen}`;
        else if (!(Number.isFinite(tsUs) || Number.isNaN(tsUs))) recordProblem = `timestamp ${tsUs}`;
      },
    };
    const parser = format === 'pcap' ? new mods.pcap.PcapParser(INPUT_NAME, sink) : new mods.pcapng.PcapngParser(INPUT_NAME, sink);
    try {
      for (let pos = 0; pos < bytes.length; pos += p.chunk) parser.feed(Buffer.from(bytes.subarray(pos, pos + p.chunk)));
      parser.finish();
    } catch { /* the same error comes from readCapture below */ }
    if (recordProblem !== null) return { result: null, problem: recordProblem };
    const tracker = new mods.tracker.FlowTracker({ maxFlows: p.maxFlows ?? 4_000_000, gapFloorUs: 1e6, idleLimitUs: p.idleLimitUs ?? 0 });
    const input = { name: INPUT_NAME, chunks: chunked(bytes, p.chunk), gzip: false, sizeBytes: bytes.length, rawBytesRead: () => bytes.length };
    const summary = await mods.captures.readCapture(input, input.chunks, format, tracker);
    const stats = { ...tracker.stats };
    const flows = tracker.finish();
    const dist = tracker.gapsAll.result();
    return { result: { summary, flows, dist }, problem: captureProblem(summary, stats, flows, dist) };
  }

  const runners = {
    pcap: (bytes, p) => capture('pcap', bytes, p),
    pcapng: (bytes, p) => capture('pcapng', bytes, p),
    async inputs(bytes, p) {
      writeFileSync(tmpFile, bytes);
      const r = await mods.inputs.readInputs([tmpFile], { maxDecompressedBytes: p.maxDecompressed, maxFlows: p.maxFlows, gapFloorUs: 1e6 });
      return { result: r, problem: flowSetProblem(r.flows) ?? distributionProblem(r.distribution) };
    },
    gzip: (bytes, p) => runners.inputs(bytes, p),
    async conntrack(bytes, p) {
      const r = await mods.conntrack.readConntrack(INPUT_NAME, chunked(bytes, p.chunk), { strict: p.strict === true });
      return { result: r, problem: null };
    },
    async flowexport(bytes, p) {
      const r = await mods.flowexport.readFlowExport(INPUT_NAME, chunked(bytes, p.chunk), {
        gapFloorUs: 1e6, engine: p.engine, strict: p.strict === true, format: p.format, map: p.map,
      });
      return { result: r, problem: flowSetProblem(r.flows) ?? distributionProblem(r.distribution) };
    },
    async profile(bytes) {
      const r = mods.profile.decodeProfile(INPUT_NAME, Buffer.from(bytes));
      // Structure only: a profile's values are not checked on reading (see docs/LIMITS.md).
      return { result: r, problem: flowSetProblem(r.flows, { values: false }) };
    },
    // Canaries for the harness's own tests: they must be reported as crash, hang and memory.
    async 'selftest-crash'(bytes) { if (bytes[0] === 0xcc) throw new TypeError('canary'); return { result: null, problem: null }; },
    async 'selftest-hang'(bytes) { if (bytes[0] === 0xcc) for (;;) { /* spin */ } return { result: null, problem: null }; },
    async 'selftest-memory'(bytes) { const keep = bytes[0] === 0xcc ? Buffer.alloc(200 * 1024 * 1024, 1) : null; return { result: keep, problem: null }; },
  };

  const available = (t) => ({
    pcap: mods.captures && mods.tracker, pcapng: mods.captures && mods.tracker, gzip: mods.inputs, inputs: mods.inputs,
    conntrack: mods.conntrack?.readConntrack, flowexport: mods.flowexport?.readFlowExport, profile: mods.profile?.decodeProfile,
  }[t] ?? (t.startsWith('selftest-') ? true : undefined));

  const send = (m) => process.send(m);
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (msg) => {
    await ready;
    if (msg.type === 'available') {
      send({ type: 'available', targets: msg.targets.filter((t) => Boolean(available(t))) });
      return;
    }
    const { id, target, params } = msg;
    const bytes = Buffer.from(msg.bytes);
    // A full collection per input is slow; collecting whenever the heap holds more than 32 MiB
    // keeps the baseline small, so garbage freed during the run can hide at most that much.
    let before = v8.getHeapStatistics();
    if (before.used_heap_size + before.external_memory > 32 * 1024 * 1024) {
      gc();
      before = v8.getHeapStatistics();
    }
    const t0 = performance.now();
    let out;
    try {
      const { result, problem } = await runners[target](bytes, params);
      const after = v8.getHeapStatistics();
      const growth = (after.used_heap_size + after.external_memory) - (before.used_heap_size + before.external_memory);
      out = problem === null ? { kind: 'ok' } : { kind: 'invalid', message: problem };
      out.growth = growth;
      // Keep the result alive until measured.
      if (result === undefined) out.kind = 'invalid';
    } catch (e) {
      const after = v8.getHeapStatistics();
      out = classifyError(e);
      out.growth = (after.used_heap_size + after.external_memory) - (before.used_heap_size + before.external_memory);
    }
    out.ms = performance.now() - t0;
    if (out.growth > memoryLimitBytes(bytes.length)) {
      out = { ...out, kind: 'memory', message: `heap + external memory grew by ${(out.growth / 2 ** 20).toFixed(1)} MiB (limit ${(memoryLimitBytes(bytes.length) / 2 ** 20).toFixed(1)} MiB) after a ${out.kind} outcome` };
    }
    send({ type: 'result', id, out });
  });
}

function classifyError(e) {
  if (e !== null && typeof e === 'object' && e.name === 'FwtpError' && typeof e.code === 'string') {
    const positioned = e.file !== undefined && (e.byteOffset !== undefined || e.line !== undefined);
    if (e.kind !== 'input') return { kind: 'crash', name: 'FwtpError', code: e.code, message: `an FwtpError of kind ${e.kind} from an input: ${e.message}`, stack: e.stack };
    if (e.file !== INPUT_NAME && !String(e.file).endsWith(`/${INPUT_NAME}`)) return { kind: 'crash', name: 'FwtpError', code: e.code, message: `error names file ${JSON.stringify(e.file)}, not the input: ${e.message}`, stack: e.stack };
    // One line that says what was expected: bounded, without line breaks or control characters.
    // Not a failure (the CLI sanitises and cuts the line), but reported: readers should not quote raw input.
    const untidy = /[\u0000-\u001f\u007f-\u009f]/.test(e.message) || e.message.length > MAX_MESSAGE_CHARS;
    return { kind: 'input-error', code: e.code, positioned, untidy, message: e.message.slice(0, 300) };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'crash', name: err.name, code: err.code, message: String(err.message).slice(0, 2000), stack: String(err.stack).slice(0, 4000) };
}

// =============================================================================================
// Main side: seeds, generators, the worker pool, minimisation, the report.
// =============================================================================================

/**
 * One child process with a per-input deadline; respawned after a hang or a fatal error. A
 * process rather than a worker thread: V8 aborts the whole process when a huge allocation
 * fails, and that must take down only the input's sandbox, not the fuzzer.
 */
export class FuzzWorker {
  constructor(opts = {}) {
    this.heapMb = opts.heapMb ?? 512;
    this.worker = null;
    this.seq = 0;
    this.pending = null;
    this.tail = Promise.resolve();
  }

  spawn() {
    const w = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, FWTP_FUZZ_CHILD: '1' },
      execArgv: [`--max-old-space-size=${this.heapMb}`, '--max-semi-space-size=32'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderrTail = '';
    w.stderr.on('data', (d) => { stderrTail = (stderrTail + d.toString('utf8')).slice(-4096); });
    w.on('message', (m) => {
      if (this.pending === null) return;
      if (m.type === 'result' && m.id === this.pending.id) this.settle(m.out);
      else if (m.type === 'available' && this.pending.id === 'available') this.settle(m.targets);
    });
    w.on('error', () => undefined);
    w.on('exit', (code, signal) => {
      // A killed child (a hang) cannot remove its temporary directory itself.
      rmSync(join(tmpdir(), `fwtp-fuzz-${w.pid}`), { recursive: true, force: true });
      if (this.worker !== w) return;
      this.worker = null;
      const memory = /heap out of memory|Allocation failed|invalid array length|ERR_STRING_TOO_LONG/i.test(stderrTail);
      const why = stderrTail.split('\n').filter((l) => /FATAL|Error|error/.test(l)).slice(0, 2).join(' ').slice(0, 300);
      this.settle({ kind: memory ? 'memory' : 'crash', name: memory ? 'OutOfMemory' : 'ChildExit', message: `${memory ? `ran out of memory (${this.heapMb} MiB heap)` : 'the reader process died'}: exit ${code ?? signal}${why ? `: ${why}` : ''}` });
    });
    this.worker = w;
    return w;
  }

  settle(value, p = this.pending) {
    if (p === null || p !== this.pending) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.resolve(value);
  }

  /** Runs `fn` after every earlier request has settled (one input at a time per worker). */
  enqueue(fn) {
    const next = this.tail.then(fn, fn);
    this.tail = next.then(() => undefined, () => undefined);
    return next;
  }

  available(targets) {
    return this.enqueue(() => new Promise((resolve) => {
      const w = this.worker ?? this.spawn();
      const p = { id: 'available', resolve, timer: null };
      p.timer = setTimeout(() => this.settle([], p), 60_000);
      this.pending = p;
      w.send({ type: 'available', targets });
    }));
  }

  /**
   * Runs one input; resolves with the outcome (never rejects).
   * @returns {Promise<{ kind: string, message?: string }>}
   */
  run(target, bytes, params, budgetMs) {
    return this.enqueue(() => new Promise((resolve) => {
      const w = this.worker ?? this.spawn();
      const id = ++this.seq;
      const p = { id, resolve, timer: null };
      p.timer = setTimeout(() => {
        if (this.pending !== p) return;
        this.worker = null;
        w.kill('SIGKILL');
        this.settle({ kind: 'hang', message: `no answer within ${budgetMs} ms` }, p);
      }, budgetMs);
      this.pending = p;
      w.send({ type: 'run', id, target, bytes: new Uint8Array(bytes), params });
    }));
  }

  async close() {
    await this.tail;
    const w = this.worker;
    this.worker = null;
    if (w !== null && w.exitCode === null) {
      const gone = new Promise((r) => w.once('exit', r));
      w.kill('SIGKILL');
      await gone;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Seeds

function walk(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

const PCAP_MAGICS = [0xa1b2c3d4, 0xa1b23c4d];
function isPcap(b) {
  return b.length >= 4 && (PCAP_MAGICS.includes(b.readUInt32LE(0)) || PCAP_MAGICS.includes(b.readUInt32BE(0)));
}
function isPcapng(b) {
  return b.length >= 4 && b.readUInt32LE(0) === 0x0a0d0d0a;
}
function isGzip(b) {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Built-in text seeds, so the text readers are fuzzed even without the corpus. */
export const BUILTIN_TEXT_SEEDS = {
  conntrack: [
    'tcp      6 7199 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=40001 dport=1521 packets=8 bytes=593 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40001 packets=5 bytes=386 [ASSURED] mark=0 use=1\n' +
    'udp      17 26 src=192.0.2.10 dst=198.51.100.53 sport=48086 dport=53 packets=1 bytes=33 [UNREPLIED] src=198.51.100.53 dst=192.0.2.10 sport=53 dport=48086 packets=0 bytes=0 mark=0 use=1\n' +
    'icmp     1 29 src=192.0.2.10 dst=198.51.100.24 type=8 code=0 id=27100 src=198.51.100.24 dst=192.0.2.10 type=0 code=0 id=27100 mark=0 use=1\n' +
    'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.\n',
    '1795550618.832678840\n' +
    'ipv4     2 tcp      6 431999 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=40001 dport=1521 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40001 [ASSURED] mark=0 zone=0 delta-time=3 use=2 id=3591534829\n' +
    'ipv6     10 udp      17 26 src=2001:db8:1::10 dst=2001:db8:2::24 sport=40348 dport=53 [UNREPLIED] src=2001:db8:2::24 dst=2001:db8:1::10 sport=53 dport=40348 mark=0 use=1\n' +
    '# 2026-11-24T20:03:58+00:00\n' +
    'tcp      6 6 CLOSE src=192.0.2.10 dst=198.51.100.24 sport=40002 dport=1521 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40002 [ASSURED] mark=0 use=1\n',
    '[1795550609.927337]\t    [NEW] tcp      6 120 SYN_SENT src=192.0.2.10 dst=198.51.100.24 sport=40001 dport=1521 [UNREPLIED] src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40001 id=2708563805\n' +
    '[1795550609.927410]\t [UPDATE] tcp      6 60 SYN_RECV src=192.0.2.10 dst=198.51.100.24 sport=40001 dport=1521 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40001 id=2708563805\n' +
    '[1795550619.000000]\t[DESTROY] tcp      6 src=192.0.2.10 dst=198.51.100.24 sport=40001 dport=1521 packets=3 bytes=180 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40001 packets=2 bytes=120 [ASSURED] delta-time=10 id=2708563805\n',
    '<?xml version="1.0" encoding="utf-8"?>\n<conntrack>\n' +
    '<flow><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>192.0.2.10</src><dst>198.51.100.24</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>40001</sport><dport>1521</dport></layer4><counters><packets>8</packets><bytes>593</bytes></counters></meta><meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>198.51.100.24</src><dst>192.0.2.10</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>1521</sport><dport>40001</dport></layer4></meta><meta direction="independent"><state>ESTABLISHED</state><timeout>7199</timeout><mark>0</mark><use>1</use><id>1</id><assured/></meta></flow>\n' +
    '</conntrack>\n',
    'net.netfilter.nf_conntrack_tcp_timeout_established = 600\nnet.netfilter.nf_conntrack_udp_timeout = 30\nnet.netfilter.nf_conntrack_udp_timeout_stream = 120\nnet.netfilter.nf_conntrack_icmp_timeout = 30\nnet.netfilter.nf_conntrack_max = 262144\n',
  ],
  flowexport: [
    '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2020-09-28-23-00-42\n' +
    '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n' +
    '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n' +
    '1601334042.145171\tCubVEV1TLNUI0OONhf\t10.20.0.1\t13910\t10.10.0.1\t25\ttcp\tsmtp\t0.180839\t2564\t288\tSF\t-\t-\t0\tShAadDfF\t11\t3144\t12\t920\t-\n' +
    '1601337642.145171\tC2\t10.20.0.1\t13910\t10.10.0.1\t25\ttcp\t-\t7200.5\t0\t0\tS1\t-\t-\t0\tShA\t3\t120\t2\t80\t-\n#close\t2020-09-28-23-00-43\n',
    '{"ts":1601334042.145171,"uid":"CubVEV1TLNUI0OONhf","id.orig_h":"10.20.0.1","id.orig_p":13910,"id.resp_h":"10.10.0.1","id.resp_p":25,"proto":"tcp","service":"smtp","duration":0.180839,"orig_bytes":2564,"resp_bytes":288,"conn_state":"SF","missed_bytes":0,"history":"ShAadDfF","orig_pkts":11,"orig_ip_bytes":3144,"resp_pkts":12,"resp_ip_bytes":920}\n' +
    '{"ts":"2020-09-28T23:00:42.145171Z","uid":"C2","id.orig_h":"2001:db8::1","id.orig_p":5353,"id.resp_h":"ff02::fb","id.resp_p":5353,"proto":"udp","conn_state":"S0","orig_pkts":1,"orig_ip_bytes":73,"resp_pkts":0,"resp_ip_bytes":0}\n',
    'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr\n' +
    '2020-09-28 23:00:42,2020-09-28 23:00:43,1.000,192.0.2.10,198.51.100.24,40001,1521,TCP,.AP.SF,0,0,10,1000,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0.000,0.000,0.000,127.0.0.1,0/0,1,1970-01-01 00:00:00.000\n' +
    '2020-09-28 23:03:00,2020-09-28 23:03:01,1.000,192.0.2.10,198.51.100.24,40001,1521,TCP,.A....,0,0,1,52,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0.000,0.000,0.000,127.0.0.1,0/0,1,1970-01-01 00:00:00.000\n' +
    'Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n2,1052,11,0,0,95\n',
    'StartTime,LastTime,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,SrcPkts,DstPkts,SrcBytes,DstBytes,State\n' +
    '1329843175.189467,1329843175.189467,man,0.0.0.0,0,   ,0.0.0.0,0,0,0,0,0,STA\n' +
    '1329843175.189467,1329843177.5,tcp,192.0.2.10,40001,   ->,198.51.100.24,1521,6,4,600,400,FIN\n' +
    '1329846775.0,1329846776.0,udp,192.0.2.10,5353,  <->,198.51.100.53,53,1,1,70,120,CON\n',
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n' +
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n' +
    '2 123456789010 eni-1235b8ca123456789 172.31.16.21 172.31.16.139 22 20641 6 16 3340 1418530012 1418530068 ACCEPT OK\n' +
    '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n',
    'Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,Total Fwd Packet,Total Bwd packets,Total Length of Fwd Packet,Total Length of Bwd Packet,FIN Flag Count,SYN Flag Count,RST Flag Count,Idle Mean,Idle Std,Idle Max,Idle Min,Label\r\n' +
    '192.168.10.5-104.16.207.165-54865-443-6,192.168.10.5,54865,104.16.207.165,443,6,03/07/2017 08:55:58 AM,20000000,10,8,1000,8000,0,1,0,8000000,0,10000000,6000000,BENIGN\r\n' +
    '192.168.10.5-104.16.207.165-54865-443-6,192.168.10.5,54865,104.16.207.165,443,6,03/07/2017 08:56:50 AM,1000000,10,8,1000,8000,2,0,0,0,0,0,0,BENIGN\r\n',
    'ts,te,sa,da,sp,dp,pr,pkt,byt\n1700000000,1700000010.5,192.0.2.10,198.51.100.24,40001,1521,6,10,1000\n"1700003610.5","1700003620","192.0.2.10",198.51.100.24,40001,1521,tcp,2,120\n',
  ],
};

/** The --map used when the fuzzer forces the generic csv format. */
export const FUZZ_COLUMN_MAP = { start: 'ts', end: 'te', src: 'sa', dst: 'da', sport: 'sp', dport: 'dp', proto: 'pr', packets: 'pkt', bytes: 'byt' };

/**
 * Seeds per target. `extra` adds buffers per target (from the tests); `corpus` reads
 * ../shared/corpus; `maxSeedBytes` skips larger files (mutating them costs too much per input).
 */
export async function loadSeeds({ extra = {}, corpus = true, samples = true, maxSeedBytes = 256 * 1024, maxPerTarget = 400 } = {}) {
  const seeds = { pcap: [], pcapng: [], gzip: [], inputs: [], conntrack: [], flowexport: [], profile: [] };
  const add = (t, b) => { if (b.length > 0 && b.length <= maxSeedBytes && seeds[t].length < maxPerTarget) seeds[t].push(b); };
  const files = [];
  if (samples) files.push(...walk(join(ROOT, 'samples')));
  if (corpus) files.push(...walk(join(CORPUS, 'pcap')));
  for (const f of files) {
    if (statSync(f).size > maxSeedBytes * 4) continue;
    let b = readFileSync(f);
    if (isGzip(b)) {
      if (b.length <= maxSeedBytes) add('gzip', b);
      try { b = gunzipSync(b); } catch { continue; }
    }
    if (isPcap(b)) add('pcap', b);
    else if (isPcapng(b)) add('pcapng', b);
  }
  if (corpus) {
    for (const f of walk(join(CORPUS, 'conntrack'))) add('conntrack', readFileSync(f));
    for (const f of walk(join(CORPUS, 'flows'))) add('flowexport', readFileSync(f));
  }
  for (const t of ['conntrack', 'flowexport']) for (const s of BUILTIN_TEXT_SEEDS[t]) add(t, Buffer.from(s, 'utf8'));
  for (const [t, list] of Object.entries(extra)) for (const b of list) if (seeds[t] !== undefined) seeds[t].push(Buffer.from(b));
  // gzip: the captures wrapped (small ones, so that mutating the compressed bytes stays cheap).
  for (const b of [...seeds.pcap, ...seeds.pcapng].filter((x) => x.length <= 64 * 1024).slice(0, 60)) seeds.gzip.push(gzipSync(b));
  // inputs: everything readInputs may be handed.
  seeds.inputs = [...seeds.pcap.slice(0, 100), ...seeds.pcapng.slice(0, 50), ...seeds.conntrack, ...seeds.flowexport];
  // profile: encoded profiles of a few captures, decompressed (decodeProfile reads the plain bytes).
  if (seeds.profile.length === 0) {
    const mods = { inputs: await importDist('read/inputs.js'), profile: await importDist('profile/profile.js') };
    if (mods.inputs !== null && mods.profile?.makeProfile !== undefined) {
      const dir = join(tmpdir(), `fwtp-fuzz-seeds-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      try {
        for (const [k, b] of [...seeds.pcap.slice(0, 3), ...seeds.pcapng.slice(0, 2)].entries()) {
          const p = join(dir, `seed-${k}`);
          writeFileSync(p, b);
          try {
            const r = await mods.inputs.readInputs([p], { gapFloorUs: 1e5 });
            add('profile', gunzipSync(mods.profile.encodeProfile(mods.profile.makeProfile(r))));
          } catch { /* a seed the reader refuses makes no profile */ }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// Mutations

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 15, 16, 20, 24, 28, 31, 32, 40, 63, 64, 127, 128, 255, 256, 1500, 1514, 4095, 4096,
  32767, 32768, 65535, 65536, 262144, 0x3ffffff, 0x4000000, 0x4000001, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff];

/**
 * Offsets of the length fields of a capture (pcap record lengths, pcapng block lengths, EPB/OPB
 * captured lengths, IDB option lengths), walking the structure as far as it holds together.
 */
export function lengthFields(b) {
  const out = [];
  if (isPcap(b) && b.length >= 24) {
    const le = PCAP_MAGICS.includes(b.readUInt32LE(0));
    out.push({ at: 16, size: 4, le }); // snaplen
    let p = 24;
    while (p + 16 <= b.length && out.length < 4096) {
      out.push({ at: p + 8, size: 4, le }, { at: p + 12, size: 4, le });
      const cap = le ? b.readUInt32LE(p + 8) : b.readUInt32BE(p + 8);
      if (cap > b.length) break;
      p += 16 + cap;
    }
  } else if (isPcapng(b)) {
    let p = 0;
    let le = true;
    while (p + 12 <= b.length && out.length < 4096) {
      if (b.readUInt32LE(p) === 0x0a0d0d0a) le = b.readUInt32LE(p + 8) === 0x1a2b3c4d;
      const type = le ? b.readUInt32LE(p) : b.readUInt32BE(p);
      const len = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
      out.push({ at: p + 4, size: 4, le });
      if (len < 12 || p + len > b.length) break;
      out.push({ at: p + len - 4, size: 4, le });
      if ((type === 6 || type === 2) && len >= 32) out.push({ at: p + 20, size: 4, le }, { at: p + 24, size: 4, le });
      if (type === 3 && len >= 16) out.push({ at: p + 8, size: 4, le });
      const optStart = type === 1 ? p + 16 : type === 0x0a0d0d0a ? p + 24 : -1;
      if (optStart > 0) {
        for (let q = optStart; q + 4 <= p + len - 4 && out.length < 4096;) {
          out.push({ at: q + 2, size: 2, le });
          const olen = le ? b.readUInt16LE(q + 2) : b.readUInt16BE(q + 2);
          q += 4 + ((olen + 3) & ~3);
        }
      }
      p += len;
    }
  }
  return out;
}

function writeInt(b, at, size, le, value) {
  if (at < 0 || at + size > b.length) return;
  const v = value >>> 0;
  if (size === 1) b[at] = v & 0xff;
  else if (size === 2) { if (le) b.writeUInt16LE(v & 0xffff, at); else b.writeUInt16BE(v & 0xffff, at); } else if (le) b.writeUInt32LE(v, at);
  else b.writeUInt32BE(v, at);
}

function readInt(b, at, size, le) {
  if (size === 1) return b[at];
  if (size === 2) return le ? b.readUInt16LE(at) : b.readUInt16BE(at);
  return le ? b.readUInt32LE(at) : b.readUInt32BE(at);
}

/** Hostile tokens for text formats. */
export const TOKENS = ['', '-', '0', '-1', '+1', '00', '4294967296', '18446744073709551616', '9007199254740993', '1e309', '-1e309', '1e-400', 'NaN',
  'Infinity', '0x10', '1.', '.5', '1..2', '999999999999999999999999', '"', '""', '"a,b"', '"\n"', '\t', ',', ';', '|', ' ', '\r', '\u0000', '\u001b[31m',
  'é', '\uFEFF', '\uD800', '::', ':::', '1.2.3.4.5', '256.1.1.1', '01.02.03.04', 'ffff::ffff::1', '::ffff:1.2.3.4', '[', ']', '[NEW]', '[DESTROY]',
  '<flow>', '</flow>', '<flow', '<![CDATA[', '&amp;', '&#0;', '#fields', '#separator \\x09', '#separator \\xZZ', '#types', '__proto__', 'constructor',
  'XXXXXXXXXX.XXXXXX', '2026-13-45T25:61:61Z', '9999-12-31T23:59:59.999999999Z', '0000-01-01T00:00:00Z', '99/99/9999 99:99:99 PM',
  '1970-01-01 00:00:00', 'src=', 'dst=', 'sport=65536', 'dport=-1', 'packets=', 'bytes=1e400', 'delta-time=', 'timeout=', 'id=', 'zone=', 'tcp', 'udp',
  'icmp', 'ipv4', 'ipv6', 'unknown', 'ESTABLISHED', 'TIME_WAIT', 'ACCEPT', 'NODATA', 'man', '{', '}', '{}', '[]', 'null', 'true'];

/** Applies mutations in order to a copy of `seed`. `others` supplies splice material. */
export function mutate(seed, muts, others = []) {
  let b = Buffer.from(seed);
  for (const m of muts) {
    const n = b.length;
    switch (m.k) {
      case 'flip': if (n > 0) b[m.at % n] ^= 1 << m.bit; break;
      case 'set': if (n > 0) b[m.at % n] = m.v; break;
      case 'int': if (n > 0) writeInt(b, m.at % n, m.size, m.le, m.v); break;
      case 'len': {
        const fields = lengthFields(b);
        if (fields.length === 0) break;
        const f = fields[m.which % fields.length];
        if (f.at + f.size > b.length) break;
        const v = m.delta !== undefined ? readInt(b, f.at, f.size, f.le) + m.delta : m.v === -1 ? b.length : m.v;
        writeInt(b, f.at, f.size, f.le, v);
        break;
      }
      case 'truncate': b = b.subarray(0, n === 0 ? 0 : m.at % (n + 1)); break;
      case 'delete': if (n > 0) { const at = m.at % n; b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + m.len))]); } break;
      case 'insert': { const at = n === 0 ? 0 : m.at % (n + 1); b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]); break; }
      case 'dup': {
        if (n === 0) break;
        const at = m.at % n;
        const piece = b.subarray(at, Math.min(n, at + m.len));
        b = Buffer.concat([b.subarray(0, at), ...new Array(m.times + 1).fill(piece), b.subarray(at + piece.length)]);
        break;
      }
      case 'splice': {
        if (others.length === 0) break;
        const o = others[m.other % others.length];
        if (o.length === 0) break;
        const from = m.from % o.length;
        const piece = o.subarray(from, Math.min(o.length, from + m.len));
        const at = n === 0 ? 0 : m.at % (n + 1);
        b = Buffer.concat([b.subarray(0, at), piece, b.subarray(m.overwrite ? Math.min(n, at + piece.length) : at)]);
        break;
      }
      // Text: lines are the units.
      case 'line-dup': case 'line-del': case 'line-swap': case 'token': case 'long': {
        const lines = b.toString('latin1').split('\n');
        const i = m.line % lines.length;
        if (m.k === 'line-dup') lines.splice(i, 0, ...new Array(m.times).fill(lines[i]));
        else if (m.k === 'line-del') lines.splice(i, 1);
        else if (m.k === 'line-swap') { const j = m.other % lines.length; [lines[i], lines[j]] = [lines[j], lines[i]]; } else if (m.k === 'token') {
          const parts = lines[i].split(/(\s+|,|\t|=|>|<)/);
          const idx = parts.length === 0 ? 0 : m.field % parts.length;
          parts[idx] = m.token;
          lines[i] = parts.join('');
        } else lines[i] = lines[i] + m.fill.repeat(m.len);
        b = Buffer.from(lines.join('\n'), 'latin1');
        // Tokens may hold non-latin1 characters: write those as UTF-8.
        if (m.k === 'token' && /[^\u0000-\u00ff]/.test(m.token)) b = Buffer.from(lines.join('\n'), 'utf8');
        break;
      }
      case 'crlf': b = Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'); break;
      default: break;
    }
    if (b.length > 2 * 1024 * 1024) b = b.subarray(0, 2 * 1024 * 1024);
  }
  return b;
}

function byteMutationArb(fc) {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('set'), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('int'), at: fc.nat(), size: fc.constantFrom(1, 2, 4), le: fc.boolean(), v: fc.constantFrom(...INTERESTING) }) },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('len'), which: fc.nat(), v: fc.constantFrom(...INTERESTING, -1) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('len'), which: fc.nat(), delta: fc.integer({ min: -16, max: 16 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('truncate'), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('delete'), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('insert'), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('dup'), at: fc.nat(), len: fc.integer({ min: 1, max: 512 }), times: fc.integer({ min: 1, max: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('splice'), other: fc.nat(), from: fc.nat(), len: fc.integer({ min: 1, max: 1024 }), at: fc.nat(), overwrite: fc.boolean() }) },
  );
}

function textMutationArb(fc) {
  return fc.oneof(
    { weight: 3, arbitrary: byteMutationArb(fc) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('line-dup'), line: fc.nat(), times: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('line-del'), line: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('line-swap'), line: fc.nat(), other: fc.nat() }) },
    { weight: 5, arbitrary: fc.record({ k: fc.constant('token'), line: fc.nat(), field: fc.nat(), token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 12 })) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('long'), line: fc.nat(), fill: fc.constantFrom('a', ' ', '"', ',', '\t', '<flow>', '0'), len: fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 60_000, max: 140_000 })) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('crlf') }) },
  );
}

/** Link types fwtp decodes, for synthetic captures. */
const LINK_TYPES = [0, 1, 9, 10, 12, 14, 50, 101, 104, 108, 113, 129, 228, 229, 239, 242, 276, 147];

/** A synthetic classic pcap: a valid file header and records of plausible packets with random fields. */
function syntheticPcapArb(fc) {
  const packet = fc.record({
    lt: fc.constantFrom(...LINK_TYPES),
    v6: fc.boolean(),
    proto: fc.constantFrom(6, 17, 1, 58, 132, 33, 0, 43, 44, 60, 51, 135, 136, 4, 41),
    ipHeader: fc.uint8Array({ minLength: 60, maxLength: 60 }),
    transport: fc.uint8Array({ minLength: 0, maxLength: 64 }),
    tsSec: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.constant(0xffffffff)),
    tsFrac: fc.nat({ max: 1_100_000 }),
    wireDelta: fc.integer({ min: -40, max: 40 }),
  });
  return fc.record({ nanos: fc.boolean(), be: fc.boolean(), snap: fc.constantFrom(65535, 262144, 0, 20, 0x7fffffff), packets: fc.array(packet, { maxLength: 24 }), fixLengths: fc.boolean() })
    .map((s) => {
      const hdr = Buffer.alloc(24);
      const w32 = (buf, v, at) => (s.be ? buf.writeUInt32BE(v >>> 0, at) : buf.writeUInt32LE(v >>> 0, at));
      const lt = s.packets.length > 0 ? s.packets[0].lt : 1;
      w32(hdr, s.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
      w32(hdr, s.snap, 16);
      w32(hdr, lt, 20);
      const recs = [hdr];
      for (const p of s.packets) {
        const ip = Buffer.from(p.ipHeader);
        if (p.v6) {
          ip[0] = 0x60 | (ip[0] & 0x0f);
          ip[6] = p.proto;
          if (s.fixLengths) ip.writeUInt16BE(p.transport.length + 20, 4);
        } else {
          ip[0] = 0x45;
          ip[9] = p.proto;
          if (s.fixLengths) { ip.writeUInt16BE(20 + p.transport.length, 2); ip[6] &= 0x40; ip[7] = 0; }
        }
        const ipBytes = Buffer.concat([p.v6 ? ip.subarray(0, 40) : ip.subarray(0, 20), Buffer.from(p.transport)]);
        const etherType = p.v6 ? 0x86dd : 0x0800;
        let link;
        switch (lt) {
          case 1: link = Buffer.concat([Buffer.alloc(12, 2), Buffer.from([etherType >> 8, etherType & 0xff])]); break;
          case 113: { link = Buffer.alloc(16); link.writeUInt16BE(etherType, 14); break; }
          case 276: { link = Buffer.alloc(20); link.writeUInt16BE(etherType, 0); break; }
          case 0: case 108: { link = Buffer.alloc(4); if (lt === 0) link.writeUInt32LE(p.v6 ? 30 : 2); else link.writeUInt32BE(p.v6 ? 24 : 2); break; }
          case 9: case 50: link = Buffer.from([0xff, 0x03, 0x00, p.v6 ? 0x57 : 0x21]); break;
          case 104: link = Buffer.from([0x0f, 0, etherType >> 8, etherType & 0xff]); break;
          default: link = Buffer.alloc(0);
        }
        const data = Buffer.concat([link, ipBytes]);
        const rh = Buffer.alloc(16);
        w32(rh, p.tsSec, 0);
        w32(rh, s.nanos ? p.tsFrac * 1000 : p.tsFrac, 4);
        w32(rh, data.length, 8);
        w32(rh, Math.max(0, data.length + p.wireDelta), 12);
        recs.push(rh, data);
      }
      return Buffer.concat(recs);
    });
}

/** One generated input: bytes and reader parameters. */
export function inputArb(fc, target, seeds) {
  const list = seeds[target] ?? [];
  const isText = target === 'conntrack' || target === 'flowexport';
  const mutationList = fc.array(isText ? textMutationArb(fc) : byteMutationArb(fc), { minLength: 1, maxLength: 6 });
  const fromSeed = list.length === 0 ? null : fc.record({ seed: fc.nat({ max: list.length - 1 }), muts: mutationList })
    .map(({ seed, muts }) => mutate(list[seed], muts, list));
  const randomBytes = fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u));
  const sources = [];
  if (fromSeed !== null) sources.push({ weight: 8, arbitrary: fromSeed });
  sources.push({ weight: 1, arbitrary: randomBytes });
  if (target === 'pcap' || target === 'inputs') sources.push({ weight: 3, arbitrary: syntheticPcapArb(fc) });
  if (target === 'pcap') sources.push({ weight: 1, arbitrary: randomBytes.map((b) => Buffer.concat([Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'), b])) });
  if (target === 'pcapng') sources.push({ weight: 1, arbitrary: randomBytes.map((b) => Buffer.concat([Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex'), b])) });
  if (isText) sources.push({ weight: 1, arbitrary: fc.array(fc.constantFrom(...TOKENS, '\n', ' ', '\t', ','), { maxLength: 200 }).map((t) => Buffer.from(t.join(''), 'utf8')) });
  if (target === 'gzip') {
    // Captures compressed, then (often) damaged after compression.
    const plain = [...(seeds.pcap ?? []), ...(seeds.pcapng ?? [])].filter((b) => b.length <= 64 * 1024);
    if (plain.length > 0) {
      sources.push({
        weight: 4,
        arbitrary: fc.record({ seed: fc.nat({ max: plain.length - 1 }), level: fc.integer({ min: 0, max: 9 }), muts: fc.array(byteMutationArb(fc), { maxLength: 3 }), plainMuts: fc.array(byteMutationArb(fc), { maxLength: 2 }) })
          .map(({ seed, level, muts, plainMuts }) => mutate(gzipSync(mutate(plain[seed], plainMuts, plain), { level }), muts)),
      });
    }
  }
  const bytes = fc.oneof(...sources);
  const chunk = fc.oneof({ weight: 3, arbitrary: fc.constant(1 << 20) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 1, arbitrary: fc.integer({ min: 65, max: 70_000 }) });
  let params;
  switch (target) {
    case 'pcap': case 'pcapng':
      params = fc.record({ chunk, maxFlows: fc.oneof(fc.constant(4_000_000), fc.integer({ min: 1, max: 8 })), idleLimitUs: fc.constantFrom(0, 0, 1, 1e6, 3600e6) });
      break;
    case 'gzip': case 'inputs':
      params = fc.record({ maxDecompressed: fc.oneof({ weight: 3, arbitrary: fc.constant(64 * 1024 ** 3) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 200_000 }) }), maxFlows: fc.constantFrom(4_000_000, 1, 3) });
      break;
    case 'conntrack':
      params = fc.record({ chunk, strict: fc.boolean() });
      break;
    case 'flowexport':
      params = fc.record({
        chunk, strict: fc.boolean(), engine: fc.constantFrom('fast', 'fast', 'csv-parse'),
        format: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('zeek-tsv', 'zeek-json', 'nfdump-csv', 'argus-csv', 'aws-vpc', 'cicflowmeter', 'csv') }),
      }).map((p) => (p.format === 'csv' ? { ...p, map: FUZZ_COLUMN_MAP } : p));
      break;
    default:
      params = fc.constant({});
  }
  return fc.record({ bytes, params });
}

// ---------------------------------------------------------------------------------------------
// Findings

/** What makes two failures the same bug: target, kind, error class and the first stack frame in dist/. */
export function signature(target, out) {
  const frame = (out.stack ?? '').split('\n').find((l) => l.includes('/dist/')) ?? '';
  const where = frame.replace(/^.*\/dist\//, '').replace(/:\d+\)?$/, '');
  const msg = (out.message ?? '').replace(/\d+/g, 'N').slice(0, 80);
  return out.kind === 'crash' ? `${target} crash ${out.name}: ${where || msg}` : `${target} ${out.kind}: ${out.kind === 'invalid' ? msg : ''}`;
}

export function isFailure(out) {
  return out.kind === 'crash' || out.kind === 'hang' || out.kind === 'memory' || out.kind === 'invalid';
}

/**
 * Byte-level delta debugging (ddmin): removes chunks of the input while the same failure
 * (signature) remains. Bounded by `maxTrials` and `deadline` (ms since epoch).
 */
export async function minimise(worker, target, bytes, params, sig, { maxTrials = 400, deadline = Date.now() + 60_000, budgetMs } = {}) {
  let best = Buffer.from(bytes);
  let trials = 0;
  const still = async (cand) => {
    trials++;
    const out = await worker.run(target, cand, params, budgetMs ?? timeBudgetMs(cand.length));
    return isFailure(out) && signature(target, out) === sig;
  };
  let n = 2;
  while (best.length >= 2 && trials < maxTrials && Date.now() < deadline) {
    const size = Math.ceil(best.length / n);
    let reduced = false;
    for (let start = 0; start < best.length && trials < maxTrials && Date.now() < deadline; start += size) {
      const cand = Buffer.concat([best.subarray(0, start), best.subarray(start + size)]);
      if (cand.length > 0 && await still(cand)) {
        best = cand;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= best.length) break;
      n = Math.min(best.length, n * 2);
    }
  }
  // Then try zeroing bytes (keeps offsets, makes the hex easier to read).
  for (let i = 0; i < best.length && trials < maxTrials && Date.now() < deadline; i++) {
    if (best[i] === 0) continue;
    const cand = Buffer.from(best);
    cand[i] = 0;
    if (await still(cand)) best = cand;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Runs

/**
 * Fuzzes `targets` and returns per-target statistics and the findings.
 * Options: seed, seconds (time per target, or numRuns), numRuns, jobs, budgetMs, seeds (from loadSeeds),
 * minimise (default true), log (progress function).
 */
export async function runFuzz(opts) {
  const fc = (await import('fast-check')).default;
  const seeds = opts.seeds ?? await loadSeeds({ corpus: opts.corpus !== false });
  const seed = opts.seed ?? (Date.now() % 2147483647);
  const log = opts.log ?? (() => undefined);
  const probe = new FuzzWorker();
  const available = new Set(await probe.available(opts.targets ?? TARGETS));
  await probe.close();
  const wanted = opts.targets ?? TARGETS;
  const stats = {};
  const findings = new Map();
  const queue = wanted.filter((t) => available.has(t));
  for (const t of wanted) if (!available.has(t)) stats[t] = { tried: 0, skipped: 'reader not built (missing from dist/)' };

  async function fuzzOne(target, worker) {
    const st = { tried: 0, ok: 0, inputErrors: 0, codes: {}, unpositioned: {}, untidy: {}, crashes: 0, hangs: 0, memory: 0, invalid: 0, maxMs: 0, maxGrowthBytes: 0, seeds: (seeds[target] ?? []).length };
    stats[target] = st;
    const arb = inputArb(fc, target, seeds);
    const started = Date.now();
    const prop = fc.asyncProperty(arb, async ({ bytes, params }) => {
      const out = await worker.run(target, bytes, params, opts.budgetMs ?? timeBudgetMs(bytes.length));
      st.tried++;
      if ((out.ms ?? 0) > st.maxMs) {
        st.maxMs = out.ms;
        st.slowest = { bytes: bytes.length, params, ms: out.ms };
        if (opts.keepSlowest) st.slowest.input = Buffer.from(bytes);
      }
      st.maxGrowthBytes = Math.max(st.maxGrowthBytes, out.growth ?? 0);
      if (out.kind === 'ok') st.ok++;
      else if (out.kind === 'input-error') {
        st.inputErrors++;
        st.codes[out.code] = (st.codes[out.code] ?? 0) + 1;
        if (!out.positioned) st.unpositioned[out.code] = (st.unpositioned[out.code] ?? 0) + 1;
        if (out.untidy && st.untidy[out.code] === undefined) st.untidy[out.code] = JSON.stringify(out.message.slice(0, 120));
      } else {
        if (out.kind === 'crash') st.crashes++;
        else if (out.kind === 'hang') st.hangs++;
        else if (out.kind === 'memory') st.memory++;
        else st.invalid++;
        const sig = signature(target, out);
        const prev = findings.get(sig);
        if (prev === undefined || bytes.length < prev.bytes.length) findings.set(sig, { target, sig, out, bytes: Buffer.from(bytes), params });
        if (prev === undefined) log(`${target}: ${out.kind} ${out.name ?? ''} ${(out.message ?? '').slice(0, 200)}`.trim());
      }
      return true;
    });
    const params = { seed: seed + TARGETS.indexOf(target), numRuns: opts.numRuns ?? Number.MAX_SAFE_INTEGER, endOnFailure: true };
    if (opts.seconds !== undefined) params.interruptAfterTimeLimit = opts.seconds * 1000;
    await fc.check(prop, params);
    st.seconds = (Date.now() - started) / 1000;
  }

  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, queue.length));
  const workers = Array.from({ length: jobs }, () => new FuzzWorker());
  try {
    let next = 0;
    await Promise.all(workers.map(async (w) => {
      while (next < queue.length) {
        const t = queue[next++];
        log(`fuzzing ${t} (${(seeds[t] ?? []).length} seeds)`);
        await fuzzOne(t, w);
      }
    }));
    const list = [...findings.values()];
    if (opts.minimise !== false) {
      for (const f of list) {
        log(`minimising: ${f.sig} (${f.bytes.length} bytes)`);
        f.minimised = await minimise(workers[0], f.target, f.bytes, f.params, f.sig, { deadline: Date.now() + (opts.minimiseSeconds ?? 60) * 1000 });
      }
    }
    return { seed, stats, findings: list };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

export function formatReport(report) {
  const out = [];
  out.push(`fwtp fuzz: seed ${report.seed}`);
  const cols = ['reader', 'seeds', 'inputs', 'ok', 'input errors', 'crashes', 'hangs', 'memory', 'invalid', 'slowest', 'most memory'];
  const rows = [];
  for (const [t, s] of Object.entries(report.stats)) {
    if (s.skipped !== undefined) { rows.push([t, '-', '0', `skipped: ${s.skipped}`]); continue; }
    rows.push([t, String(s.seeds), String(s.tried), String(s.ok), String(s.inputErrors), String(s.crashes), String(s.hangs), String(s.memory), String(s.invalid),
      `${Math.round(s.maxMs)} ms${s.slowest ? ` (${s.slowest.bytes} B)` : ''}`, `${(s.maxGrowthBytes / 2 ** 20).toFixed(1)} MiB`]);
  }
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  out.push(cols.map((c, i) => c.padEnd(widths[i])).join('  '));
  for (const r of rows) out.push(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
  for (const [t, s] of Object.entries(report.stats)) {
    if (s.codes === undefined || Object.keys(s.codes).length === 0) continue;
    const codes = Object.entries(s.codes).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
    out.push(`${t}: input errors by code: ${codes}`);
    const unpos = Object.entries(s.unpositioned);
    if (unpos.length > 0) out.push(`${t}: without a byte offset or line: ${unpos.map(([c, n]) => `${c} ${n}`).join(', ')}`);
    for (const [c, m] of Object.entries(s.untidy)) out.push(`${t}: ${c} message quotes raw input (control characters or over ${MAX_MESSAGE_CHARS} characters), e.g. ${m}`);
  }
  if (report.findings.length === 0) out.push('findings: none');
  else {
    out.push(`findings: ${report.findings.length}`);
    for (const f of report.findings) {
      const b = f.minimised ?? f.bytes;
      out.push(`- ${f.sig}`);
      out.push(`  ${f.out.kind}: ${f.out.name ?? ''} ${f.out.message ?? ''}`.trimEnd());
      const frame = (f.out.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' | ');
      if (frame) out.push(`  at ${frame}`);
      out.push(`  params ${JSON.stringify(f.params)}`);
      out.push(`  input (${b.length} bytes${f.minimised ? `, minimised from ${f.bytes.length}` : ''}): ${b.length <= 4096 ? b.toString('hex') : `${b.subarray(0, 256).toString('hex')}... (saved with --save)`}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Compiles src/ into dist/ when a source file is newer than its output (like test/helpers/cli.ts). */
export function ensureBuilt() {
  const src = join(ROOT, 'src');
  const stale = walk(src).some((f) => {
    if (!/\.tsx?$/.test(f) || f.endsWith('.d.ts')) return false;
    const js = join(DIST, relative(src, f)).replace(/\.tsx?$/, '.js');
    return !existsSync(js) || statSync(f).mtimeMs > statSync(js).mtimeMs;
  });
  if (!stale) return;
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
}

function parseArgs(argv) {
  const o = { seconds: 60, jobs: 2, corpus: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seconds') o.seconds = Number(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--targets') o.targets = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--jobs') o.jobs = Number(val());
    else if (a === '--budget-ms') o.budgetMs = Number(val());
    else if (a === '--save') o.save = val();
    else if (a === '--no-corpus') o.corpus = false;
    else if (a === '--json') o.json = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!(o.seconds > 0)) throw new Error('--seconds must be above 0');
  if (!(Number.isInteger(o.jobs) && o.jobs >= 1)) throw new Error('--jobs must be a whole number >= 1');
  for (const t of o.targets ?? []) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t} (known: ${TARGETS.join(', ')})`);
  return o;
}

async function cli() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (o.help) {
    process.stdout.write('usage: node scripts/fuzz.mjs [--seconds N] [--seed N] [--targets a,b] [--jobs N] [--budget-ms MS] [--save DIR] [--no-corpus] [--json]\n' +
      `targets: ${TARGETS.join(', ')}\n--seconds is the total time, shared by the targets (each gets seconds * jobs / targets).\n`);
    return;
  }
  ensureBuilt();
  const targets = o.targets ?? TARGETS;
  const perTarget = (o.seconds * Math.min(o.jobs, targets.length)) / targets.length;
  const report = await runFuzz({ ...o, targets, seconds: perTarget, log: (m) => process.stderr.write(`fuzz: ${m}\n`) });
  if (o.save !== undefined) {
    mkdirSync(o.save, { recursive: true });
    for (const [k, f] of report.findings.entries()) {
      writeFileSync(join(o.save, `${f.target}-${k}.bin`), f.minimised ?? f.bytes);
      writeFileSync(join(o.save, `${f.target}-${k}.json`), JSON.stringify({ sig: f.sig, out: f.out, params: f.params }, null, 2));
    }
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({ seed: report.seed, stats: report.stats, findings: report.findings.map((f) => ({ sig: f.sig, out: f.out, params: f.params, hex: (f.minimised ?? f.bytes).toString('hex') })) }, null, 2) + '\n');
  } else process.stdout.write(formatReport(report));
  process.exitCode = report.findings.length > 0 ? 1 : 0;
}

if (process.env.FWTP_FUZZ_CHILD === '1' && process.send !== undefined) startWorker();
else if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
