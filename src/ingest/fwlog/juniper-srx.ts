/**
 * Juniper SRX session logs (session-logs.md; Junos "Information Provided in Session Log Entries
 * for SRX Series"): RT_FLOW_SESSION_CREATE / CLOSE / DENY and their `_LS` (logical system)
 * forms, structured (sd-syslog `[junos@... key="value" ...]`) and unstructured (`session closed
 * <reason>: a/p->b/p service nat-a/p->nat-b/p rules proto policy zones id pkts(bytes) pkts(bytes)
 * elapsed`). CLOSE `elapsed-time` is in seconds, create to close (includes the idle wait,
 * inference). nat-* equal the originals when there is no NAT: kept as NAT only when they differ.
 */
import { countOf, portOf, protocolOf, scanPairs } from './fields.js';
import type { ReadState } from './state.js';
import { readSyslogHeader } from './syslog.js';
import type { EndReason, Endpoint } from './types.js';

const TAG = 'RT_FLOW_SESSION_';

export function sniffJuniperSrxLine(line: string): boolean {
  return line.indexOf('RT_FLOW') >= 0 || line.indexOf('[junos@') >= 0 || line.indexOf('APPTRACK_SESSION') >= 0;
}

/** SRX close reasons seen (session-logs.md) in fwtp's vocabulary. */
export function srxEndReason(raw: string): EndReason {
  switch (raw.toLowerCase()) {
    case 'idle timeout': return 'idle-timeout';
    case 'tcp fin': return 'fin';
    case 'tcp client rst': return 'rst-client';
    case 'tcp server rst': return 'rst-server';
    case 'tcp rst': return 'rst';
    case 'policy deny': case 'denied by policy': return 'policy';
    default: return 'other';
  }
}

type Kind = 'CREATE' | 'CLOSE' | 'DENY';

/** `a/p->b/p` into two endpoints. */
function arrowPair(t: string | undefined): [Endpoint, Endpoint] | null {
  if (t === undefined) return null;
  const a = t.indexOf('->');
  if (a < 0) return null;
  const one = (x: string): Endpoint | null => {
    const s = x.lastIndexOf('/');
    if (s <= 0) return null;
    return { address: x.slice(0, s), port: portOf(x.slice(s + 1)), iface: null };
  };
  const l = one(t.slice(0, a)), r = one(t.slice(a + 2));
  return l && r ? [l, r] : null;
}

