#!/usr/bin/env node
// The Wireshark oracle: packet facts of a capture file as tshark (4.0.x) sees
// them, to be compared with `fwtp gaps` (test/oracle/tshark.test.ts,
// scripts/oracle-diff.mjs). The counting rules, and why frames with tunnelled
// or ICMP-quoted TCP are counted apart, are in docs/WIRESHARK-RULES.md §4.
//
// Library:  import { tsharkFacts, tsharkFactsMany, listCaptureFiles } from './tshark-oracle.mjs'
// CLI:      node scripts/tshark-oracle.mjs [--concurrency 2] [--out facts.json] FILE|DIR...
//           prints (or writes) JSON: { tshark, generatedAt, files: [facts...], summary }

import { execFile } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Fields asked of tshark, in output column order. */
export const TSHARK_FIELDS = [
  'frame.number',
  'frame.protocols',
  'tcp.stream',
  'tcp.analysis.keep_alive',
  'tcp.analysis.keep_alive_ack',
];

/**
 * Preferences pinned to tshark's defaults so that a user's profile cannot
 * change the facts (tcp.stream splitting and the keep-alive flags need the
 * sequence analysis; IP reassembly decides on which frame a fragmented TCP
 * segment is seen).
 */
export const TSHARK_PREFS = [
  'tcp.analyze_sequence_numbers:TRUE',
  'ip.defragment:TRUE',
  'ipv6.defragment:TRUE',
];

/** Per-file limit: a pathological capture must not hang the whole run. */
export const DEFAULT_TIMEOUT_MS = 300_000;

/** tshark prints this harmless line on stderr when run as root. */
const ROOT_WARNING = /^Running as user "root" and group "root"\. This could be dangerous\.$/;

/**
 * Arguments for one tshark run (execFile, no shell). Single pass (no -2): the
 * analysis flags and stream numbers are fixed on the first, sequential pass;
 * -2 gives the same numbers on the corpus (checked, see WIRESHARK-RULES.md §4).
 * @param {string} file
 * @returns {string[]}
 */
export function tsharkArgs(file) {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const pref of TSHARK_PREFS) args.push('-o', pref);
  for (const field of TSHARK_FIELDS) args.push('-e', field);
  return args;
}

/**
 * @typedef {object} TcpFigures
 * @property {number} tcpFrames        frames counted in this view
 * @property {number} tcpStreams       distinct tcp.stream values
 * @property {number} keepAliveProbes  frames flagged tcp.analysis.keep_alive
 * @property {number} keepAliveAcks    frames flagged tcp.analysis.keep_alive_ack
 */

/**
 * @typedef {object} TsharkFacts
 * @property {string} file
 * @property {boolean} readOk            tshark exited 0 and printed no `tshark: ...` error (a read
 *                                       error such as "appears to have been cut short" exits 2)
 * @property {number} dissectorWarnings  `[Epan WARNING]` lines (dissector bugs above TCP; they do not
 *                                       change frame, stream or keep-alive facts, so readOk stays true)
 * @property {number|null} exitCode
 * @property {string|null} signal
 * @property {string} stderr             trimmed, root warning removed, at most 2000 characters
 * @property {number} elapsedMs
 * @property {number} packets            frames tshark printed
 * @property {TcpFigures} all            every TCP layer of every frame (tunnelled and ICMP-quoted too)
 * @property {TcpFigures} nonTunnelled   frames whose first TCP layer follows exactly one ip/ipv6 layer
 * @property {number} tunnelledTcpFrames frames whose first TCP layer follows two or more ip/ipv6 layers
 * @property {number} icmpQuotedTcpFrames frames whose first TCP layer is inside an ICMP/ICMPv6 error
 * @property {number} tcpWithoutStreamFrames frames with a tcp layer but no tcp.stream (header cut short)
 * @property {number} ambiguousFrames    non-tunnelled frames with several TCP layers whose flags cannot be attributed
 */

/** @returns {TcpFigures} */
function emptyFigures() {
  return { tcpFrames: 0, tcpStreams: 0, keepAliveProbes: 0, keepAliveAcks: 0 };
}

