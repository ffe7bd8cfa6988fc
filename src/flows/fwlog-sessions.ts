/**
 * The join of firewall-log records into sessions (issue 13, item 3): a session-start and a
 * session-end record of one session become one LogSession; a later drop of the same 5-tuple
 * (either direction, real or NAT form) attaches to the session it followed and, after an idle
 * end, reveals the gap that broke it: G = T + (drop - expiry) (session-logs.md "the join").
 * docs/FIREWALL-LOGS.md "From logs to flows".
 *
 * Memory: an end record frees its start; only the sessions still open are held apart from the
 * result itself. Drops are matched once all records are read, so a drop a collector wrote a few
 * seconds before the end record it follows still finds it (reorder slack).
 */
import type { DropRecord, EndReason, Endpoint, FwRecord, FwVendor, SessionEndRecord, SessionStartRecord } from '../ingest/fwlog/types.js';

export interface LogSession {
  vendor: FwVendor; host: string | null; protocol: string; protocolNumber: number | null;
  /** Real addresses: the initiator and the responder (record.initiator; src when the log does not say). */
  client: Endpoint; server: Endpoint;
  natClient: Endpoint | null; natServer: Endpoint | null;
  connectionId: string | null;
  /** Start record time, PAN-OS Start Time, or end - duration for 'start-to-end' vendors. */
  startUs: number | null;
  /** Time of the end record; null = no end record in the log. */
  endUs: number | null;
  /** Idle-timeout ends: endUs - T for 'start-to-end' vendors, startUs + elapsed for PAN-OS; other ends: endUs. */
  lastPacketUs: number | null;
  endReason: EndReason | null; rawReason: string; reasonAmbiguous: boolean;
  durationSeconds: number | null; bytes: number | null;
  /** Drops after the end matching this session in either direction, real or NAT form, in time order. */
  drops: DropRecord[];
  /** Idle-timeout end and a later matching drop: first drop time - lastPacketUs, in s (the exact final gap); else null. */
  revealedGapSeconds: number | null;
  startLine: number | null; endLine: number | null; file: string;
}

export interface SessionJoin { sessions: LogSession[]; unmatchedDrops: DropRecord[]; }

export interface JoinOptions {
  /** The timeout in force T, in seconds, per protocol ('tcp', 'udp', 'icmp' ...). */
  timeoutSeconds: (protocol: string) => number;
  /** How far out of order a collector may write lines, in s (default 5). */
  reorderSlackSeconds?: number;
}

const US_PER_S = 1e6;

function endpointKey(e: Endpoint): string { return `${e.address}/${e.port ?? ''}`; }

/** The 5-tuple as one key, the same for both directions. */
function tupleKey(host: string | null, protocol: string, a: Endpoint, b: Endpoint): string {
  const ka = endpointKey(a), kb = endpointKey(b);
  return `${host ?? ''}|${protocol}|${ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`}`;
}

function idKey(host: string | null, protocol: string, id: string): string { return `${host ?? ''}|${protocol}|#${id}`; }

/** Client and server (real, then NAT form) of a session record, by its initiator. */
function sides(r: SessionStartRecord | SessionEndRecord): [Endpoint, Endpoint, Endpoint | null, Endpoint | null] {
  return r.initiator === 'dst' ? [r.dst, r.src, r.natDst, r.natSrc] : [r.src, r.dst, r.natSrc, r.natDst];
}

/**
 * Pairs the records of one file into sessions and attaches drops.
 * @example
 * // ASA: 302013 at t, 302014 Conn-timeout duration 1:00:05 at t+3605, 106015 from the server at t+3730;
 * // T = 3600 -> lastPacketUs = t+5 s, revealedGapSeconds = 3725 (= T + 125).
 */
export function joinSessions(records: Iterable<FwRecord>, file: string, options: JoinOptions): SessionJoin {
  const j = new SessionJoiner(file, options);
  for (const r of records) j.push(r);
  return j.finish();
}

/**
 * The same join fed one record at a time (a reader's onRecord): only the open starts, the
 * sessions made so far and the drops are held, never the records themselves.
 */
