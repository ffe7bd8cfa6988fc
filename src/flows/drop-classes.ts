/**
 * Why each logged drop happened (issue 13 item 4, `fwtp drops`): expired state, policy denial or
 * unknown, grouped by service and direction, with the idle gaps that the join of session ends
 * with later drops reveals. docs/FIREWALL-LOGS.md "Classifying drops" holds the rules and why.
 *
 * Input is the join (src/flows/fwlog-sessions.ts, joinSessions): sessions with the drops that
 * followed their end, and the drops no session claimed. This file matches nothing by tuple
 * itself; for unclaimed drops it only decides which side is the server.
 */
import type { DropRecord, EndReason } from '../ingest/fwlog/types.js';
import { hostPort } from '../util/endpoints.js';

/** An address and port as the records give them (src/ingest/fwlog/types.ts Endpoint). */
export interface EndpointView {
  address: string;
  port: number | null;
}

/** What this file reads of a joined session: a structural subset of LogSession (src/flows/fwlog-sessions.ts), so tests can build one by hand. */
export interface JoinedSessionView {
  protocol?: string;
  /** Real (untranslated) client and server. */
  client: EndpointView;
  server: EndpointView;
  natClient?: EndpointView | null;
  natServer?: EndpointView | null;
  /** null when the log has no end record for it (still open at the end of the log). */
  endReason: EndReason | null;
  endUs?: number | null;
  /** Drops of this session logged after its end, in time order. */
  drops: readonly DropRecord[];
  /** T + (first later drop - end), when the session ended idle and a drop followed; else null. */
  revealedGapSeconds?: number | null;
}

export interface JoinView {
  sessions: readonly JoinedSessionView[];
  unmatchedDrops: readonly DropRecord[];
}

export type DropClass = 'expired-state' | 'policy' | 'unknown';
export type DropDirection = 'to-server' | 'from-server' | 'unknown';

/**
 * Which rule decided the class (docs/FIREWALL-LOGS.md "Classifying drops"):
 * session-ended: the join found the session, ended, and this non-SYN packet after it;
 * server-to-ephemeral: no session, but a non-SYN TCP packet from a server's port to a client's;
 * to-known-service: no session, a non-SYN TCP packet the device logged as "no connection", sent to a
 *   service the same logs show sessions of;
 * syn: a SYN without ACK (a new connection the rule set refused);
 * acl / policy-verdict: the device says a rule or policy refused it;
 * syn-ack, no-direction, no-flags: what leaves the drop unknown.
 */
export type ClassReason = 'session-ended' | 'server-to-ephemeral' | 'to-known-service' | 'syn' | 'acl' | 'policy-verdict'
  | 'syn-ack' | 'no-direction' | 'no-flags';

/** How a drop was judged keep-alive-shaped: exact payload, IP length bound, or flags alone (no length logged). */
export type KeepAliveEvidence = 'payload' | 'ip-length' | 'flags';

export interface ServiceKey {
  protocol: string;
  serverAddr: string;
  serverPort: number | null;
}

export interface ClassifiedDrop {
  drop: DropRecord;
  dropClass: DropClass;
  reason: ClassReason;
  direction: DropDirection;
  service: ServiceKey;
  /** The 5-tuple, client side first where the server is known: "tcp 192.0.2.15:31578 198.51.100.24:1521". */
  sessionKey: string;
  keepAliveShaped: boolean;
  keepAliveEvidence: KeepAliveEvidence | null;
  /** Index in JoinView.sessions of the session the join gave this drop to, else null. */
  sessionIndex: number | null;
}

export interface DropGroup {
  dropClass: DropClass;
  service: ServiceKey;
  direction: DropDirection;
  packets: number;
  /** Distinct 5-tuples. */
  sessions: number;
  keepAliveShaped: number;
  firstUs: number | null;
  lastUs: number | null;
}

export interface ClassTotals {
  packets: number;
  sessions: number;
}

/** One expired-state session with a session-end record: the idle gap its later drop reveals. */
export interface RevealedGap {
  service: ServiceKey;
  client: string;
  server: string;
  endReason: EndReason | null;
  endUs: number | null;
  firstDropUs: number | null;
  drops: number;
  keepAliveShapedDrops: number;
  /** Whether the first drop, the one that reveals the gap, is keep-alive-shaped: a keep-alive found no state. */
  firstDropKeepAliveShaped: boolean;
  /** null when the session did not end idle (a FIN/RST close, a policy end): no gap to reveal. */
  gapSeconds: number | null;
}

export interface DropClassification {
  drops: ClassifiedDrop[];
  totals: { drops: number; keepAliveShaped: number } & Record<DropClass, ClassTotals>;
  groups: DropGroup[];
  revealed: RevealedGap[];
}

const DROP_CLASSES: readonly DropClass[] = ['expired-state', 'policy', 'unknown'];