/** Splits an aggregated field value ("3,7") into its occurrences. */
function occurrences(value) {
  return value === undefined || value === '' ? [] : value.split(',');
}

/**
 * Computes the facts from tshark's field output (pure; exported for tests).
 * Classification of a frame uses frame.protocols up to its first `tcp` token:
 * - exactly one `ip`/`ipv6` token before it: non-tunnelled (VLAN, MPLS, PPPoE,
 *   IPv6 extension headers such as `ipv6.hopopts` are not IP layers);
 * - an `icmp`/`icmpv6` token before it: ICMP-quoted TCP (fwtp counts the frame
 *   as ICMP, so it is left out of the non-tunnelled view);
 * - two or more IP layers: tunnelled (GRE, IP-in-IP, 6in4, VXLAN, Teredo ...).
 * @param {string} stdout
 * @returns {Omit<TsharkFacts, 'file'|'readOk'|'exitCode'|'signal'|'stderr'|'elapsedMs'>}
 */
export function factsFromFields(stdout) {
  const all = emptyFigures();
  const nonTunnelled = emptyFigures();
  const allStreams = new Set();
  const plainStreams = new Set();
  let packets = 0;
  let tunnelledTcpFrames = 0;
  let icmpQuotedTcpFrames = 0;
  let tcpWithoutStreamFrames = 0;
  let ambiguousFrames = 0;
  let start = 0;
  while (start < stdout.length) {
    let end = stdout.indexOf('\n', start);
    if (end < 0) end = stdout.length;
    const line = stdout.slice(start, end);
    start = end + 1;
    if (line === '') continue;
    packets++;
    const [, protocols = '', streamField, kaField, kaAckField] = line.split('\t');
    const layers = protocols.split(':');
    const firstTcp = layers.indexOf('tcp');
    if (firstTcp < 0) continue;
    const tcpLayers = layers.filter((p) => p === 'tcp').length;
    const streams = occurrences(streamField);
    const probes = occurrences(kaField).length;
    const acks = occurrences(kaAckField).length;

    all.tcpFrames++;
    for (const s of streams) allStreams.add(s);
    all.keepAliveProbes += probes;
    all.keepAliveAcks += acks;
    if (streams.length === 0) tcpWithoutStreamFrames++;

    let ipLayers = 0;
    let icmp = false;
    for (let i = 0; i < firstTcp; i++) {
      const p = layers[i];
      if (p === 'ip' || p === 'ipv6') ipLayers++;
      else if (p === 'icmp' || p === 'icmpv6') icmp = true;
    }
    if (icmp) {
      icmpQuotedTcpFrames++;
      continue;
    }
    if (ipLayers !== 1) {
      tunnelledTcpFrames++;
      continue;
    }
    nonTunnelled.tcpFrames++;
    if (tcpLayers === 1) {
      if (streams.length > 0) plainStreams.add(streams[0]);
      nonTunnelled.keepAliveProbes += probes;
      nonTunnelled.keepAliveAcks += acks;
    } else {
      // The outer TCP carries another TCP (rare). Occurrences are not
      // positional, so only a full set can be attributed to the outer layer.
      if (streams.length === tcpLayers) plainStreams.add(streams[0]);
      if ((probes > 0 && probes < tcpLayers) || (acks > 0 && acks < tcpLayers) || streams.length !== tcpLayers) {
        ambiguousFrames++;
      }
      if (probes === tcpLayers) nonTunnelled.keepAliveProbes++;
      if (acks === tcpLayers) nonTunnelled.keepAliveAcks++;
    }
  }
  all.tcpStreams = allStreams.size;
  nonTunnelled.tcpStreams = plainStreams.size;
  return { packets, all, nonTunnelled, tunnelledTcpFrames, icmpQuotedTcpFrames, tcpWithoutStreamFrames, ambiguousFrames };
}

/**
 * Removes the root warning and trims what tshark wrote on stderr.
 * @param {string} stderr
 */
