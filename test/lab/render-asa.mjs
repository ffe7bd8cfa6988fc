#!/usr/bin/env node
// Renders one lab run as the syslog a Cisco ASA would have written for it (docs/LAB.md "Firewall
// logs"), so that fwtp's ASA reader can be checked against the kernel too:
//   302013 Built outbound TCP connection    a conntrack NEW event
//   302014 Teardown TCP connection          a DESTROY event: "Conn-timeout" when the entry expired
//                                           established, "TCP FINs" when it ended closing
//   106015 Deny TCP (no connection)         a packet the "fwtp-drop: " rule logged (state expired)
//   106023 Deny tcp ... by access-group     a packet the "fwtp-deny: " rule logged (policy)
// Message layouts: ../shared/reference/session-logs.md, drop-logs.md, src/ingest/fwlog/cisco-asa.ts.
// Times are stretched STRETCH times from the workload start (a 3 s lab timeout becomes 3000 s),
// so the ASA's whole-second stamps ("logging timestamp", with the year) lose nothing.
//
//   node test/lab/render-asa.mjs --events conntrack-events.txt --drops drops.pcap --start-ms EPOCH_MS > asa.log
//
// Drops come from the run's nflog capture (tshark: the kernel's NFULA_TIMESTAMP and prefix), which
// holds the same packets as ulogd's LOGEMU file (both equal the nft counters, asserted) with
// sub-second times; LOGEMU stamps whole seconds.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const execFileP = promisify(execFile);
export const STRETCH = 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DB_ADDR = '198.51.100.24';
const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "Dec 02 2026 00:24:08" (UTC), the ASA's `logging timestamp` form with the year. */
function asaTime(ms) {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** H:MM:SS, as 302014 writes its duration. */
function asaDuration(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** ASA's interface names in the lab: the db's side and the app's side of fw. */
const ifaceOf = (addr) => (addr === DB_ADDR ? 'db' : 'app');

/** conntrack -E -o timestamp lines: [{ tMs, type, state, src, dst, sport, dport }] (original direction). */
export function parseEvents(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^\[(\d+\.\d+)\]\s+\[(NEW|UPDATE|DESTROY)\]\s+tcp\s+6\s+(?:\d+\s+)?([A-Z_]+)\s+src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/.exec(line);
    if (m) out.push({ tMs: Number(m[1]) * 1000, type: m[2], state: m[3], src: m[4], dst: m[5], sport: Number(m[6]), dport: Number(m[7]) });
  }
  return out;
}

/** The run's nflog capture through tshark: [{ tMs, prefix, src, sport, dst, dport, flags }]. */
export async function readDropCapture(file) {
  const fields = ['nflog.timestamp', 'nflog.prefix', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags'];
  const args = ['-n', '-r', file, '--disable-protocol', 'tns', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', '-t', 'e'];
  for (const f of fields) args.push('-e', f);
  args.push('-e', 'frame.time_epoch');
  const { stdout } = await execFileP('tshark', args, { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' }, maxBuffer: 256 << 20 });
  return stdout.split('\n').filter((l) => l.length > 0).map((l) => {
    const c = l.split('\t');
    const kernelMs = parseAbsTime(c[0] ?? '');
    return { tMs: Number.isFinite(kernelMs) ? kernelMs : Number(c[7]) * 1000, prefix: c[1] ?? '', src: c[2], sport: Number(c[3]), dst: c[4], dport: Number(c[5]), flags: Number(c[6]) };
  });
}

/** tshark's FT_ABSOLUTE_TIME with TZ=UTC ("Dec  2, 2026 00:24:08.717962000 UTC") in epoch ms, or NaN. */
function parseAbsTime(text) {
  const m = /^(\w{3})\s+(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(\.\d+)? UTC$/.exec(text.trim());
  if (!m) return NaN;
  return Date.UTC(Number(m[3]), MONTHS.indexOf(m[1]), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) + Number(m[7] ?? 0) * 1000;
}

/** ASA's flag words for 106015, in its order. */
function flagWords(flags) {
  const words = [];
  if (flags & 0x02) words.push('SYN');
  if (flags & 0x01) words.push('FIN');
  if (flags & 0x04) words.push('RST');
  if (flags & 0x08) words.push('PSH');
  if (flags & 0x10) words.push('ACK');
  return words.join(' ');
}

/**
 * The ASA lines of one run, in time order. `startMs` is the workload start: times become
 * startMs + (t - startMs) * STRETCH.
 */
export function renderAsa({ events, drops, startMs, stretch = STRETCH }) {
  const at = (tMs) => startMs + (tMs - startMs) * stretch;
  const lines = [];
  const ids = new Map();
  const built = new Map();
  const key = (e) => `${e.src}/${e.sport}>${e.dst}/${e.dport}`;
  for (const e of events) {
    if (e.type === 'NEW') {
      const id = ids.size + 1;
      ids.set(key(e), id);
      built.set(key(e), e.tMs);
      lines.push([at(e.tMs), `%ASA-6-302013: Built outbound TCP connection ${id} for db:${e.dst}/${e.dport} (${e.dst}/${e.dport}) to app:${e.src}/${e.sport} (${e.src}/${e.sport})`]);
    } else if (e.type === 'DESTROY' && ids.has(key(e))) {
      // Destroyed while established: its timer ran out (nothing in the lab deletes entries).
      const reason = e.state === 'ESTABLISHED' ? 'Conn-timeout' : 'TCP FINs';
      const durationSeconds = (at(e.tMs) - at(built.get(key(e)))) / 1000;
      lines.push([at(e.tMs), `%ASA-6-302014: Teardown TCP connection ${ids.get(key(e))} for db:${e.dst}/${e.dport} to app:${e.src}/${e.sport} duration ${asaDuration(durationSeconds)} bytes 0 ${reason}`]);
    }
  }
  for (const d of drops) {
    if (d.prefix.startsWith('fwtp-deny')) {
      lines.push([at(d.tMs), `%ASA-4-106023: Deny tcp src ${ifaceOf(d.src)}:${d.src}/${d.sport} dst ${ifaceOf(d.dst)}:${d.dst}/${d.dport} by access-group "${ifaceOf(d.src)}_in" [0x0, 0x0]`]);
    } else {
      lines.push([at(d.tMs), `%ASA-6-106015: Deny TCP (no connection) from ${d.src}/${d.sport} to ${d.dst}/${d.dport} flags ${flagWords(d.flags)}  on interface ${ifaceOf(d.src)}`]);
    }
  }
  lines.sort((a, b) => a[0] - b[0]);
  return lines.map(([tMs, text]) => `${asaTime(tMs)}: ${text}`);
}

async function main() {
  const { values } = parseArgs({ options: { events: { type: 'string' }, drops: { type: 'string' }, 'start-ms': { type: 'string' } } });
  if (!values.events || !values.drops || !values['start-ms']) throw new Error('usage: render-asa.mjs --events FILE --drops drops.pcap --start-ms EPOCH_MS');
  const events = parseEvents(readFileSync(values.events, 'latin1'));
  const drops = await readDropCapture(values.drops);
  process.stdout.write(`${renderAsa({ events, drops, startMs: Number(values['start-ms']) }).join('\n')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`render-asa: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