export class SessionJoiner {
  private readonly openById = new Map<string, SessionStartRecord>();
  private readonly openByTuple = new Map<string, SessionStartRecord>();
  private readonly sessions: LogSession[] = [];
  private readonly drops: DropRecord[] = [];

  constructor(private readonly file: string, private readonly options: JoinOptions) {}

  push(r: FwRecord): void {
    if (r.type === 'drop') { this.drops.push(r); return; }
    if (r.type === 'session-start') {
      if (r.connectionId !== null) this.openById.set(idKey(r.host, r.protocol, r.connectionId), r);
      this.openByTuple.set(tupleKey(r.host, r.protocol, r.src, r.dst), r);
      return;
    }
    let start: SessionStartRecord | undefined;
    if (r.connectionId !== null) start = this.openById.get(idKey(r.host, r.protocol, r.connectionId));
    if (start === undefined) {
      const byTuple = this.openByTuple.get(tupleKey(r.host, r.protocol, r.src, r.dst));
      // A start of another connection id on the same tuple is not this session's.
      if (byTuple !== undefined && (r.connectionId === null || byTuple.connectionId === null || byTuple.connectionId === r.connectionId)) start = byTuple;
    }
    if (start !== undefined) this.forget(start);
    this.sessions.push(sessionOf(start ?? null, r, this.file, this.options));
  }

  /** Sessions still open become sessions without an end; drops are attached; the joiner is spent. */
  finish(): SessionJoin {
    const sessions = this.sessions;
    const stillOpen = new Set<SessionStartRecord>([...this.openById.values(), ...this.openByTuple.values()]);
    for (const s of stillOpen) sessions.push(sessionOf(s, null, this.file, this.options));
    this.openById.clear(); this.openByTuple.clear();
    const unmatchedDrops = attachDrops(sessions, this.drops, (this.options.reorderSlackSeconds ?? 5) * US_PER_S);
    revealGaps(sessions);
    return { sessions, unmatchedDrops };
  }

  private forget(s: SessionStartRecord): void {
    if (s.connectionId !== null) this.openById.delete(idKey(s.host, s.protocol, s.connectionId));
    const k = tupleKey(s.host, s.protocol, s.src, s.dst);
    if (this.openByTuple.get(k) === s) this.openByTuple.delete(k);
  }
}

function sessionOf(start: SessionStartRecord | null, end: SessionEndRecord | null, file: string, options: JoinOptions): LogSession {
  const head = (end !== null && end.initiator !== null) || start === null ? end! : start;
  const [client, server, natClientOwn, natServerOwn] = sides(head);
  // The end record may lack the NAT forms (ASA gives them on Built only): take the start's.
  const other = start !== null && head !== start ? sides(start) : null;
  const natClient = natClientOwn ?? other?.[2] ?? null, natServer = natServerOwn ?? other?.[3] ?? null;
  const endUs = end?.timeUs ?? null;
  let startUs = start?.timeUs ?? null;
  if (startUs === null && end !== null) {
    if (end.startUs !== null) startUs = end.startUs;
    else if (end.durationCovers === 'start-to-end' && end.durationSeconds !== null && endUs !== null) startUs = endUs - end.durationSeconds * US_PER_S;
  }
  let lastPacketUs: number | null = endUs;
  if (end !== null && end.endReason === 'idle-timeout') {
    if (end.durationCovers === 'start-to-last-packet') {
      lastPacketUs = startUs !== null && end.durationSeconds !== null ? startUs + end.durationSeconds * US_PER_S : null;
    } else {
      lastPacketUs = endUs === null ? null : endUs - options.timeoutSeconds(head.protocol) * US_PER_S;
      if (lastPacketUs !== null && startUs !== null && lastPacketUs < startUs) lastPacketUs = startUs;
    }
  }
  let durationSeconds = end?.durationSeconds ?? null;
  if (durationSeconds === null && startUs !== null && endUs !== null) durationSeconds = (endUs - startUs) / US_PER_S;
  return {
    vendor: head.vendor, host: head.host, protocol: head.protocol, protocolNumber: head.protocolNumber,
    client, server, natClient, natServer, connectionId: head.connectionId ?? start?.connectionId ?? null,
    startUs, endUs, lastPacketUs,
    endReason: end?.endReason ?? null, rawReason: end?.rawReason ?? '', reasonAmbiguous: end?.reasonAmbiguous ?? false,
    durationSeconds, bytes: end?.bytes ?? null,
    drops: [], revealedGapSeconds: null,
    startLine: start?.line ?? null, endLine: end?.line ?? null, file,
  };
}

