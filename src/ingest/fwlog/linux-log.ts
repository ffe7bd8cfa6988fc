/**
 * Linux packet log lines as drop records (drop-logs.md): kernel `LOG` target / nft `log`
 * (torvalds/linux net/netfilter/nf_log_syslog.c: prefix, IN= OUT= [MAC=] SRC= DST= LEN= ...
 * PROTO= SPT= DPT= ... flag words ... ), read from dmesg (`[ 375.39] ` seconds since boot: no
 * wall time), syslog (BSD or RFC 5424), `journalctl -o short-iso`, `-o export` (MESSAGE= with
 * the record's __REALTIME_TIMESTAMP=) or `-o json`; ulogd2 LOGEMU (same body after a local-time
 * header, 1g4-mirror/ulogd2 util/printpkt.c) and ulogd2 JSON (output/ulogd_output_JSON.c).
 * The verdict is not in the line: the record kind is 'logged' and the prefix is the rule.
 */
import { isIP, portOf, protocolOf } from './fields.js';
import type { ReadState } from './state.js';
import { isoTimeAt, readSyslogHeader } from './syslog.js';
import { eventTimeUs } from './fortigate.js';
import type { DropRecord, Endpoint } from './types.js';

/** Index of ` IN=` (or `]IN=`, or `IN=` at the start) where the packet fields begin, or -1. */
function inIndex(s: string, from: number): number {
  for (let p = s.indexOf('IN=', from); p >= 0; p = s.indexOf('IN=', p + 1)) {
    const c = p === 0 ? 32 : s.charCodeAt(p - 1);
    if (c === 32 || c === 93 || c === 58 || c === 62) return p; // space ] : >
  }
  return -1;
}

export function sniffLinuxLogLine(line: string): boolean {
  if (line.charCodeAt(0) === 123) return line.indexOf('"oob.prefix"') >= 0 || (line.indexOf('"MESSAGE"') >= 0 && line.indexOf('SRC=') >= 0);
  return line.indexOf(' SRC=') >= 0 && line.indexOf(' DST=') >= 0 && (inIndex(line, 0) >= 0 || line.indexOf(' PROTO=') >= 0);
}

const TCP_FLAG_WORDS = new Set(['AE', 'CWR', 'ECE', 'URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN']);

/** Journal export state: the current record's wall time. */
export class LinuxLogContext {
  realtimeUs: number | null = null;
}

export function createLinuxLogReader(): (line: string, st: ReadState) => void {
  const ctx = new LinuxLogContext();
  return (line, st) => readLinuxLogLine(line, st, ctx);
}

export function readLinuxLogLine(line: string, st: ReadState, ctx: LinuxLogContext): void {
  const c0 = line.charCodeAt(0);
  if (c0 === 123) { readJson(line, st); return; }
  if (c0 === 95 && line.startsWith('__REALTIME_TIMESTAMP=')) { // journalctl -o export
    const v = line.slice(21);
    ctx.realtimeUs = /^\d{1,17}$/.test(v) ? Number(v) : null;
    st.skip('journal field'); return;
  }
  if (c0 === 77 && line.startsWith('MESSAGE=')) { readBody(line, 8, st, ctx.realtimeUs, null, false); return; }
  if (c0 >= 65 && c0 <= 90 || c0 === 95) {
    // A journal field is `KEY=...` with no space before the '=': look for it in the first word only.
    const sp = line.indexOf(' ');
    const eq = sp < 0 ? line.indexOf('=') : equalsBefore(line, sp);
    if (eq > 0 && /^_{0,2}[A-Z0-9_]+$/.test(line.slice(0, eq)) && inIndex(line, 0) < 0) { st.skip('journal field'); return; }
  }
  const h = readSyslogHeader(line, st.clock);
  readBody(line, h.msgStart, st, h.time === null ? null : h.time.timeUs, h.host, h.time !== null && h.time.yearInferred, h.app);
}

/** Index of the first '=' before `end`, or -1. */
function equalsBefore(s: string, end: number): number {
  for (let i = 0; i < end; i++) if (s.charCodeAt(i) === 61) return i;
  return -1;
}

