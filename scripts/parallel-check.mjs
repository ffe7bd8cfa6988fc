#!/usr/bin/env node
/**
 * The parallel read of one capture (src/read/parallel-capture.ts) against the one-thread read:
 * `fwtp gaps --format json`'s document for every capture of the corpus (../shared/corpus/pcap, or
 * the paths given), read with --threads 1 and with 2 threads forced on however small the file.
 * Prints the captures that differ and how many took the parallel path (the others fell back to
 * one thread, which is the same read: a file whose readers could disagree with one tracker).
 * Needs the build (dist/). Exit 1 on any difference.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { readInputs } = await import(join(ROOT, 'dist/read/inputs.js'));
const { readCaptureParallel } = await import(join(ROOT, 'dist/read/parallel-capture.js'));
const { buildGapsDocument } = await import(join(ROOT, 'dist/report/gaps.js'));

function files(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (/\.(pcap|pcapng|cap|pcap\.gz)$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

async function gapsJson(path, threads) {
  try {
    const r = await readInputs([path], { threads, parallelMinBytes: 0 });
    return JSON.stringify(buildGapsDocument(r, 'service', 20, []));
  } catch (e) {
    return `error ${e.code ?? ''} ${e.message}`;
  }
}

const paths = process.argv.length > 2 ? process.argv.slice(2) : files(join(ROOT, '..', 'shared', 'corpus', 'pcap'));
let differ = 0, parallel = 0, fellBack = 0;
for (const p of paths) {
  if (!statSync(p).isFile()) continue;
  const one = await gapsJson(p, 1);
  const two = await gapsJson(p, 2);
  if (one !== two) {
    differ++;
    console.log(`DIFFERS ${p}`);
  }
  if (!one.startsWith('error')) {
    const direct = await readCaptureParallel(p, 2, { tracker: {} }).catch(() => null);
    if (direct === null) fellBack++;
    else parallel++;
  }
}
console.log(`${paths.length} captures: ${differ} differ; ${parallel} read in parallel, ${fellBack} fell back to one thread`);
process.exitCode = differ > 0 ? 1 : 0;
