#!/usr/bin/env node
// Takes the conntrack dump series of docs/CONNTRACK.md ("A series") in the namespace it runs in
// (fw): every --interval-ms, on a fixed grid (start + k * interval, so delays never accumulate),
// the line of `date +%s.%N` and then the output of `conntrack -L -o extended`, to stdout:
//
//   1764064023.712001234
//   ipv4     2 tcp      6 3597 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=40112 ...
//
// Each dump costs ~10 ms of system time here (a netlink dump walks all 262144 buckets of the
// host-wide hash, docs/LAB.md), so the rate stays modest. Both commands of one dump are buffered and
// written together: a stop (SIGTERM) lets the dump in flight finish, so the file never ends with a
// time line whose dump is missing (which would read as an empty table). A dump that fails is left
// out whole and counted on stderr.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'interval-ms': { type: 'string', default: '500' } } });
const intervalMs = Number(values['interval-ms']);
if (!(intervalMs >= 50)) throw new Error(`--interval-ms ${values['interval-ms']}: want at least 50`);

let busy = false;
let stopped = false;
let tick = 0;
let failed = 0;
const startMs = Date.now();

/** Runs `cmd args`, resolves with its stdout (null when it fails). */
function run(cmd, args) {
  return new Promise((res) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const parts = [];
    child.stdout.on('data', (d) => parts.push(d));
    child.on('error', () => res(null));
    child.on('close', (code) => res(code === 0 ? Buffer.concat(parts) : null));
  });
}

async function takeDump() {
  busy = true;
  // The time as `date +%s.%N` prints it, taken here (a fork less per dump; on a loaded machine
  // every fork is a wait for the CPU).
  const ms = performance.timeOrigin + performance.now();
  const at = Buffer.from(`${Math.floor(ms / 1000)}.${String(Math.round((ms % 1000) * 1e6)).padStart(9, '0')}\n`);
  const table = await run('conntrack', ['-L', '-o', 'extended']);
  if (at !== null && table !== null) process.stdout.write(Buffer.concat([at, table]));
  else failed++;
  busy = false;
  tick++;
  if (stopped) finish();
  else setTimeout(takeDump, Math.max(0, startMs + tick * intervalMs - Date.now()));
}

function finish() {
  if (failed > 0) process.stderr.write(`series.mjs: ${failed} dumps failed and were left out\n`);
  process.exit(0);
}

function stop() {
  stopped = true;
  if (!busy) finish();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stderr.write(`series.mjs: ready, a dump every ${intervalMs} ms\n`);
takeDump();