/** The kernel text from `start`: optional `<4>`, optional `[uptime]`, prefix, then IN= ... */
function readBody(line: string, start: number, st: ReadState, timeUs: number | null, host: string | null, yearInferred: boolean, app: string | null = null): void {
  let i = start;
  if (line.charCodeAt(i) === 60) { const g = line.indexOf('>', i); if (g > i && g - i <= 4) i = g + 1; } // dmesg -r level
  if (line.charCodeAt(i) === 91) { // [  375.392291]
    const close = line.indexOf(']', i);
    if (close > 0 && /^\[\s*\d+\.\d+$/.test(line.slice(i, close))) { i = close + 1; while (line.charCodeAt(i) === 32) i++; }
  }
  const p = inIndex(line, i);
  const srcAt = line.indexOf('SRC=', i);
  if (p < 0 || srcAt < 0) {
    if (srcAt < 0 && line.indexOf('PROTO=') < 0 && line.indexOf('SPT=') < 0) { st.skip(app ? `${app} (no packet fields)` : 'no packet fields'); return; }
    st.bad('packet log line without IN= / SRC= (cut short?)'); return;
  }
  let prefix = line.slice(i, p).trim();
  if (prefix === '' && app !== null && app !== 'kernel') prefix = app;
  // Walk `KEY=value` and flag words; stop at `[` (the quoted header inside ICMP errors).
  let inIf = '', outIf = '', src = '', dst = '', proto = '', spt = '', dpt = '', ipLen = -1, l4Len = -1;
  let flags: string[] | null = null, afterProto = false;
  const n = line.length;
  let j = p;
  while (j < n) {
    while (j < n && line.charCodeAt(j) === 32) j++;
    if (j >= n || line.charCodeAt(j) === 91) break;
    let e = line.indexOf(' ', j);
    if (e < 0) e = n;
    // Keys told apart by where their '=' is and their first letters (the first '=' of the word:
    // the letters before it are not '='); values sliced only for the keys read (hot path).
    const c0 = line.charCodeAt(j), c1 = line.charCodeAt(j + 1);
    if (e > j + 2 && line.charCodeAt(j + 2) === 61) { if (c0 === 73 && c1 === 78) inIf = line.slice(j + 3, e); } // IN
    else if (e > j + 3 && line.charCodeAt(j + 3) === 61) {
      const c2 = line.charCodeAt(j + 2), v = j + 4;
      if (c0 === 79 && c1 === 85 && c2 === 84) outIf = line.slice(v, e); // OUT
      else if (c0 === 83 && c1 === 82 && c2 === 67) src = line.slice(v, e); // SRC
      else if (c0 === 68 && c1 === 83 && c2 === 84) dst = line.slice(v, e); // DST
      else if (c0 === 76 && c1 === 69 && c2 === 78) { const n = numberAt(line, v, e); if (afterProto) l4Len = n; else ipLen = n; } // LEN
      else if (c0 === 83 && c1 === 80 && c2 === 84) spt = line.slice(v, e); // SPT
      else if (c0 === 68 && c1 === 80 && c2 === 84) dpt = line.slice(v, e); // DPT
    } else if (line.charCodeAt(j + 5) === 61 && c0 === 80 && c1 === 82 && line.startsWith('PROTO', j)) { proto = line.slice(j + 6, e); afterProto = true; }
    else if (afterProto && e - j <= 3) {
      // A flag word has no '=' and at most 3 letters (TCP_FLAG_WORDS).
      const w = line.slice(j, e);
      if (TCP_FLAG_WORDS.has(w)) (flags ??= []).push(w);
    }
    j = e;
  }
  if (!isIP(src) || !isIP(dst)) { st.bad('SRC= / DST= is not an address'); return; }
  const [protocol, protocolNumber] = protocolOf(proto);
  if (protocol === 'tcp' && flags === null) flags = [];
  const payloadBytes = protocol === 'udp' && l4Len >= 8 ? l4Len - 8 : null;
  const srcE: Endpoint = { address: src, port: portOf(spt), iface: inIf || null };
  const dstE: Endpoint = { address: dst, port: portOf(dpt), iface: outIf || null };
  const r: DropRecord = {
    type: 'drop', vendor: 'linux-log', line: st.lineNo, host, timeUs, yearInferred, messageKind: 'kernel LOG',
    protocol, protocolNumber, src: srcE, dst: dstE, kind: 'logged', action: prefix, tcpFlags: protocol === 'tcp' ? flags : null,
    payloadBytes, inInterface: inIf || null, outInterface: outIf || null, direction: null, rule: ruleOf(prefix),
  };
  if (ipLen >= 0) r.ipLengthBytes = ipLen;
  st.emit(r);
}

/** The log prefix without its trailing ':' (`fwtp-drop: ` -> `fwtp-drop`), or null. */
function ruleOf(prefix: string): string | null {
  const p = prefix.charCodeAt(prefix.length - 1) === 58 ? prefix.slice(0, -1).trim() : prefix;
  return p === '' ? null : p;
}

/** Decimal digits of s[start, end), or -1. */
function numberAt(s: string, start: number, end: number): number {
  if (start >= end || end - start > 9) return -1;
  let v = 0;
  for (let i = start; i < end; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return -1; v = v * 10 + (c - 48); }
  return v;
}

/** ulogd2 JSON (keys src_ip, dest_ip, src_port, dest_port, ip.protocol, oob.prefix, tcp.* flags 0/1) or journal JSON (MESSAGE). */
function readJson(line: string, st: ReadState): void {
  let o: Record<string, unknown>;
  try { o = JSON.parse(line) as Record<string, unknown>; } catch { st.bad('not JSON'); return; }
  if (o === null || typeof o !== 'object') { st.bad('not a JSON object'); return; }
  if (typeof o.MESSAGE === 'string') {
    const rt = typeof o.__REALTIME_TIMESTAMP === 'string' && /^\d{1,17}$/.test(o.__REALTIME_TIMESTAMP) ? Number(o.__REALTIME_TIMESTAMP) : null;
    readBody(o.MESSAGE, 0, st, rt, typeof o._HOSTNAME === 'string' ? o._HOSTNAME : null, false);
    return;
  }
  const s = (k: string): string => (o[k] === undefined || o[k] === null ? '' : String(o[k]));
  const src = s('src_ip') || s('ip.saddr'), dst = s('dest_ip') || s('ip.daddr');
  if (!isIP(src) || !isIP(dst)) { st.skip('JSON without packet addresses'); return; }
  const ts = s('timestamp') || s('@timestamp');
  let timeUs: number | null = null;
  if (ts !== '') { const t = isoTimeAt(ts, 0, st.clock); timeUs = t === null ? null : t.timeUs; }
  if (timeUs === null && s('oob.time.sec') !== '') {
    const sec = eventTimeUs(s('oob.time.sec'));
    timeUs = Number.isNaN(sec) ? null : sec + (Number(s('oob.time.usec')) || 0);
  }
  const [protocol, protocolNumber] = protocolOf(s('ip.protocol'));
  let flags: string[] | null = null;
  if (protocol === 'tcp') {
    flags = [];
    for (const f of ['urg', 'ack', 'psh', 'rst', 'syn', 'fin']) if (s(`tcp.${f}`) === '1' || s(`tcp.${f}`) === 'true') flags.push(f.toUpperCase());
  }
  const prefix = s('oob.prefix');
  const r: DropRecord = {
    type: 'drop', vendor: 'linux-log', line: st.lineNo, host: s('dvc') || null, timeUs, yearInferred: false, messageKind: 'ulogd JSON',
    protocol, protocolNumber, src: { address: src, port: portOf(s('src_port') || s('tcp.sport') || s('udp.sport')), iface: s('oob.in') || null },
    dst: { address: dst, port: portOf(s('dest_port') || s('tcp.dport') || s('udp.dport')), iface: s('oob.out') || null },
    kind: 'logged', action: prefix, tcpFlags: flags, payloadBytes: null, inInterface: s('oob.in') || null, outInterface: s('oob.out') || null,
    direction: null, rule: ruleOf(prefix),
  };
  const tl = Number(s('ip.totlen'));
  if (s('ip.totlen') !== '' && Number.isInteger(tl)) r.ipLengthBytes = tl;
  st.emit(r);
}
