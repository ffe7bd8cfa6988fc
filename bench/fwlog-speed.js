// Firewall-log reading speed (issue 13 item 7): N generated Cisco ASA lines (302013 / 302014 /
// 106015 mix) and N kernel LOG lines, read by fwtp's readers from 1 MiB string chunks; lines/s.
// Memory: heap growth over the read with the reader still held (after a GC when run with
// --expose-gc): records go to a callback, so only the open sessions (ASA Built lines waiting for
// their Teardown) may stay; it should not grow with the line count.
// Needs `npx tsc -p tsconfig.json` first (reads dist/).   node [--expose-gc] bench/fwlog-speed.js [--lines N]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { FirewallLogReader } = await import(pathToFileURL(join(root, 'dist', 'ingest', 'fwlog', 'index.js')).href);
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : dflt; };
const N = Number(arg('--lines', 1_000_000));

const pad = (n) => String(n).padStart(2, '0');
function stamp(s) { const h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60; return `Nov 25 2026 ${pad(h)}:${pad(m)}:${pad(s % 60)}`; }
function bsd(s) { const h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60; return `Nov 25 ${pad(h)}:${pad(m)}:${pad(s % 60)}`; }

function asaLines(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const id = 40000 + Math.floor(i / 3), c = 1024 + (i % 60000), t = Math.floor(i / 50);
    const k = i % 3;
    if (k === 0) out.push(`${stamp(t)}: %ASA-6-302013: Built outbound TCP connection ${id} for db:198.51.100.${i % 250}/1521 (198.51.100.${i % 250}/1521) to app:192.0.2.15/${c} (203.0.113.7/${c})`);
    else if (k === 1) out.push(`${stamp(t)}: %ASA-6-302014: Teardown TCP connection ${id} for db:198.51.100.${i % 250}/1521 to app:192.0.2.15/${c} duration 1:02:28 bytes 25630 Conn-timeout`);
    else out.push(`${stamp(t)}: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.${i % 250}/1521 to 192.0.2.15/${c} flags ACK  on interface db`);
  }
  return out.join('\n') + '\n';
}

function kernelLines(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const c = 1024 + (i % 60000), t = Math.floor(i / 50);
    out.push(`${bsd(t)} fw kernel: fwtp-drop: IN=f0 OUT=f1 MAC=22:98:2f:88:84:30:ae:fe:11:22:94:50:08:00 SRC=198.51.100.${i % 250} DST=192.0.2.15 LEN=40 TOS=0x00 PREC=0x00 TTL=63 ID=${i % 65536} DF PROTO=TCP SPT=1521 DPT=${c} WINDOW=64240 RES=0x00 ACK URGP=0`);
  }
  return out.join('\n') + '\n';
}

const heapUsed = () => { globalThis.gc?.(); return process.memoryUsage().heapUsed; };

function run(vendor, text) {
  const chunk = 1 << 20;
  let records = 0;
  const heap0 = heapUsed();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const r = new FirewallLogReader(vendor, { year: 2026, onRecord: () => { records++; } }, 'bench');
  for (let i = 0; i < text.length; i += chunk) r.push(text.slice(i, i + chunk));
  const res = r.end();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  // CPU seconds of this process too: on a shared machine wall time measures the neighbours.
  const cpu = (c.user + c.system) / 1e6;
  const heapGrowthKiB = Math.round((heapUsed() - heap0) / 1024);
  if (r.vendor !== vendor) throw new Error('reader lost'); // keeps r (and its open sessions) alive through the heap reading
  if (res.linesRead !== N || res.unreadableCount !== 0) throw new Error(`${vendor}: ${res.linesRead} lines, ${res.unreadableCount} unreadable`);
  return { vendor, lines: res.linesRead, records, seconds: Number(s.toFixed(3)), linesPerSecond: Math.round(res.linesRead / s), cpuSeconds: Number(cpu.toFixed(3)), linesPerCpuSecond: Math.round(res.linesRead / cpu), heapGrowthKiB, gcBeforeHeap: typeof globalThis.gc === 'function' };
}

const asa = asaLines(N), kern = kernelLines(N);
// warm-up (the JIT), not counted
for (const [v, t] of [['cisco-asa', asa], ['linux-log', kern]]) { try { run(v, t.slice(0, t.indexOf('\n', 2_000_000) + 1)); } catch { /* line count differs: fine */ } }
for (const [v, t] of [['cisco-asa', asa], ['linux-log', kern]]) console.log(JSON.stringify(run(v, t)));