/** The lowest port no system service holds (IANA "system ports" are 0-1023, RFC 6335 section 6). */
const FIRST_NON_SYSTEM_PORT = 1024;

function hasFlag(d: DropRecord, flag: string): boolean {
  return d.tcpFlags !== null && d.tcpFlags.includes(flag);
}

function isTcp(d: DropRecord): boolean {
  return d.protocol === 'tcp' || d.protocolNumber === 6;
}

function endpointText(e: EndpointView): string {
  return e.port === null ? e.address : hostPort(e.address, e.port);
}

function sameEndpoint(a: EndpointView, b: EndpointView | null | undefined): boolean {
  return b !== null && b !== undefined && a.address === b.address && a.port === b.port;
}

/**
 * A keep-alive is an ACK with 0 or 1 byte of payload and no SYN, FIN or RST (Wireshark's
 * tcp.analysis.keep_alive rule, timeouts.md). The payload comes from the line when it says it
 * (pf datalen), else from the IP length minus the IP and TCP headers without options (40 bytes for
 * IPv4, 60 for IPv6; kernel LOG LEN= counts the IPv6 header too), which is an upper bound: a
 * keep-alive carrying TCP timestamps (12 option bytes) is not recognised that way. When the log
 * gives no length at all (ASA 106015, Check Point), a lone ACK (no PSH, no URG) counts: a data
 * segment normally carries PSH, so a lone ACK is a pure ACK or a probe (inference, said as 'flags').
 */
export function keepAliveShape(d: DropRecord): KeepAliveEvidence | null {
  if (!isTcp(d) || d.tcpFlags === null) return null;
  if (!hasFlag(d, 'ACK') || hasFlag(d, 'SYN') || hasFlag(d, 'FIN') || hasFlag(d, 'RST')) return null;
  if (d.payloadBytes !== null) return d.payloadBytes <= 1 ? 'payload' : null;
  if (d.ipLengthBytes !== undefined) {
    const headersBytes = d.src.address.includes(':') ? 60 : 40;
    return d.ipLengthBytes - headersBytes <= 1 ? 'ip-length' : null;
  }
  return d.tcpFlags.every((f) => f === 'ACK') ? 'flags' : null;
}

/** What the logs show about which endpoints are servers, for drops no session claimed. */
class ServerEvidence {
  /** "proto address port" of the sessions' servers (real and translated). */
  private readonly endpoints = new Set<string>();
  /** "proto/port" of the sessions' server ports and of the ports refused SYNs went to. */
  private readonly ports = new Set<string>();
  /** Per endpoint, its distinct peers among the unclaimed drops (a server talks to many client ports). */
  private readonly peers = new Map<string, Set<string>>();

  constructor(view: JoinView, protocolOf: (s: JoinedSessionView) => string) {
    for (const s of view.sessions) {
      const p = protocolOf(s);
      for (const e of [s.server, s.natServer]) {
        if (e === null || e === undefined) continue;
        this.endpoints.add(`${p} ${e.address} ${e.port}`);
        if (e.port !== null) this.ports.add(`${p}/${e.port}`);
      }
    }
    for (const d of view.unmatchedDrops) {
      if (isTcp(d) && hasFlag(d, 'SYN') && !hasFlag(d, 'ACK') && d.dst.port !== null) this.ports.add(`${d.protocol}/${d.dst.port}`);
      const a = `${d.protocol} ${d.src.address} ${d.src.port}`, b = `${d.protocol} ${d.dst.address} ${d.dst.port}`;
      this.peer(a, b);
      this.peer(b, a);
    }
  }

  private peer(a: string, b: string): void {
    let set = this.peers.get(a);
    if (set === undefined) this.peers.set(a, (set = new Set()));
    set.add(b);
  }

  hasSessionsOf(protocol: string, e: EndpointView): boolean {
    return this.endpoints.has(`${protocol} ${e.address} ${e.port}`);
  }

  /**
   * Which end of an unclaimed drop is the server, or null. In order of strength: an endpoint the
   * sessions show as a server; a port the sessions (or refused SYNs) show as a server port; a system
   * port (< 1024) against a non-system one; an endpoint that reaches several peers against one that
   * reaches only it (one listening port, many ephemeral client ports: the story's 1521, which is not
   * a system port).
   */
  serverSide(d: DropRecord): 'src' | 'dst' | null {
    const p = d.protocol;
    const pick = (srcIs: boolean, dstIs: boolean): 'src' | 'dst' | null => (srcIs && !dstIs ? 'src' : dstIs && !srcIs ? 'dst' : null);
    const byEndpoint = pick(this.hasSessionsOf(p, d.src), this.hasSessionsOf(p, d.dst));
    if (byEndpoint !== null) return byEndpoint;
    const byPort = pick(this.ports.has(`${p}/${d.src.port}`), this.ports.has(`${p}/${d.dst.port}`));
    if (byPort !== null) return byPort;
    if (d.src.port !== null && d.dst.port !== null) {
      const bySystemPort = pick(d.src.port < FIRST_NON_SYSTEM_PORT, d.dst.port < FIRST_NON_SYSTEM_PORT);
      if (bySystemPort !== null) return bySystemPort;
    }
    const fanOut = (e: EndpointView): number => this.peers.get(`${p} ${e.address} ${e.port}`)?.size ?? 0;
    const s = fanOut(d.src), t = fanOut(d.dst);
    return pick(s >= 2 && t === 1, t >= 2 && s === 1);
  }
}