/** Unstructured body after `RT_FLOW_SESSION_X: ` into the structured keys. */
function unstructured(kind: Kind, body: string): Map<string, string> | null {
  const m = new Map<string, string>();
  let rest = body;
  if (kind === 'CLOSE') {
    if (!rest.startsWith('session closed ')) return null;
    const colon = rest.indexOf(': ', 15);
    if (colon < 0) return null;
    m.set('reason', rest.slice(15, colon));
    rest = rest.slice(colon + 2);
  } else {
    const p = kind === 'CREATE' ? 'session created ' : 'session denied ';
    if (!rest.startsWith(p)) return null;
    rest = rest.slice(p.length);
  }
  const w = rest.split(' ').filter((x) => x !== '');
  const orig = arrowPair(w[0]);
  if (orig === null) return null;
  m.set('source-address', orig[0].address); m.set('source-port', String(orig[0].port ?? ''));
  m.set('destination-address', orig[1].address); m.set('destination-port', String(orig[1].port ?? ''));
  m.set('service-name', w[1] ?? '');
  if (kind === 'DENY') {
    m.set('protocol-id', (w[2] ?? '').replace(/\(.*$/, ''));
    m.set('policy-name', w[3] ?? '');
    return m;
  }
  const nat = arrowPair(w[2]);
  if (nat !== null) {
    m.set('nat-source-address', nat[0].address); m.set('nat-source-port', String(nat[0].port ?? ''));
    m.set('nat-destination-address', nat[1].address); m.set('nat-destination-port', String(nat[1].port ?? ''));
  }
  m.set('protocol-id', w[5] ?? ''); m.set('policy-name', w[6] ?? '');
  m.set('source-zone-name', w[7] ?? ''); m.set('destination-zone-name', w[8] ?? '');
  m.set('session-id-32', w[9] ?? '');
  if (kind === 'CLOSE') {
    const pb = (t: string | undefined): [string, string] => { const x = /^(\d+)\((\d+)\)$/.exec(t ?? ''); return x ? [x[1]!, x[2]!] : ['', '']; };
    const c = pb(w[10]), s = pb(w[11]);
    m.set('bytes-from-client', c[1]); m.set('bytes-from-server', s[1]);
    m.set('elapsed-time', w[12] ?? '');
  }
  return m;
}

export function readJuniperSrxLine(line: string, st: ReadState): void {
  const t = line.indexOf(TAG);
  if (t < 0) {
    const h = readSyslogHeader(line, st.clock);
    st.skip(h.msgId ?? firstWord(line.slice(h.msgStart)) ?? 'no tag');
    return;
  }
  let e = t + TAG.length;
  while (e < line.length && /[A-Z_]/.test(line[e]!)) e++;
  const tag = line.slice(t, e);
  const kindText = tag.slice(TAG.length).replace(/_LS$/, '');
  if (kindText !== 'CREATE' && kindText !== 'CLOSE' && kindText !== 'DENY') { st.skip(tag); return; }
  const kind = kindText as Kind;
  const h = readSyslogHeader(line, st.clock);
  const sd = line.indexOf('[junos@', e);
  let kv: Map<string, string> | null;
  if (sd >= 0) {
    const sp = line.indexOf(' ', sd);
    kv = scanPairs(line, sp < 0 ? line.length : sp, 61, new Map());
  } else {
    let b = e;
    if (line.charCodeAt(b) === 58) b++;
    while (line.charCodeAt(b) === 32) b++;
    kv = unstructured(kind, line.slice(b));
  }
  if (kv === null || !kv.has('source-address')) { st.bad(`${tag}: no source-address`); return; }
  const get = (k: string): string => kv!.get(k) ?? '';
  const [protocol, protocolNumber] = protocolOf(get('protocol-id'));
  const src: Endpoint = { address: get('source-address'), port: portOf(get('source-port')), iface: get('source-zone-name') || null };
  const dst: Endpoint = { address: get('destination-address'), port: portOf(get('destination-port')), iface: get('destination-zone-name') || null };
  const base = {
    vendor: 'juniper-srx' as const, line: st.lineNo, host: h.host, timeUs: h.time === null ? null : h.time.timeUs,
    yearInferred: h.time !== null && h.time.yearInferred, messageKind: tag, protocol, protocolNumber, src, dst,
  };
  if (kind === 'DENY') {
    st.emit({
      type: 'drop', ...base, kind: 'policy', action: 'deny', tcpFlags: null, payloadBytes: null,
      inInterface: get('packet-incoming-interface') || null, outInterface: null, direction: null, rule: get('policy-name') || null,
    });
    return;
  }
  const nat = (a: string, p: string, orig: Endpoint): Endpoint | null => {
    const addr = get(a), port = portOf(get(p));
    if (addr === '' || (addr === orig.address && port === orig.port)) return null;
    return { address: addr, port, iface: orig.iface };
  };
  const session = {
    ...base, natSrc: nat('nat-source-address', 'nat-source-port', src), natDst: nat('nat-destination-address', 'nat-destination-port', dst),
    initiator: 'src' as const, connectionId: get('session-id-32') || get('session-id') || null,
  };
  if (kind === 'CREATE') { st.emit({ type: 'session-start', ...session, direction: null }); return; }
  const bc = countOf(get('bytes-from-client')), bs = countOf(get('bytes-from-server'));
  const rawReason = get('reason');
  st.emit({
    type: 'session-end', ...session, durationSeconds: countOf(get('elapsed-time')), durationResolutionSeconds: 1,
    durationCovers: 'start-to-end', startUs: null, bytes: bc === null && bs === null ? null : (bc ?? 0) + (bs ?? 0),
    endReason: srxEndReason(rawReason), rawReason, reasonAmbiguous: false,
  });
}

function firstWord(s: string): string | null {
  const w = s.split(' ')[0]?.replace(/:$/, '');
  return w ? w : null;
}
