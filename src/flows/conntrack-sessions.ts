/**
 * `conntrack -E -o timestamp` events as the session log of a Linux drop log (issue 13, item 1):
 * each entry's NEW becomes a session-start record and its DESTROY a session-end record, in the
 * fwlog record types (vendor 'linux-log'), so that the firewall-log join (fwlog-sessions.ts) gives
 * the kernel LOG / nft log / ulogd2 LOGEMU drops to the entries they followed.
 *
 * How an entry ended is the event reader's classification (conntrack-events.ts endedBy, from the
 * close states of conntrack-closing.ts; docs/CONNTRACK.md): a DESTROY without a close state is the
 * idle timer (endReason 'idle-timeout'; the DESTROY comes at last packet + T, so the duration spans
 * start to end), one after FIN/RST states is a close, one user space caused is 'other'.
 */
import { CLOSE_RST, ENDED_CLOSE, ENDED_NAMES, ENDED_REMOVED, ENDED_TIMEOUT } from '../ingest/conntrack-closing.js';
import { ctProtoName, type ConntrackInput } from '../ingest/conntrack.js';
import type { EndReason, Endpoint, FwRecord, SessionEndRecord, SessionStartRecord } from '../ingest/fwlog/types.js';
import { PROTO_TCP, PROTO_UDP } from '../util/protocols.js';

const US_PER_S = 1e6;

function endpoint(address: string, port: number, ported: boolean): Endpoint {
  return { address, port: ported ? port : null, iface: null };
}

function endReasonOf(endedBy: number, closing: number): EndReason {
  if (endedBy === ENDED_TIMEOUT) return 'idle-timeout';
  if (endedBy === ENDED_CLOSE) return closing === CLOSE_RST ? 'rst' : 'fin';
  return 'other';
}

/**
 * The session records of one event stream, in time order (a start before its end). `host` is the
 * host name the drop log writes for the firewall (events carry none; the join keys on it).
 * Entries without event times (conntrack -E without -o timestamp) give no record.
 * @example
 * // [1000.0] [NEW] tcp 6 120 SYN_SENT src=192.0.2.10 dst=198.51.100.24 sport=40000 dport=1521 ... id=1
 * // [1010.0] [DESTROY] tcp 6 ESTABLISHED src=192.0.2.10 ... id=1
 * // -> session-start at 1000 s, session-end at 1010 s: endReason 'idle-timeout', durationSeconds 10
 */
export function sessionRecordsOfEvents(input: ConntrackInput, host: string | null): Array<SessionStartRecord | SessionEndRecord> {
  const ev = input.events;
  if (ev === undefined) return [];
  const L = ev.lifetimes, t = L.entries;
  const texts = t.addresses.texts();
  const out: Array<{ r: SessionStartRecord | SessionEndRecord; us: number }> = [];
  for (let r = 0; r < t.count; r++) {
    const firstUs = L.firstSeconds[r]! * US_PER_S, destroyUs = L.destroySeconds[r]! * US_PER_S;
    if (Number.isNaN(firstUs) && Number.isNaN(destroyUs)) continue;
    const proto = t.proto[r]!;
    const ported = proto === PROTO_TCP || proto === PROTO_UDP;
    const src = endpoint(texts[t.src[r]!]!, t.sport[r]!, ported), dst = endpoint(texts[t.dst[r]!]!, t.dport[r]!, ported);
    // The reply tuple is the other form of each end under NAT: the server as the client sees it
    // answer (DNAT), the client as the server sees it (SNAT).
    const replySrc = endpoint(texts[t.replySrc[r]!] ?? '', t.replySport[r]!, ported), replyDst = endpoint(texts[t.replyDst[r]!] ?? '', t.replyDport[r]!, ported);
    const same = (a: Endpoint, b: Endpoint): boolean => a.address === b.address && a.port === b.port;
    const id = t.id[r]!;
    const base = {
      vendor: 'linux-log' as const, line: t.line[r]!, host, yearInferred: false, protocol: ctProtoName(proto), protocolNumber: proto,
      src, dst, natSrc: replyDst.address === '' || same(replyDst, src) ? null : replyDst, natDst: replySrc.address === '' || same(replySrc, dst) ? null : replySrc,
      initiator: 'src' as const, connectionId: Number.isNaN(id) ? null : String(id),
    };
    if (L.newSeen[r] === 1 && !Number.isNaN(firstUs)) {
      out.push({ r: { ...base, type: 'session-start', timeUs: firstUs, messageKind: 'NEW', direction: null }, us: firstUs });
    }
    if (Number.isNaN(destroyUs)) continue;
    const delta = t.deltaSeconds[r]!;
    const durationSeconds = L.newSeen[r] === 1 && !Number.isNaN(firstUs) ? (destroyUs - firstUs) / US_PER_S : Number.isNaN(delta) ? null : delta;
    const endedBy = L.endedBy[r]!;
    out.push({
      r: {
        ...base, type: 'session-end', timeUs: destroyUs, messageKind: 'DESTROY', durationSeconds, durationResolutionSeconds: 1,
        durationCovers: 'start-to-end', startUs: null, bytes: Number.isNaN(t.bytesOrig[r]!) ? null : t.bytesOrig[r]! + t.bytesReply[r]!,
        endReason: endReasonOf(endedBy, L.closing[r]!), rawReason: ENDED_NAMES[endedBy] ?? '', reasonAmbiguous: endedBy === ENDED_REMOVED,
      },
      us: destroyUs,
    });
  }
  return out.map((x, i) => ({ ...x, i })).sort((a, b) => a.us - b.us || a.i - b.i).map((x) => x.r);
}

/**
 * The host name the Linux drop records write, when they all write one: the events' sessions get it.
 * `hosts` counts the distinct names (more than one: the events cannot be tied to one firewall).
 */
export function linuxDropHost(records: Iterable<FwRecord>): { host: string | null; hosts: number } {
  const seen = new Set<string | null>();
  for (const r of records) if (r.type === 'drop' && r.vendor === 'linux-log') seen.add(r.host);
  const [only] = seen;
  return { host: seen.size === 1 ? only ?? null : null, hosts: seen.size };
}
