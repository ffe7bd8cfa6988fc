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
//   Checked by identity, so no timing enters the check: "lMiss" = entries in both table reads
//   but not in the dump, "lExtra" = dump entries in neither table read, "lw" = ms from the first
//   table read to the end of the second. Within lw < the shortest state timeout (3 s in the
//   lab) no entry can be born and die unseen, so both must be 0 (docs/LAB.md).
// - "c2" = the counter read again after the table, "w" = ms from before the table read to after
//   c2, "lo" = entries of the table read with 0, 1, 2 s left (the /proc timeout column,
//   truncated to whole seconds). A listed entry is freed before c2 only if it expires within w,
//   so p - (entries with under w left) <= c2 holds whatever the scheduling (docs/LAB.md).
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
function countTable(text, withKeys = false) {
  const states = {};
  const lo = [0, 0, 0];
  const keys = withKeys ? new Set() : null;
  let entries = 0;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    if (to > from) {
      entries++;
      const line = text.slice(from, to);
      const m = /^\S+\s+\d+\s+tcp\s+\d+\s+\d+\s+([A-Z_]+)/.exec(line);
      const key = m ? m[1] : 'OTHER';
      states[key] = (states[key] ?? 0) + 1;
      const left = /^\S+\s+\d+\s+\S+\s+\d+\s+(\d+)/.exec(line);
      if (left && Number(left[1]) < lo.length) lo[Number(left[1])]++;
      if (keys) keys.add(entryKey(line));
    }
    from = to + 1;
  }
  return { entries, states, lo, keys };
}

/**
 * An entry's identity in both listings: protocol and original tuple. /proc lines start with the
 * layer 3 name and number ("ipv4 2 tcp 6 ..."), `conntrack -L` lines with the protocol; IPv6
 * addresses are written out in full in /proc and shortened by conntrack, so they are normalised.
 */
function entryKey(line) {
  const m = /^(?:ipv[46]\s+\d+\s+)?(\S+)\s+\d+\s+\d+\s+(?:[A-Z_]+\s+)?src=(\S+) dst=(\S+)((?: sport=\d+ dport=\d+| type=\d+ code=\d+ id=\d+)?)/.exec(line);
  if (!m) return line;
  const addr = (a) => (a.includes(':') ? new URL(`http://[${a}]`).hostname : a);
  return `${m[1]} ${addr(m[2])} ${addr(m[3])}${m[4]}`;
}

function listWithConntrack(sample, before) {
  listing = true;
  const child = spawn('conntrack', ['-L'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (d) => {
    text += d;
  });
  child.on('close', (code) => {
    listing = false;
    const dumped = countTable(text, true);
    sample.l = code === 0 ? dumped.entries : null;
    // The table again once the dump is done: "l" must lie between "p" and "p2".
    if (withProc && before) {
      const after = countTable(readFileSync(TABLE_FILE, 'latin1'), true);
      sample.p2 = after.entries;
      sample.lw = Number((performance.now() - before.at).toFixed(1));
      if (code === 0) {
        sample.lMiss = [...before.keys].filter((k) => after.keys.has(k) && !dumped.keys.has(k)).length;
        sample.lExtra = [...dumped.keys].filter((k) => !before.keys.has(k) && !after.keys.has(k)).length;
      }
    }
    process.stdout.write(`${JSON.stringify(sample)}\n`);
  });
}

function takeSample() {
  if (stopped) return;
  const t = Number((performance.timeOrigin + performance.now()).toFixed(1));
  // The counter first: reading the table reaps expired entries and would lower it.
  const c = Number(readFileSync(COUNT_FILE, 'latin1').trim());
  const sample = { t, c };
  const list = listEvery > 0 && tick % listEvery === 0 && !listing;
  let before = null;
  if (withProc) {
    const at = performance.now();
    const { entries, states, lo, keys } = countTable(readFileSync(TABLE_FILE, 'latin1'), list);
    // The counter again: an entry created since "c" was read is counted here.
    sample.c2 = Number(readFileSync(COUNT_FILE, 'latin1').trim());
    sample.w = Number((performance.now() - at).toFixed(1));
    sample.p = entries;
    sample.s = states;
    sample.lo = lo;
    before = { at, keys };
  }
  if (list) listWithConntrack(sample, before);
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
