#!/usr/bin/env node
// `fwtp gaps FILE --format json` for many files in ONE process: the built CLI's main() is called
// once per file, with stdout/stderr captured, instead of starting node ~1,600 times (the oracle
// spent most of its time starting processes). One JSON line per file on stdout:
//   {"i": index, "exitCode": n, "stderr": "...", "elapsedMs": n, "json": {figures} | null, "jsonError": ...}
// where json keeps only what scripts/oracle-diff.mjs compares (fwtpFigures).
//
//   node scripts/fwtp-gaps-many.mjs < files.txt      (one path per line)
//
// A file that kills or hangs this process is found by the parent (runFwtpGapsMany in
// oracle-diff.mjs): it is the one after the last line printed; the parent restarts from the next.
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { main } = await import(pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href);

const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
// main() adds one EPIPE listener to stdout per call.
process.stdout.setMaxListeners(0);

/** Only the figures compared with tshark (see fwtpFigures in oracle-diff.mjs). */
function slim(doc) {
  const input = Array.isArray(doc?.inputs) ? doc.inputs[0] : undefined;
  return {
    inputs: input ? [{ packets: input.packets, truncated: input.truncated, warnings: input.warnings }] : [],
    packets: doc?.packets,
    tcpStreams: doc?.tcpStreams,
    keepAlives: doc?.keepAlives ? { probes: doc.keepAlives.probes, acks: doc.keepAlives.acks } : undefined,
  };
}

async function runOne(file) {
  let out = '';
  let err = '';
  process.stdout.write = (chunk, ...rest) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const cb = rest.find((r) => typeof r === 'function');
    if (cb) cb();
    return true;
  };
  process.stderr.write = (chunk, ...rest) => {
    err += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const cb = rest.find((r) => typeof r === 'function');
    if (cb) cb();
    return true;
  };
  process.exitCode = undefined;
  const started = process.hrtime.bigint();
  try {
    await main(['gaps', file, '--format', 'json']);
  } catch (e) {
    // main() catches everything it knows; an escape is a crash.
    err += `\n${e?.stack ?? e}`;
    process.exitCode = 70;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  const elapsedMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  let json = null;
  let jsonError = null;
  if (exitCode === 0) {
    try {
      json = slim(JSON.parse(out));
    } catch (e) {
      jsonError = String(e?.message ?? e);
    }
  }
  return { exitCode, stderr: err.trim().slice(0, 2000), elapsedMs, json, jsonError };
}

let i = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line === '') continue;
  const r = await runOne(line);
  realOut(`${JSON.stringify({ i, ...r })}\n`);
  i++;
}