export function cleanStderr(stderr) {
  const text = stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !ROOT_WARNING.test(l.trim()))
    .join('\n')
    .trim();
  return text.length > 2000 ? `${text.slice(0, 2000)}...` : text;
}

/**
 * Runs tshark on one capture and returns its facts. Never rejects: a failed
 * run is reported in readOk/exitCode/stderr (frames printed before a read
 * error, e.g. "appears to have been cut short", are still counted).
 * @param {string} file
 * @param {{ tshark?: string, timeoutMs?: number }} [options]
 * @returns {Promise<TsharkFacts>}
 */
export function tsharkFacts(file, options = {}) {
  const tshark = options.tshark ?? process.env.TSHARK ?? 'tshark';
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return runProcess(tshark, tsharkArgs(file), { timeout }).then(({ stdout, stderr, exitCode, signal, elapsedMs }) => {
    const cleaned = cleanStderr(stderr);
    const lines = cleaned === '' ? [] : cleaned.split('\n');
    const dissectorWarnings = lines.filter((l) => l.includes('[Epan WARNING]')).length;
    const readError = exitCode !== 0 || signal !== null || lines.some((l) => l.startsWith('tshark:'));
    return {
      file,
      readOk: !readError,
      dissectorWarnings,
      exitCode,
      signal,
      stderr: cleaned,
      elapsedMs,
      ...factsFromFields(stdout),
    };
  });
}

/**
 * Runs a command to completion and never rejects: exitCode is null when it did not exit on its
 * own (killed by the timeout, or spawn failure / maxBuffer overflow, whose message joins stderr).
 * Shared by the tshark oracle and scripts/oracle-diff.mjs (fwtp's side).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ timeout: number, cwd?: string }} options
 * @returns {Promise<{ stdout: string, stderr: string, exitCode: number|null, signal: string|null, elapsedMs: number }>}
 */
export function runProcess(cmd, args, options) {
  const startedAt = process.hrtime.bigint();
  return new Promise((resolvePromise) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: options.timeout, killSignal: 'SIGKILL', ...(options.cwd ? { cwd: options.cwd } : {}) },
      (error, stdout, stderr) => {
        const elapsedMs = Number((process.hrtime.bigint() - startedAt) / 1_000_000n);
        /** @type {number|null} */
        let exitCode = 0;
        /** @type {string|null} */
        let signal = null;
        let err = stderr ?? '';
        if (error) {
          exitCode = typeof error.code === 'number' ? error.code : null;
          signal = error.signal ?? null;
          if (exitCode === null && signal === null) err = `${err}\n${error.message}`;
        }
        resolvePromise({ stdout: stdout ?? '', stderr: err, exitCode, signal, elapsedMs });
      });
  });
}

export async function mapPool(items, concurrency, task) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  }
  const workers = [];
  for (let i = 0; i < Math.max(1, Math.min(concurrency, items.length)); i++) workers.push(worker());
  await Promise.all(workers);
  return results;
}

/**
 * Facts for many files with a small worker pool (2 by default: the machine
 * has 2 cores shared with other work).
 * @param {string[]} files
 * @param {{ concurrency?: number, tshark?: string, timeoutMs?: number, onResult?: (f: TsharkFacts, done: number) => void }} [options]
 * @returns {Promise<TsharkFacts[]>}
 */
export async function tsharkFactsMany(files, options = {}) {
  let done = 0;
  return mapPool(files, options.concurrency ?? 2, async (file) => {
    const facts = await tsharkFacts(file, options);
    done++;
    options.onResult?.(facts, done);
    return facts;
  });
}

/**
 * Every regular file under the given files/directories (recursive, sorted,
 * dot-files skipped). The corpus is read by content, so no extension filter.
 * @param {string[]} paths
 * @returns {string[]}
 */
export function listCaptureFiles(paths) {
  const out = [];
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (!name.startsWith('.')) walk(join(p, name));
      }
    } else if (st.isFile()) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

/**
 * Totals over a set of facts.
 * @param {TsharkFacts[]} facts
 */