function tupleKey(protocol: string, client: EndpointView, server: EndpointView): string {
  return `${protocol} ${endpointText(client)} ${endpointText(server)}`;
}

/** A drop the join gave to a session: the session knows its server. */
function classifyClaimed(d: DropRecord, s: JoinedSessionView, index: number, protocol: string): Omit<ClassifiedDrop, 'keepAliveShaped' | 'keepAliveEvidence'> {
  const fromServer = sameEndpoint(d.src, s.server) || sameEndpoint(d.src, s.natServer) || sameEndpoint(d.dst, s.client) || sameEndpoint(d.dst, s.natClient);
  const toServer = sameEndpoint(d.dst, s.server) || sameEndpoint(d.dst, s.natServer) || sameEndpoint(d.src, s.client) || sameEndpoint(d.src, s.natClient);
  const direction: DropDirection = fromServer && !toServer ? 'from-server' : toServer && !fromServer ? 'to-server' : 'unknown';
  const service = { protocol, serverAddr: s.server.address, serverPort: s.server.port };
  const sessionKey = tupleKey(protocol, s.client, s.server);
  // A SYN reusing an ended session's ports opens a new connection: the rule set refused it, no state was lost.
  if (isTcp(d) && hasFlag(d, 'SYN') && !hasFlag(d, 'ACK')) return { drop: d, dropClass: 'policy', reason: 'syn', direction, service, sessionKey, sessionIndex: index };
  return { drop: d, dropClass: 'expired-state', reason: 'session-ended', direction, service, sessionKey, sessionIndex: index };
}

/** A drop no session claimed: decided by its flags, what the device says, and which side serves. */
function classifyUnclaimed(d: DropRecord, evidence: ServerEvidence): Omit<ClassifiedDrop, 'keepAliveShaped' | 'keepAliveEvidence'> {
  const tcp = isTcp(d);
  const bareSyn = tcp && hasFlag(d, 'SYN') && !hasFlag(d, 'ACK');
  // A SYN goes to the server; otherwise ask the evidence.
  const side = bareSyn ? 'dst' : evidence.serverSide(d);
  const server = side === 'src' ? d.src : d.dst;
  const client = side === 'src' ? d.dst : d.src;
  const direction: DropDirection = side === 'src' ? 'from-server' : side === 'dst' ? 'to-server' : 'unknown';
  const service = { protocol: d.protocol, serverAddr: server.address, serverPort: server.port };
  // Without a known server, the tuple is written in a fixed order so both directions count once.
  const [lo, hi] = endpointText(d.src) <= endpointText(d.dst) ? [d.src, d.dst] : [d.dst, d.src];
  const sessionKey = side !== null ? tupleKey(d.protocol, client, server) : tupleKey(d.protocol, lo, hi);
  const base = { drop: d, direction, service, sessionKey, sessionIndex: null };
  // Only a SYN opens state on a stateful rule set: a dropped SYN was refused, not forgotten.
  if (bareSyn) return { ...base, dropClass: 'policy', reason: 'syn' };
  // The device names the access list that refused it (ASA 106023/106100): a verdict, not a lookup miss.
  if (d.kind === 'acl') return { ...base, dropClass: 'policy', reason: 'acl' };
  if (tcp && hasFlag(d, 'SYN')) return { ...base, dropClass: 'unknown', reason: 'syn-ack' };
  const nonSynTcp = tcp && (d.tcpFlags !== null || d.kind === 'no-connection');
  // The story's packet: a server answering (or probing) a client whose session the firewall forgot.
  if (nonSynTcp && side === 'src') return { ...base, dropClass: 'expired-state', reason: 'server-to-ephemeral' };
  // "No connection" for a non-SYN packet to a service the firewall passes: a client of a forgotten session.
  if (nonSynTcp && d.kind === 'no-connection' && side === 'dst' && evidence.hasSessionsOf(d.protocol, d.dst)) {
    return { ...base, dropClass: 'expired-state', reason: 'to-known-service' };
  }
  // A rule or policy verdict that no state explains (PAN-OS deny, SRX SESSION_DENY, pf block, FortiGate deny).
  if (d.kind === 'policy') return { ...base, dropClass: 'policy', reason: 'policy-verdict' };
  return { ...base, dropClass: 'unknown', reason: tcp && d.tcpFlags === null && d.kind !== 'no-connection' ? 'no-flags' : 'no-direction' };
}