/**
 * After an idle end, the first later drop gives the final gap. A packet dropped for want of state
 * came after the state expired, so the gap reaches at least to the end record (+1 µs: past it): a
 * drop stamped before the end (collectors reorder lines; the kernel writes an expired entry's
 * DESTROY when its garbage collection gets to it, up to seconds late; whole-second stamps) still
 * shows a session broken at T, never a gap shorter than the timeout that ended it.
 */
function revealGaps(sessions: LogSession[]): void {
  for (const s of sessions) {
    const first = s.drops[0];
    s.revealedGapSeconds = s.endReason === 'idle-timeout' && first !== undefined && first.timeUs !== null && s.lastPacketUs !== null
      ? (Math.max(first.timeUs, s.endUs === null ? -Infinity : s.endUs + 1) - s.lastPacketUs) / US_PER_S : null;
  }
}

/**
 * Several logs of one device read apart (a teardown log and a drop log, as `fwtp plan a.log b.log`
 * reads them): each file's drops that no session of its own file explains are given to the sessions
 * of the others, by the same rule (the most recent session of the tuple ended before the drop), and
 * the gaps they reveal are set. Each join keeps its own sessions; its unmatchedDrops become those
 * still unexplained. `fwtp drops` joins all records at once instead; the result is the same when each
 * session's start and end are in one file.
 * @example
 * // teardowns.log: 302014 Conn-timeout of 192.0.2.10:31857 at t; drops.log: 106015 to it at t + 3600 s
 * // joinAcross([joinOf(teardowns), joinOf(drops)]) -> that session revealed, 7200 s; drops.log: 0 unmatched
 */
export function joinAcross(joins: readonly SessionJoin[], reorderSlackSeconds = 5): void {
  if (joins.length < 2) return;
  const sessions = joins.flatMap((j) => j.sessions);
  const stillUnmatched = new Set(attachDrops(sessions, joins.flatMap((j) => j.unmatchedDrops), reorderSlackSeconds * US_PER_S));
  for (const j of joins) j.unmatchedDrops = j.unmatchedDrops.filter((d) => stillUnmatched.has(d));
  revealGaps(sessions);
}

/** The tuple keys a drop of this session may carry: real or NAT form of each end. */
function sessionKeys(s: LogSession): Set<string> {
  const keys = new Set<string>();
  for (const c of [s.client, s.natClient]) for (const v of [s.server, s.natServer]) {
    if (c !== null && v !== null) keys.add(tupleKey(s.host, s.protocol, c, v));
  }
  return keys;
}

/** Each drop to the most recent session of its tuple that ended before it (within slack). */
function attachDrops(sessions: LogSession[], drops: DropRecord[], slackUs: number): DropRecord[] {
  const byKey = new Map<string, LogSession[]>();
  for (const s of sessions) {
    if (s.endUs === null) continue;
    for (const k of sessionKeys(s)) {
      const list = byKey.get(k);
      if (list === undefined) byKey.set(k, [s]); else list.push(s);
    }
  }
  for (const list of byKey.values()) list.sort((a, b) => a.endUs! - b.endUs!);
  const unmatched: DropRecord[] = [];
  for (const d of drops) {
    const list = d.timeUs === null ? undefined : byKey.get(tupleKey(d.host, d.protocol, d.src, d.dst));
    const s = list === undefined ? null : latestEndedBy(list, d.timeUs! + slackUs);
    if (s === null) unmatched.push(d); else s.drops.push(d);
  }
  for (const s of sessions) if (s.drops.length > 1) s.drops.sort((a, b) => a.timeUs! - b.timeUs!);
  return unmatched;
}

/** The last session in `list` (sorted by endUs) with endUs <= limitUs, or null. */
function latestEndedBy(list: LogSession[], limitUs: number): LogSession | null {
  let lo = 0, hi = list.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid]!.endUs! <= limitUs) lo = mid + 1; else hi = mid; }
  return lo === 0 ? null : list[lo - 1]!;
}