export function summarise(facts) {
  const readOk = facts.filter((f) => f.readOk);
  const sum = (list, pick) => list.reduce((acc, f) => acc + pick(f), 0);
  const elapsed = facts.map((f) => f.elapsedMs);
  return {
    files: facts.length,
    readOk: readOk.length,
    readErrors: facts.length - readOk.length,
    filesWithTunnelledTcp: facts.filter((f) => f.tunnelledTcpFrames > 0).length,
    filesWithIcmpQuotedTcp: facts.filter((f) => f.icmpQuotedTcpFrames > 0).length,
    filesWithKeepAlives: facts.filter((f) => f.nonTunnelled.keepAliveProbes > 0).length,
    filesWithAmbiguousFrames: facts.filter((f) => f.ambiguousFrames > 0).length,
    filesWithDissectorWarnings: facts.filter((f) => f.dissectorWarnings > 0).length,
    filesWithStreamlessTcp: facts.filter((f) => f.tcpWithoutStreamFrames > 0).length,
    readOkTotals: {
      packets: sum(readOk, (f) => f.packets),
      nonTunnelledTcpStreams: sum(readOk, (f) => f.nonTunnelled.tcpStreams),
      nonTunnelledKeepAliveProbes: sum(readOk, (f) => f.nonTunnelled.keepAliveProbes),
      nonTunnelledKeepAliveAcks: sum(readOk, (f) => f.nonTunnelled.keepAliveAcks),
      allTcpStreams: sum(readOk, (f) => f.all.tcpStreams),
      allKeepAliveProbes: sum(readOk, (f) => f.all.keepAliveProbes),
      allKeepAliveAcks: sum(readOk, (f) => f.all.keepAliveAcks),
      tunnelledTcpFrames: sum(readOk, (f) => f.tunnelledTcpFrames),
      icmpQuotedTcpFrames: sum(readOk, (f) => f.icmpQuotedTcpFrames),
    },
    timing: {
      totalMs: sum(facts, (f) => f.elapsedMs),
      meanMs: facts.length ? Math.round(sum(facts, (f) => f.elapsedMs) / facts.length) : 0,
      maxMs: elapsed.length ? Math.max(...elapsed) : 0,
    },
  };
}

/** tshark's version line, or null when it cannot be run. */
export function tsharkVersion(tshark = process.env.TSHARK ?? 'tshark') {
  return new Promise((resolvePromise) => {
    execFile(tshark, ['--version'], { encoding: 'utf8' }, (error, stdout) => {
      resolvePromise(error ? null : (stdout.split('\n')[0] ?? '').trim());
    });
  });
}

async function main(argv) {
  let concurrency = 2;
  let outFile = null;
  const paths = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--concurrency') concurrency = Number(argv[++i]);
    else if (a === '--out') outFile = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/tshark-oracle.mjs [--concurrency N] [--out FILE.json] FILE|DIR...\n');
      return;
    } else paths.push(a);
  }
  if (paths.length === 0 || !Number.isInteger(concurrency) || concurrency < 1) {
    process.stderr.write('usage: node scripts/tshark-oracle.mjs [--concurrency N] [--out FILE.json] FILE|DIR...\n');
    process.exitCode = 2;
    return;
  }
  const version = await tsharkVersion();
  if (version === null) {
    process.stderr.write('tshark-oracle: tshark cannot be run (install Wireshark\'s tshark or set TSHARK)\n');
    process.exitCode = 1;
    return;
  }
  const files = listCaptureFiles(paths.map((p) => resolve(p)));
  const startedAt = Date.now();
  const facts = await tsharkFactsMany(files, {
    concurrency,
    onResult: (_f, done) => {
      if (outFile && (done % 100 === 0 || done === files.length)) process.stderr.write(`tshark-oracle: ${done}/${files.length}\n`);
    },
  });
  const report = {
    tshark: version,
    args: tsharkArgs('FILE'),
    generatedAt: new Date().toISOString(),
    concurrency,
    wallMs: Date.now() - startedAt,
    summary: summarise(facts),
    files: facts,
  };
  const json = `${JSON.stringify(report, null, 1)}\n`;
  if (outFile) writeFileSync(outFile, json);
  else process.stdout.write(json);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
