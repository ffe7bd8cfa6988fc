#!/usr/bin/env node
// Samples the conntrack table of the namespace it runs in (fw), every --interval-ms on a fixed
// grid (start + k * interval, so delays never accumulate). One JSON line per sample:
//   {"t": epoch ms, "c": counter, "p": live entries, "s": {STATE: n}, "l": conntrack -L entries}
//
// - "c" is what `conntrack -C` prints: conntrack 1.4.7 asks the per-netns counter with
//   IPCTNL_MSG_CT_GET_STATS (CTA_STATS_GLOBAL_ENTRIES); /proc/sys/net/netfilter/nf_conntrack_count
//   is the same atomic, read here without a fork. It counts an entry until it is freed, so an
//   expired entry stays counted until something reaps it (the gc worker, a lookup, a dump).
// - "p" counts the entries of /proc/net/nf_conntrack: like a `conntrack -L` dump, the listing skips
//   expired entries (and reaps them, ct_seq_show / ctnetlink_dump_table): the number of live
//   entries at that instant, the lab's truth. Reading it costs ~0.1 ms; a `conntrack -L` dump
//   costs ~10 ms of system time here (it walks all 262144 buckets of the host-wide hash).
// - "l" = lines of `conntrack -L`, every --list-every samples, to show that "p" and "l" agree
//   ("p2" = the table read again after the dump; "l" must lie between "p" and "p2").
// --proc 0 --list-every 0 samples "c" alone: the gc-lag probe, where nothing but the kernel's
// own gc reaps expired entries (docs/LAB.md).
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'interval-ms': { type: 'string', default: '100' },
    proc: { type: 'string', default: '1' },
    'list-every': { type: 'string', default: '10' },
  },
});
const intervalMs = Number(values['interval-ms']);
const withProc = values.proc !== '0';
const listEvery = Number(values['list-every']);
const COUNT_FILE = '/proc/sys/net/netfilter/nf_conntrack_count';
const TABLE_FILE = '/proc/net/nf_conntrack';

let listing = false;
let stopped = false;
let tick = 0;
const startMs = Date.now();

/**
 * Entries per state in /proc/net/nf_conntrack lines
 * ("ipv4     2 tcp      6 3 ESTABLISHED src=..."; protocols without states count as OTHER).
 */
function countTable(text) {
  const states = {};
  let entries = 0;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    if (to > from) {
      entries++;
      const m = /^\S+\s+\d+\s+tcp\s+\d+\s+\d+\s+([A-Z_]+)/.exec(text.slice(from, to));
      const key = m ? m[1] : 'OTHER';
      states[key] = (states[key] ?? 0) + 1;
    }
    from = to + 1;
  }
  return { entries, states };
}

function listWithConntrack(sample) {
  listing = true;
  const child = spawn('conntrack', ['-L'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let lines = 0;
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (d) => {
    for (let i = d.indexOf('\n'); i >= 0; i = d.indexOf('\n', i + 1)) lines++;
  });
  child.on('close', (code) => {
    listing = false;
    sample.l = code === 0 ? lines : null;
    // The table again once the dump is done: "l" must lie between "p" and "p2".
    if (withProc) sample.p2 = countTable(readFileSync(TABLE_FILE, 'latin1')).entries;
    process.stdout.write(`${JSON.stringify(sample)}\n`);
  });
}

function takeSample() {
  if (stopped) return;
  const t = Number((performance.timeOrigin + performance.now()).toFixed(1));
  // The counter first: reading the table reaps expired entries and would lower it.
  const c = Number(readFileSync(COUNT_FILE, 'latin1').trim());
  const sample = { t, c };
  if (withProc) {
    const { entries, states } = countTable(readFileSync(TABLE_FILE, 'latin1'));
    sample.p = entries;
    sample.s = states;
  }
  if (listEvery > 0 && tick % listEvery === 0 && !listing) listWithConntrack(sample);
  else process.stdout.write(`${JSON.stringify(sample)}\n`);
  tick++;
  setTimeout(takeSample, Math.max(0, startMs + tick * intervalMs - Date.now()));
}

function stop() {
  stopped = true;
  // Let a dump in flight print its line.
  const wait = () => (listing ? setTimeout(wait, 5) : process.exit(0));
  wait();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdout.write(`${JSON.stringify({ event: 'ready', intervalMs, proc: withProc, listEvery })}\n`);
takeSample();
