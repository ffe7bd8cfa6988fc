/**
 * PAN-OS TRAFFIC records, syslog CSV (after a BSD header) or exported CSV (session-logs.md;
 * "Traffic Log Fields", docs.paloaltonetworks.com). 0-based field positions after the leading
 * FUTURE_USE field: 3 type, 4 subtype, 6 Generated Time, 7/8 source/destination, 9/10 NAT
 * source/destination, 11 rule, 16/17 zones, 18/19 interfaces, 22 session id, 24/25 ports,
 * 26/27 NAT ports, 29 protocol, 30 action, 31 bytes, 35 Start Time, 36 Elapsed Time (s, start to
 * last packet: excludes the idle wait), 46 Session End Reason. Subtype end -> session-end, start
 * -> session-start, drop/deny -> drop. Times are device local without zone (options.tz), except
 * that a trailing ISO field with an offset (PAN-OS 10 lines) gives the zone.
 */
import { countOf, portOf, protocolOf } from './fields.js';
import type { ReadState } from './state.js';
import { isoTimeAt, type SyslogClock } from './syslog.js';
import type { EndReason, Endpoint } from './types.js';

/** Fields of a CSV record starting at `start` (double-quoted fields may hold commas; `""` is a quote). */
export function splitCsv(s: string, start: number): string[] {
  const out: string[] = [];
  let i = start;
  const n = s.length;
  for (;;) {
    if (s.charCodeAt(i) === 34) {
      let j = i + 1, v = '';
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) { v += s.slice(j); j = n; break; }
        v += s.slice(j, q);
        if (s.charCodeAt(q + 1) === 34) { v += '"'; j = q + 2; continue; }
        j = q + 1; break;
      }
      out.push(v);
      const c = s.indexOf(',', j);
      if (c < 0) return out;
      i = c + 1;
    } else {
      const c = s.indexOf(',', i);
      if (c < 0) { out.push(s.slice(i)); return out; }
      out.push(s.slice(i, c));
      i = c + 1;
    }
  }
}

/** Start of the CSV record: the word holding the first comma (after any syslog header). */
function csvStart(line: string): number {
  const c = line.indexOf(',');
  if (c < 0) return -1;
  const sp = line.lastIndexOf(' ', c);
  return sp + 1;
}

export function sniffPanosLine(line: string): boolean {
  const s = csvStart(line);
  if (s < 0) return false;
  const f = line.slice(s, s + 120).split(',');
  return f.length > 5 && /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(f[1]!) && /^(TRAFFIC|THREAT|SYSTEM|CONFIG|HIPMATCH|GLOBALPROTECT|USERID|DECRYPTION|AUTHENTICATION|CORRELATION|IPTAG|SCTP|TUNNEL|GTP)$/.test(f[3]!);
}

/** `YYYY/MM/DD hh:mm:ss` in the given zone (minutes east) or the clock's, µs; NaN if not one. */
function panTime(s: string, clock: SyslogClock, offsetMinutes: number | null): number {
  if (s.length !== 19 || s.charCodeAt(4) !== 47 || s.charCodeAt(7) !== 47) return NaN;
  return clock.toUs(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)),
    Number(s.slice(11, 13)), Number(s.slice(14, 16)), Number(s.slice(17, 19)), 0, offsetMinutes);
}

/** Session End Reason (PAN-OS field descriptions, session-logs.md) in fwtp's vocabulary. */
export function panosEndReason(raw: string): EndReason {
  switch (raw) {
    case 'aged-out': return 'idle-timeout';
    case 'tcp-fin': return 'fin';
    case 'tcp-rst-from-client': return 'rst-client';
    case 'tcp-rst-from-server': return 'rst-server';
    case 'policy-deny': case 'threat': return 'policy';
    default: return 'other';
  }
}

function ep(address: string, port: string, iface: string): Endpoint {
  return { address, port: portOf(port), iface: iface || null };
}

export function readPanosLine(line: string, st: ReadState): void {
  const start = csvStart(line);
  if (start < 0) { st.bad('no CSV record'); return; }
  const f = splitCsv(line, start);
  if (f.length < 4) { st.bad('too few fields'); return; }
  const type = f[3];
  if (type !== 'TRAFFIC') { st.skip(type || 'no type'); return; }
  const subtype = f[4];
  if (subtype !== 'end' && subtype !== 'start' && subtype !== 'drop' && subtype !== 'deny') { st.skip(`TRAFFIC/${subtype}`); return; }
  if (f.length < 47) { st.bad(`TRAFFIC with ${f.length} fields (47 needed)`); return; }
  // A trailing ISO time with an offset (PAN-OS 10.x high-resolution field) gives the device's zone.
  let offset: number | null = null;
  const last = f[f.length - 1]!;
  if (last.length >= 20 && last.charCodeAt(4) === 45) {
    const t = isoTimeAt(last, 0, st.clock);
    const z = last.slice(-6);
    if (t !== null && /^[+-]\d{2}:\d{2}$/.test(z)) offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)));
  }
  const timeUs = panTime(f[6]!, st.clock, offset);
  if (Number.isNaN(timeUs)) { st.bad(`bad Generated Time ${JSON.stringify(f[6])}`); return; }
  const [protocol, protocolNumber] = protocolOf(f[29]!);
  const src = ep(f[7]!, f[24]!, f[18]!), dst = ep(f[8]!, f[25]!, f[19]!);
  // No NAT: PAN-OS writes 0.0.0.0 (or nothing) and port 0 (session-logs.md pitfalls).
  const nat = (a: string, p: string, iface: string): Endpoint | null => (a === '' || a === '0.0.0.0' || a === '::' ? null : ep(a, p, iface));
  const base = {
    vendor: 'panos' as const, line: st.lineNo, host: f[52] || null, timeUs, yearInferred: false,
    messageKind: `TRAFFIC/${subtype}`, protocol, protocolNumber, src, dst,
  };
  if (subtype === 'drop' || subtype === 'deny') {
    st.emit({
      type: 'drop', ...base, kind: 'policy', action: f[30]!, tcpFlags: null, payloadBytes: null,
      inInterface: f[18] || null, outInterface: f[19] || null, direction: null, rule: f[11] || null,
    });
    return;
  }
  const session = { ...base, natSrc: nat(f[9]!, f[26]!, f[18]!), natDst: nat(f[10]!, f[27]!, f[19]!), initiator: 'src' as const, connectionId: f[22] || null };
  if (subtype === 'start') { st.emit({ type: 'session-start', ...session, direction: null }); return; }
  const elapsed = countOf(f[36]);
  const startUs = panTime(f[35]!, st.clock, offset);
  const rawReason = f[46]!;
  st.emit({
    type: 'session-end', ...session, durationSeconds: elapsed, durationResolutionSeconds: 1,
    durationCovers: 'start-to-last-packet', startUs: Number.isNaN(startUs) ? null : startUs, bytes: countOf(f[31]),
    endReason: panosEndReason(rawReason), rawReason, reasonAmbiguous: false,
  });
}