function serviceText(s: ServiceKey): string {
  return `${s.protocol} ${s.serverPort === null ? s.serverAddr : hostPort(s.serverAddr, s.serverPort)}`;
}

/** Classify every drop of the join; groups sorted by class, then packets (most first). */
export function classifyDrops(view: JoinView): DropClassification {
  const protocolOf = (s: JoinedSessionView): string => s.protocol ?? s.drops[0]?.protocol ?? '';
  const evidence = new ServerEvidence(view, protocolOf);
  const drops: ClassifiedDrop[] = [];
  const add = (c: Omit<ClassifiedDrop, 'keepAliveShaped' | 'keepAliveEvidence'>): ClassifiedDrop => {
    const shape = keepAliveShape(c.drop);
    const full = { ...c, keepAliveShaped: shape !== null, keepAliveEvidence: shape };
    drops.push(full);
    return full;
  };
  const revealed: RevealedGap[] = [];
  view.sessions.forEach((s, i) => {
    const protocol = protocolOf(s);
    let expired = 0, keepAlive = 0, firstDropUs: number | null = null, firstKeepAlive = false;
    for (const d of s.drops) {
      const c = add(classifyClaimed(d, s, i, protocol));
      if (c.dropClass !== 'expired-state') continue;
      expired++;
      if (c.keepAliveShaped) keepAlive++;
      if (expired === 1) { firstDropUs = d.timeUs; firstKeepAlive = c.keepAliveShaped; }
    }
    if (expired === 0) return;
    revealed.push({
      service: { protocol, serverAddr: s.server.address, serverPort: s.server.port },
      client: endpointText(s.client), server: endpointText(s.server), endReason: s.endReason, endUs: s.endUs ?? null,
      firstDropUs, drops: expired, keepAliveShapedDrops: keepAlive, firstDropKeepAliveShaped: firstKeepAlive,
      gapSeconds: s.endReason === 'idle-timeout' ? (s.revealedGapSeconds ?? null) : null,
    });
  });
  for (const d of view.unmatchedDrops) add(classifyUnclaimed(d, evidence));
  drops.sort((a, b) => (a.drop.timeUs ?? 0) - (b.drop.timeUs ?? 0) || a.drop.line - b.drop.line);
  return { drops, totals: totalsOf(drops), groups: groupsOf(drops), revealed };
}

function totalsOf(drops: readonly ClassifiedDrop[]): DropClassification['totals'] {
  const sessions = new Map<DropClass, Set<string>>(DROP_CLASSES.map((c) => [c, new Set<string>()]));
  const packets = new Map<DropClass, number>();
  let keepAliveShaped = 0;
  for (const c of drops) {
    packets.set(c.dropClass, (packets.get(c.dropClass) ?? 0) + 1);
    sessions.get(c.dropClass)?.add(c.sessionKey);
    if (c.keepAliveShaped) keepAliveShaped++;
  }
  const of = (k: DropClass): ClassTotals => ({ packets: packets.get(k) ?? 0, sessions: sessions.get(k)?.size ?? 0 });
  return { drops: drops.length, keepAliveShaped, 'expired-state': of('expired-state'), policy: of('policy'), unknown: of('unknown') };
}

function groupsOf(drops: readonly ClassifiedDrop[]): DropGroup[] {
  const groups = new Map<string, { g: DropGroup; tuples: Set<string> }>();
  for (const c of drops) {
    const key = `${c.dropClass}|${serviceText(c.service)}|${c.direction}`;
    let e = groups.get(key);
    if (e === undefined) {
      e = { g: { dropClass: c.dropClass, service: c.service, direction: c.direction, packets: 0, sessions: 0, keepAliveShaped: 0, firstUs: null, lastUs: null }, tuples: new Set() };
      groups.set(key, e);
    }
    const g = e.g;
    g.packets++;
    e.tuples.add(c.sessionKey);
    g.sessions = e.tuples.size;
    if (c.keepAliveShaped) g.keepAliveShaped++;
    const t = c.drop.timeUs;
    if (t !== null) {
      if (g.firstUs === null || t < g.firstUs) g.firstUs = t;
      if (g.lastUs === null || t > g.lastUs) g.lastUs = t;
    }
  }
  const order = (c: DropClass): number => DROP_CLASSES.indexOf(c);
  return [...groups.values()].map((e) => e.g)
    .sort((a, b) => order(a.dropClass) - order(b.dropClass) || b.packets - a.packets || (serviceText(a.service) < serviceText(b.service) ? -1 : 1));
}
