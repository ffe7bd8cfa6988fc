#!/usr/bin/env node
// Writes fwtp's sample captures (samples/*.pcap, samples/*.pcapng), the firewall's own logs of the
// firewalled capture (samples/*.log, scripts/asa-sample-log.mjs), samples/MANIFEST.json (the
// generator's ground truth) and samples/README.md. Deterministic: a seeded PRNG and a
// fixed start time, so the committed files are exactly what this script produces
// (test/samples/samples.test.ts regenerates them and compares the bytes).
//
//   node scripts/make-samples.mjs            # writes into samples/
//   node scripts/make-samples.mjs --out DIR  # writes elsewhere; prints the manifest as JSON
//
// The traffic is generated, not recorded, at real time scale: a 10-hour working day of an
// application server's Oracle connection pool, in which the database host's Linux TCP
// keep-alive (tcp_keepalive_time 7200 s, tcp_keepalive_intvl 75 s, tcp_keepalive_probes 9)
// meets a firewall with a 3600 s idle timeout (see /work/shared/reference/timeouts.md).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CLIENT, SERVER, PacketCollector, PcapWriter, PcapngWriter, Random, TcpSession, TCP_ACK, TCP_PSH,
  ipv4, ipv4ToString,
} from './capture-writer.mjs';
import { AsaLogRecorder } from './asa-sample-log.mjs';

const S = 1e9; // ns per second
const MS = 1e6;
const US = 1e3;

/** 2026-11-02T08:00:00Z, the start of every sample. */
export const START_SECONDS = Date.UTC(2026, 10, 2, 8, 0, 0) / 1000;
const SEED = 20261102;

const APP = ipv4('192.0.2.10');
const DB = ipv4('198.51.100.24');
const DB_PORT = 1521;
const WEB = ipv4('203.0.113.5');
const WEB_PORT = 443;
const DNS = ipv4('192.0.2.53');
const DNS_PORT = 53;

const POOL_CAPTURE_SECONDS = 36000; // 10 hours
const DB_ONE_WAY_NS = 250 * US; // same data centre, through one firewall
const WEB_ONE_WAY_NS = 12 * MS;
const SEGMENT_SPACING_NS = 12 * US; // back-to-back MSS segments at about 1 Gbit/s
const MSS = 1460;
/** Linux delayed-ACK timer minimum, TCP_DELACK_MIN = HZ/25 (include/net/tcp.h). */
const DELAYED_ACK_NS = 40 * MS;
/** Linux keep-alive defaults (Documentation/networking/ip-sysctl.rst). */
const KEEPALIVE_TIME_NS = 7200 * S;
const KEEPALIVE_INTVL_NS = 75 * S;
const KEEPALIVE_PROBES = 9;
/**
 * How long the application blocks on a request nobody answers: Linux tcp_retries2 = 15 gives
 * "a hypothetical timeout of 924.6 seconds" (ip-sysctl.rst), and Oracle JDBC has no read
 * timeout by default.
 */
const RETRANSMISSION_GIVE_UP_NS = 924.6 * S;
/**
 * When the lost request is sent again, after it (ns): the RTO starts at TCP_RTO_MIN (200 ms, the
 * LAN round trip is far below it) and doubles up to TCP_RTO_MAX (120 s) (include/net/tcp.h);
 * tcp_retries2 = 15 retransmissions, the last RTO after them ends at RETRANSMISSION_GIVE_UP_NS.
 */
const RETRANSMISSION_OFFSETS_NS = (() => {
  const offsets = [];
  let tNs = 0, rtoNs = 200 * MS;
  for (let k = 0; k < 15; k++) { tNs += rtoNs; offsets.push(tNs); rtoNs = Math.min(2 * rtoNs, 120 * S); }
  if (tNs + rtoNs !== RETRANSMISSION_GIVE_UP_NS) throw new Error('RTO schedule and tcp_retries2 give-up disagree');
  return offsets;
})();
/** The pool's idle timeout (HikariCP idleTimeout default, 10 min): spare sessions are closed with FIN. */
const POOL_IDLE_CLOSE_NS = 600 * S;
const FIREWALL_TIMEOUT_NS = 3600 * S;
const DNS_TTL_NS = 300 * S;
/** The ASA's connection counter when the day starts (any value; ids count up from it). */
const ASA_FIRST_CONNECTION_ID = 3_402_117;

// ---------------------------------------------------------------------------------------------
// Payloads: just enough structure that tshark dissects them without complaint.

/** Oracle TNS Data packet (type 6): 8-byte header, 2-byte data flags, then the body. */
function tnsData(rng, length, sqlText) {
  const b = Buffer.alloc(length);
  b.writeUInt16BE(length, 0);
  b[4] = 6;
  const text = Buffer.from(sqlText, 'latin1');
  for (let i = 10; i < length; i++) b[i] = text.length > 0 ? text[(i - 10) % text.length] : rng.int(0, 255);
  // The first data byte is a TTC message code; Wireshark 4.0 parses code 1 (Set Protocol) and
  // would call random bytes malformed, so requests start with 3 (function call), replies with 6.
  if (length > 10) b[10] = text.length > 0 ? 3 : 6;
  return b;
}

/** Bytes that continue a TNS packet begun in the previous segment. */
function randomBytes(rng, length) {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = rng.int(0, 255);
  return b;
}

/** TLS 1.2 application-data record (content type 23, version 0x0303) filling `length` bytes. */
function tlsRecord(rng, length) {
  const b = randomBytes(rng, length);
  b[0] = 23; b[1] = 3; b[2] = 3;
  b.writeUInt16BE(length - 5, 3);
  return b;
}

function dnsName(name) {
  const parts = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** DNS query for an A record (RFC 1035 section 4.1). */
function dnsQuery(id, name) {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // standard query, recursion desired
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, dnsName(name), Buffer.from([0, 1, 0, 1])]);
}

/** DNS answer with one A record and the given TTL. */
function dnsAnswer(id, name, address, ttlSeconds) {
  const query = dnsQuery(id, name);
  query.writeUInt16BE(0x8180, 2); // response, recursion desired and available, no error
  query.writeUInt16BE(1, 6);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  answer.writeUInt16BE(1, 2);
  answer.writeUInt16BE(1, 4);
  answer.writeUInt32BE(ttlSeconds, 6);
  answer.writeUInt16BE(4, 10);
  answer.writeUInt32BE(address, 12);
  return Buffer.concat([query, answer]);
}

const SQL = [
  'SELECT o.id, o.status, o.total FROM orders o WHERE o.customer_id = :1 ORDER BY o.created DESC',
  'UPDATE inventory SET reserved = reserved + :1 WHERE sku = :2',
  'INSERT INTO audit_log (ts, actor, action, detail) VALUES (SYSTIMESTAMP, :1, :2, :3)',
  'SELECT c.name, c.tier, c.region FROM customers c WHERE c.id = :1',
  'BEGIN billing.post_invoice(:1, :2); END;',
];
const VALIDATION_SQL = 'SELECT 1 FROM DUAL';

// ---------------------------------------------------------------------------------------------
// Plan: what the application does with its pool, independent of where the capture is taken.

/** Ephemeral ports drawn without replacement from 30000-60000. */
class PortAllocator {
  constructor(rng) {
    this.rng = rng;
    this.used = new Set();
  }

  next() {
    for (;;) {
      const port = this.rng.int(30000, 60000);
      if (!this.used.has(port)) {
        this.used.add(port);
        return port;
      }
    }
  }
}

function isn(rng) {
  return rng.int(1, 0x7fffffff);
}

/** One query: 1 to 3 round trips (execute, then fetches), each at most two segments back. */
function makeQuery(rng, tNs, sql) {
  const roundTripCount = rng.next() < 0.8 ? 1 : rng.next() < 0.67 ? 2 : 3;
  const roundTrips = [];
  for (let i = 0; i < roundTripCount; i++) {
    roundTrips.push({
      requestBytes: Math.round(Math.min(1200, Math.max(60, rng.logNormal(140, 0.5)))),
      responseBytes: Math.round(Math.min(2 * MSS, Math.max(40, rng.logNormal(180, 0.9)))),
      processingNs: Math.round(Math.min(500 * MS, Math.max(300 * US, rng.logNormal(3 * MS, 1.4)))),
    });
  }
  return { kind: 'query', tNs: Math.round(tNs), sql, roundTrips };
}

function validationQuery(tNs) {
  return { kind: 'query', tNs: Math.round(tNs), sql: VALIDATION_SQL, roundTrips: [{ requestBytes: 62, responseBytes: 133, processingNs: 400 * US }] };
}

/**
 * Bursts of queries a few seconds apart, bursts minutes apart, from `fromNs` until `toNs`.
 * Returns the time of the last query. A `pause` [startNs, endNs) moves bursts past it.
 */
function addBursts(rng, session, fromNs, toNs, { gapMedianSeconds, gapMaxSeconds, burstMax, pause = null }) {
  let tNs = fromNs;
  let lastNs = fromNs;
  while (tNs < toNs) {
    const queries = rng.int(1, burstMax);
    for (let q = 0; q < queries && tNs < toNs; q++) {
      session.activities.push(makeQuery(rng, tNs, rng.pick(SQL)));
      lastNs = tNs;
      tNs += rng.uniform(1, 12) * S;
    }
    const gapSeconds = Math.min(gapMaxSeconds, Math.max(60, rng.logNormal(gapMedianSeconds, 0.7)));
    tNs += gapSeconds * S;
    if (pause !== null && tNs >= pause[0] && tNs < pause[1]) tNs = pause[1] + rng.uniform(0, 120) * S;
  }
  return lastNs;
}

/**
 * The pool's day. Roles:
 * - busy: used in bursts all day, never idle long enough for a keep-alive (one has a
 *   75-minute lunch pause: longer than 3600 s, shorter than 7200 s);
 * - closed: used in the morning, then closed by the pool (FIN) 600 s after its last use;
 * - reused: used at start, idle for hours (keep-alives), used again in the afternoon;
 * - leaked: borrowed and never returned: one validation query, then idle until the end;
 * - aborted: used for about an hour, then reset by the application (RST);
 * - added: opened during the day when the pool grows, closed by the pool when spare.
 */
function planPool(rng, ports) {
  const sessions = [];
  const add = (role, openNs) => {
    const session = {
      id: sessions.length + 1, role, openNs: Math.round(openNs),
      clientPort: ports.next(), clientIsn: isn(rng), serverIsn: isn(rng), activities: [],
    };
    sessions.push(session);
    return session;
  };
  const endNs = POOL_CAPTURE_SECONDS * S;
  const roles = ['busy', 'busy', 'closed', 'closed', 'closed', 'closed', 'reused', 'reused', 'aborted',
    ...Array(11).fill('leaked')];
  let openNs = 2 * S;
  for (const role of roles) {
    const session = add(role, openNs);
    openNs += rng.uniform(30, 80) * MS;
    const firstNs = session.openNs + rng.uniform(0.2, 1.5) * S;
    session.activities.push(validationQuery(firstNs));
    switch (role) {
      case 'busy': {
        const pause = session.id === 2 ? [4.08 * 3600 * S, 5.33 * 3600 * S] : null; // 12:05 to 13:20
        addBursts(rng, session, firstNs + rng.uniform(20, 90) * S, endNs - 90 * S,
          { gapMedianSeconds: 1500, gapMaxSeconds: 2400, burstMax: 3, pause });
        break;
      }
      case 'closed': {
        const last = addBursts(rng, session, firstNs + rng.uniform(20, 300) * S, rng.uniform(0.6, 3) * 3600 * S,
          { gapMedianSeconds: 1200, gapMaxSeconds: 1800, burstMax: 3 });
        session.activities.push({ kind: 'close', how: 'fin', tNs: Math.round(last + POOL_IDLE_CLOSE_NS + rng.uniform(0, 30) * S) });
        break;
      }
      case 'reused': {
        const resumeNs = (session.id === 7 ? rng.uniform(5.5, 6) : rng.uniform(7, 7.5)) * 3600 * S;
        const last = addBursts(rng, session, resumeNs, resumeNs + rng.uniform(40, 80) * 60 * S,
          { gapMedianSeconds: 600, gapMaxSeconds: 900, burstMax: 3 });
        if (session.id === 7) {
          session.activities.push({ kind: 'close', how: 'fin', tNs: Math.round(last + POOL_IDLE_CLOSE_NS + rng.uniform(0, 30) * S) });
        }
        break;
      }
      case 'aborted': {
        const last = addBursts(rng, session, firstNs + rng.uniform(20, 90) * S, 3600 * S,
          { gapMedianSeconds: 600, gapMaxSeconds: 1200, burstMax: 3 });
        session.activities.push({ kind: 'close', how: 'rst', tNs: Math.round(last + rng.uniform(5, 15) * S) });
        break;
      }
      default: // leaked: nothing after the validation query
    }
  }
  // Pool growth at the morning and afternoon peaks; the 14:05 one is borrowed and leaked.
  for (const hour of [1.5, 3.17, 6.08, 7.67]) {
    const session = add(hour === 6.08 ? 'leaked' : 'added', (hour * 3600 + rng.uniform(0, 300)) * S);
    const firstNs = session.openNs + rng.uniform(0.2, 1.5) * S;
    session.activities.push(validationQuery(firstNs));
    if (session.role === 'added') {
      const last = addBursts(rng, session, firstNs + rng.uniform(5, 60) * S, firstNs + rng.uniform(20, 90) * 60 * S,
        { gapMedianSeconds: 900, gapMaxSeconds: 1200, burstMax: 3 });
      session.activities.push({ kind: 'close', how: 'fin', tNs: Math.round(last + POOL_IDLE_CLOSE_NS + rng.uniform(0, 30) * S) });
    }
  }
  return sessions;
}

// ---------------------------------------------------------------------------------------------
// Rendering a plan from one vantage point, optionally through a firewall that expires idle
// entries and then drops every non-SYN packet of the forgotten connection in both directions
// (as Cisco ASA and PAN-OS do; Linux conntrack with nf_conntrack_tcp_loose=1 would not).

class PoolRenderer {
  /**
   * @param {object} o
   * @param {PacketCollector} o.sink
   * @param {0|1} o.vantage CLIENT (the app server) or SERVER (the database host)
   * @param {number} o.firewallTimeoutNs Infinity for no expiry; finite only with vantage SERVER
   *   (then the app's dropped packets are simply not in the capture)
   * @param {number} o.endNs capture end
   * @param {Random} o.rng jitter and payload bytes
   * @param {PortAllocator} o.ports for replacement sessions
   * @param {AsaLogRecorder} [o.firewallLog] told of every packet the firewall passes or drops
   */
  constructor(o) {
    if (o.firewallTimeoutNs !== Infinity && o.vantage !== SERVER) throw new Error('a firewalled rendering must be captured on the database side');
    Object.assign(this, o);
    this.sessions = [];
    this.pending = [];
  }

  render(plan) {
    this.pending.push(...plan);
    while (this.pending.length > 0) this.renderSession(this.pending.shift());
    return this.sessions;
  }

  /** Capture time of a packet that `side` sends at its local time `tNs`. */
  cap(side, tNs) {
    return Math.round(side === this.vantage ? tNs : tNs + DB_ONE_WAY_NS);
  }

  renderSession(ps) {
    if (ps.openNs >= this.endNs) return;
    const s = new TcpSession(this.sink, {
      clientIp: APP, clientPort: ps.clientPort, serverIp: DB, serverPort: DB_PORT,
      clientIsn: ps.clientIsn, serverIsn: ps.serverIsn, clientWindow: 64240, serverWindow: 65160, mss: MSS,
    });
    const st = {
      s, ps, firewallLastNs: -Infinity, broken: false, dbClosed: false, appClosed: false,
      lastDbReceiveNs: 0, appBusyUntilNs: 0, end: 'open',
    };
    this.sessions.push({ session: s, role: ps.role, state: st });

    // Handshake: the SYN creates the firewall entry.
    const o = ps.openNs;
    this.fromApp(st, o, (t) => s.syn(t), 'SYN');
    this.fromDb(st, o + DB_ONE_WAY_NS + 30 * US, (t) => s.synAck(t), 'SYN ACK');
    this.fromApp(st, o + 2 * DB_ONE_WAY_NS + 50 * US, (t) => s.ack(t, CLIENT));
    st.appBusyUntilNs = o + 2 * DB_ONE_WAY_NS + 50 * US;

    for (let i = 0; i < ps.activities.length; i++) {
      const activity = ps.activities[i];
      const startNs = Math.max(activity.tNs, st.appBusyUntilNs + 1 * MS);
      if (startNs >= this.endNs - 5 * S) break;
      this.dbKeepAlivesUntil(st, startNs + DB_ONE_WAY_NS);
      if (activity.kind === 'close') {
        this.close(st, startNs, activity.how);
        break;
      }
      const failedAtNs = this.query(st, startNs, activity);
      if (failedAtNs >= 0) {
        // The request vanished in the firewall: the app retransmits until tcp_retries2 gives up,
        // then the pool discards the session and runs the query on a new one.
        const retryNs = failedAtNs + RETRANSMISSION_GIVE_UP_NS;
        for (const offsetNs of RETRANSMISSION_OFFSETS_NS) this.firewallLog?.drop(st, failedAtNs + DB_ONE_WAY_NS / 2 + offsetNs, CLIENT, 'PSH ACK', true);
        this.pending.push({
          id: `${ps.id}r`, role: `${ps.role}-replacement`, openNs: Math.round(retryNs),
          clientPort: this.ports.next(), clientIsn: isn(this.rng), serverIsn: isn(this.rng),
          activities: [{ ...activity, tNs: Math.round(retryNs + 2 * MS) }, ...ps.activities.slice(i + 1)],
        });
        st.appClosed = true;
        break;
      }
    }
    this.dbKeepAlivesUntil(st, this.endNs);
    this.firewallLog?.end(st);
    st.end = s.closed ? 'rst' : s.finSent[CLIENT] && s.finSent[SERVER] ? 'fin' : 'open';
  }

  /**
   * A packet the app sends at local time tNs; returns whether it reached the database. `flags`
   * as a firewall log names them ('SYN', 'ACK', 'PSH ACK', 'FIN ACK', 'RST ACK').
   */
  fromApp(st, tNs, write, flags = 'ACK') {
    const firewallNs = tNs + DB_ONE_WAY_NS / 2;
    if (st.broken || st.dbClosed) {
      // A broken session's entry is gone: the packet dies in the firewall (a closed one sends nothing).
      if (st.broken) this.appDrop(st, firewallNs, flags);
      return false;
    }
    if (flags !== 'SYN' && firewallNs - st.firewallLastNs > this.firewallTimeoutNs) {
      st.broken = true;
      this.appDrop(st, firewallNs, flags);
      return false;
    }
    st.firewallLastNs = firewallNs;
    st.lastDbReceiveNs = tNs + DB_ONE_WAY_NS;
    write(this.cap(CLIENT, tNs));
    this.firewallLog?.pass(st, firewallNs, CLIENT, flags);
    return true;
  }

  /** A dropped app packet; only a request is modelled (its retransmissions: renderSession). */
  appDrop(st, firewallNs, flags) {
    if (this.firewallLog === undefined) return;
    if (flags !== 'PSH ACK') throw new Error(`a dropped ${flags} from the app is not modelled (its retransmissions)`);
    this.firewallLog.drop(st, firewallNs, CLIENT, flags);
  }

  /** Whether a packet the database sends at local time tNs still finds the firewall entry. */
  dbPasses(st, tNs) {
    return tNs + DB_ONE_WAY_NS / 2 - st.firewallLastNs <= this.firewallTimeoutNs;
  }

  /** A packet the database sends at local time tNs (always in a database-side capture). */
  fromDb(st, tNs, write, flags = 'ACK') {
    write(this.cap(SERVER, tNs));
    if (!this.dbPasses(st, tNs)) {
      st.broken = true;
      this.firewallLog?.drop(st, tNs + DB_ONE_WAY_NS / 2, SERVER, flags);
      return false;
    }
    st.firewallLastNs = tNs + DB_ONE_WAY_NS / 2;
    this.firewallLog?.pass(st, st.firewallLastNs, SERVER, flags);
    return true;
  }

  /**
   * Runs one query's round trips starting at app time tNs. Returns -1 on success, or the app
   * time at which a request was lost.
   */
  query(st, tNs, activity) {
    const { s } = st;
    let appNs = tNs;
    for (let r = 0; r < activity.roundTrips.length; r++) {
      const rt = activity.roundTrips[r];
      const request = tnsData(this.rng, rt.requestBytes, r === 0 ? activity.sql : '');
      if (!this.fromApp(st, appNs, (t) => s.send(t, CLIENT, rt.requestBytes, request), 'PSH ACK')) return appNs;
      const dbReceiveNs = appNs + DB_ONE_WAY_NS;
      if (rt.processingNs > DELAYED_ACK_NS) this.fromDb(st, dbReceiveNs + DELAYED_ACK_NS, (t) => s.ack(t, SERVER));
      const segments = rt.responseBytes > MSS ? [MSS, rt.responseBytes - MSS] : [rt.responseBytes];
      const sendNs = dbReceiveNs + rt.processingNs;
      for (let k = 0; k < segments.length; k++) {
        const last = k === segments.length - 1;
        const payload = k === 0 ? tnsData(this.rng, segments[k], '') : randomBytes(this.rng, segments[k]);
        if (k === 0) payload.writeUInt16BE(Math.min(rt.responseBytes, 0xffff), 0);
        this.fromDb(st, sendNs + k * SEGMENT_SPACING_NS, (t) => s.send(t, SERVER, segments[k], payload, last ? TCP_PSH | TCP_ACK : TCP_ACK), last ? 'PSH ACK' : 'ACK');
      }
      const appReceiveNs = sendNs + (segments.length - 1) * SEGMENT_SPACING_NS + DB_ONE_WAY_NS;
      const moreRoundTrips = r < activity.roundTrips.length - 1;
      // Linux ACKs at once when more than one full-sized segment is waiting, else delays the ACK
      // (__tcp_ack_snd_check); a fetch sent before the delayed ACK fires carries the ACK itself.
      if (segments.length > 1) {
        this.fromApp(st, appReceiveNs + 10 * US, (t) => s.ack(t, CLIENT));
        appNs = appReceiveNs + 10 * US;
      } else if (!moreRoundTrips) {
        this.fromApp(st, appReceiveNs + DELAYED_ACK_NS, (t) => s.ack(t, CLIENT));
        appNs = appReceiveNs + DELAYED_ACK_NS;
      } else {
        appNs = appReceiveNs;
      }
      if (moreRoundTrips) appNs += this.rng.uniform(100, 400) * US;
    }
    st.appBusyUntilNs = appNs;
    return -1;
  }

  close(st, tNs, how) {
    const { s } = st;
    st.appClosed = true;
    if (how === 'rst') {
      if (this.fromApp(st, tNs, (t) => s.rst(t, CLIENT), 'RST ACK')) st.dbClosed = true;
      return;
    }
    if (!this.fromApp(st, tNs, (t) => s.fin(t, CLIENT), 'FIN ACK')) return;
    // The database's server process reads end-of-file and closes its side.
    const dbFinNs = tNs + DB_ONE_WAY_NS + 300 * US;
    this.fromDb(st, dbFinNs, (t) => s.fin(t, SERVER), 'FIN ACK');
    this.fromApp(st, dbFinNs + DB_ONE_WAY_NS + 20 * US, (t) => s.ack(t, CLIENT));
    st.dbClosed = true;
  }

  /**
   * The database's keep-alive timer (net/ipv4/tcp_timer.c, tcp_keepalive_timer): a probe once
   * nothing has been received for tcp_keepalive_time; answered, the idle clock restarts;
   * unanswered, a probe every tcp_keepalive_intvl, and after tcp_keepalive_probes of them a RST.
   * Stops before the next packet from the app would arrive at `untilNs`.
   */
  dbKeepAlivesUntil(st, untilNs) {
    const { s } = st;
    while (!st.dbClosed) {
      const probeNs = st.lastDbReceiveNs + KEEPALIVE_TIME_NS + this.rng.uniform(1, 40) * MS;
      if (probeNs + DB_ONE_WAY_NS + 1 * MS >= untilNs || probeNs >= this.endNs - 1 * S) return;
      if (this.dbPasses(st, probeNs) && !st.appClosed) {
        this.fromDb(st, probeNs, (t) => s.keepAliveProbe(t, SERVER));
        this.fromApp(st, probeNs + DB_ONE_WAY_NS + 15 * US, (t) => s.keepAliveAck(t, CLIENT));
        continue;
      }
      // The firewall has forgotten the session: nobody answers, and the app's own packets
      // cannot reach the database any more either.
      st.broken = true;
      const probesWritten = s.unansweredKeepAlives(this.cap(SERVER, probeNs), SERVER,
        { intervalNs: KEEPALIVE_INTVL_NS, probes: KEEPALIVE_PROBES, endNs: this.endNs });
      if (this.firewallLog !== undefined) {
        if (this.dbPasses(st, probeNs)) throw new Error('an unanswered probe the firewall passes is not modelled');
        const firewallNs = this.cap(SERVER, probeNs) + DB_ONE_WAY_NS / 2;
        for (let k = 0; k < probesWritten; k++) this.firewallLog.drop(st, firewallNs + k * KEEPALIVE_INTVL_NS, SERVER, 'ACK');
        if (s.closed) this.firewallLog.drop(st, firewallNs + KEEPALIVE_PROBES * KEEPALIVE_INTVL_NS, SERVER, 'RST ACK');
      }
      st.dbClosed = true;
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Contrast traffic seen on the app server: HTTPS calls to a partner API, with DNS lookups.

function renderWebAndDns(rng, sink, ports, endNs, { firstNs = rng.uniform(3, 10) * 60 * S, maxCalls = Infinity } = {}) {
  const sessions = [];
  const dnsFlows = [];
  let lastLookupNs = -Infinity;
  let dnsId = rng.int(1, 0xffff);
  let tNs = firstNs;
  while (tNs < endNs - 120 * S && sessions.length < maxCalls) {
    if (tNs - lastLookupNs > DNS_TTL_NS) {
      const port = ports.next();
      const query = dnsQuery(dnsId, 'api.partner.example');
      const answer = dnsAnswer(dnsId, 'api.partner.example', WEB, 300);
      dnsId = (dnsId + 1) & 0xffff;
      sink.writeUdp(Math.round(tNs), APP, port, DNS, DNS_PORT, query.length, query);
      const answerNs = Math.round(tNs + rng.uniform(0.6, 1.6) * MS);
      sink.writeUdp(answerNs, DNS, DNS_PORT, APP, port, answer.length, answer);
      dnsFlows.push({ client: `${ipv4ToString(APP)}:${port}`, server: `${ipv4ToString(DNS)}:${DNS_PORT}`, firstNs: Math.round(tNs), lastNs: answerNs });
      lastLookupNs = tNs;
      tNs = answerNs + 50 * US;
    }
    const s = new TcpSession(sink, {
      clientIp: APP, clientPort: ports.next(), serverIp: WEB, serverPort: WEB_PORT,
      clientIsn: isn(rng), serverIsn: isn(rng), clientWindow: 64240, serverWindow: 65535, mss: MSS,
    });
    sessions.push({ session: s, role: 'https' });
    const rtt = 2 * WEB_ONE_WAY_NS;
    let t = Math.round(tNs);
    s.syn(t);
    s.synAck((t += rtt));
    s.ack((t += 30 * US), CLIENT);
    // Two request/response exchanges (a resumed TLS session, then the API call).
    for (let exchange = 0; exchange < 2; exchange++) {
      const requestBytes = exchange === 0 ? 517 : rng.int(180, 600);
      s.send((t += 100 * US), CLIENT, requestBytes, tlsRecord(rng, requestBytes));
      const responseBytes = exchange === 0 ? rng.int(150, 300) : rng.int(200, 1800);
      const segments = responseBytes > MSS ? [MSS, responseBytes - MSS] : [responseBytes];
      t += rtt + rng.uniform(0.5, exchange === 0 ? 2 : 40) * MS;
      segments.forEach((bytes, k) => {
        if (k > 0) t += SEGMENT_SPACING_NS;
        s.send(Math.round(t), SERVER, bytes, tlsRecord(rng, bytes), k === segments.length - 1 ? TCP_PSH | TCP_ACK : TCP_ACK);
      });
      t = Math.round(t + (segments.length > 1 ? 10 * US : DELAYED_ACK_NS));
      s.ack(t, CLIENT);
    }
    // The client closes after a short idle; the server closes its side at once.
    t = Math.round(t + rng.uniform(0.2, 8) * S);
    s.fin(t, CLIENT);
    s.fin((t += rtt), SERVER);
    s.ack((t += 20 * US), CLIENT);
    tNs = t + Math.min(60 * 60, Math.max(90, rng.exponential(25 * 60))) * S;
  }
  return { sessions, dnsFlows };
}

// ---------------------------------------------------------------------------------------------
// Small pcapng sample: one of each kind, nanosecond timestamps with sub-microsecond digits.

function renderMixedSmall(rng, sink, ports) {
  const sessions = [];
  const renderer = new PoolRenderer({ sink, vantage: CLIENT, firewallTimeoutNs: Infinity, endNs: 8000 * S, rng, ports });
  const odd = (ns) => Math.round(ns) + rng.int(1, 999); // sub-microsecond digits, kept by if_tsresol=9
  const used = {
    id: 1, role: 'busy', openNs: odd(1 * S), clientPort: ports.next(), clientIsn: isn(rng), serverIsn: isn(rng),
    activities: [validationQuery(odd(1.5 * S)), makeQuery(rng, odd(4 * S), SQL[0]), makeQuery(rng, odd(9 * S), SQL[3]),
      makeQuery(rng, odd(7500 * S), SQL[1]), { kind: 'close', how: 'fin', tNs: odd(7510 * S) }],
  };
  const leaked = { id: 2, role: 'leaked', openNs: odd(1.2 * S), clientPort: ports.next(), clientIsn: isn(rng), serverIsn: isn(rng), activities: [validationQuery(odd(1.6 * S))] };
  sessions.push(...renderer.render([used, leaked]));
  const web = renderWebAndDns(rng, sink, ports, 8000 * S, { firstNs: 20 * S + rng.int(1, 999), maxCalls: 1 });
  return { sessions: [...sessions, ...web.sessions], dnsFlows: web.dnsFlows };
}

// ---------------------------------------------------------------------------------------------
// Writing and describing.

function toEpochMicros(tNs) {
  return START_SECONDS * 1e6 + Math.floor(tNs / 1000);
}

/**
 * Writes the collected packets and returns the file's ground truth. TCP sessions are listed in
 * the order of their first packet, which is the order of Wireshark's tcp.stream numbers.
 */
function writeSample(outDir, file, sink, sessions, dnsFlows, makeWriter, description) {
  const times = sink.packets.map((p) => p.tNs);
  const firstNs = Math.min(...times);
  const lastNs = Math.max(...times);
  const writer = makeWriter(path.join(outDir, file));
  const frames = sink.drainTo(writer);
  const { fileBytes } = writer.close();
  const tcp = sessions
    .filter((x) => x.session.packets > 0)
    .map((x, order) => ({ x, order }))
    .sort((a, b) => a.x.session.firstTimeNs - b.x.session.firstTimeNs || a.order - b.order)
    .map(({ x }, stream) => {
      const s = x.session;
      return {
        tcpStream: stream,
        role: x.role,
        client: `${ipv4ToString(s.ip[CLIENT])}:${s.port[CLIENT]}`,
        server: `${ipv4ToString(s.ip[SERVER])}:${s.port[SERVER]}`,
        start: 'syn',
        end: s.closed ? 'rst' : s.finSent[CLIENT] && s.finSent[SERVER] ? 'fin' : 'open',
        packets: s.packets,
        keepAliveProbes: s.keepAliveProbes,
        keepAliveAcks: s.keepAliveAcks,
        firstMicros: toEpochMicros(s.firstTimeNs),
        lastMicros: toEpochMicros(s.lastTimeNs),
        maxIdleGapSeconds: Math.round(s.maxGapNs / 1e6) / 1e3,
      };
    });
  const sum = (key) => tcp.reduce((total, flow) => total + flow[key], 0);
  return {
    file,
    description,
    frames,
    fileBytes,
    tcpStreams: tcp.length,
    udpStreams: dnsFlows.length,
    keepAliveProbes: sum('keepAliveProbes'),
    keepAliveAcks: sum('keepAliveAcks'),
    tcpEnds: { fin: tcp.filter((f) => f.end === 'fin').length, rst: tcp.filter((f) => f.end === 'rst').length, open: tcp.filter((f) => f.end === 'open').length },
    firstMicros: toEpochMicros(firstNs),
    lastMicros: toEpochMicros(lastNs),
    tcp,
    udp: dnsFlows.map((f) => ({ client: f.client, server: f.server, firstMicros: toEpochMicros(f.firstNs), lastMicros: toEpochMicros(f.lastNs) })),
  };
}

/** Generates every sample into `outDir`; returns the manifest. */
export function makeSamples(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const endNs = POOL_CAPTURE_SECONDS * S;
  const pcap = (file) => new PcapWriter(file, { startSeconds: START_SECONDS, snaplen: 262144 });
  const samples = [];
  const firewallLogs = [];

  // The pool's plan is drawn once and rendered from both vantage points.
  const planRng = new Random(SEED);
  const ports = new PortAllocator(new Random(SEED + 1));
  const plan = planPool(planRng, ports);

  {
    const sink = new PacketCollector();
    const renderer = new PoolRenderer({ sink, vantage: CLIENT, firewallTimeoutNs: Infinity, endNs, rng: new Random(SEED + 2), ports });
    const pool = renderer.render(plan);
    const web = renderWebAndDns(new Random(SEED + 3), sink, ports, endNs);
    samples.push(writeSample(outDir, 'oracle-pool.pcap', sink, [...pool, ...web.sessions], web.dnsFlows, pcap,
      'App-server side (192.0.2.10), no firewall expiry: the baseline. The database answers its keep-alives.'));
  }
  {
    const sink = new PacketCollector();
    // The same firewall's own logs: no random draws, so the capture is the same with or without them.
    const firewallLog = new AsaLogRecorder({ timeoutNs: FIREWALL_TIMEOUT_NS, endNs, startSeconds: START_SECONDS, firstConnectionId: ASA_FIRST_CONNECTION_ID });
    const renderer = new PoolRenderer({ sink, vantage: SERVER, firewallTimeoutNs: FIREWALL_TIMEOUT_NS, endNs, rng: new Random(SEED + 2), ports, firewallLog });
    const pool = renderer.render(plan);
    samples.push(writeSample(outDir, 'oracle-pool-unanswered.pcap', sink, pool, [], pcap,
      'Database side (198.51.100.24) of a firewall that expires idle entries after 3600 s: probes unanswered, then RST.'));
    const logs = firewallLog.write(outDir, 'oracle-pool-asa-teardown.log', 'oracle-pool-asa-drops.log');
    firewallLogs.push({ ...logs.teardownLog, capture: 'oracle-pool-unanswered.pcap', connections: logs.connections }, { ...logs.dropsLog, capture: 'oracle-pool-unanswered.pcap' });
  }
  {
    const sink = new PacketCollector();
    const rng = new Random(SEED + 4);
    const { sessions, dnsFlows } = renderMixedSmall(rng, sink, new PortAllocator(new Random(SEED + 5)));
    samples.push(writeSample(outDir, 'mixed-small.pcapng', sink, sessions, dnsFlows,
      (file) => new PcapngWriter(file, { startSeconds: START_SECONDS, application: 'fwtp scripts/make-samples.mjs' }),
      'pcapng with nanosecond timestamps: one pooled session with a keep-alive, one leaked, one HTTPS call, one DNS lookup.'));
  }

  const manifest = {
    generator: 'node scripts/make-samples.mjs',
    seed: SEED,
    start: new Date(START_SECONDS * 1000).toISOString(),
    note: 'Generated traffic at real time scale, not a recording. Times are microseconds since the Unix epoch.',
    samples,
    firewallLogs,
  };
  fs.writeFileSync(path.join(outDir, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  fs.writeFileSync(path.join(outDir, 'README.md'), readme(manifest));
  return manifest;
}

function readme(manifest) {
  const rows = manifest.samples.map((s) => {
    const hours = ((s.lastMicros - s.firstMicros) / 3.6e9).toFixed(2);
    return `| \`${s.file}\` | ${s.frames} | ${s.tcpStreams} | ${s.udpStreams} | ${s.keepAliveProbes} | ${s.keepAliveAcks} | ${s.tcpEnds.fin} / ${s.tcpEnds.rst} / ${s.tcpEnds.open} | ${hours} h | ${s.fileBytes} |`;
  });
  const pool = manifest.samples[0];
  const [teardownLog, dropsLog] = manifest.firewallLogs;
  const td = teardownLog.teardowns;
  const roleCount = (sample, role) => sample.tcp.filter((f) => f.role === role).length;
  return `# Sample captures

Generated, not recorded: \`node scripts/make-samples.mjs\` writes every file in this folder
(the captures, \`MANIFEST.json\` and this README) from a seeded PRNG and a fixed start time,
${manifest.start}. The traffic runs at its real time scale: the pool captures span ten hours,
and an idle gap of two hours is two hours of capture time. \`test/samples/samples.test.ts\`
regenerates them, checks the bytes are identical, and checks tshark's counts against
\`MANIFEST.json\` (the generator's ground truth, with one entry per TCP stream: role, start,
end, packets, keep-alives, largest idle gap).

Addresses are documentation ranges (RFC 5737): app server 192.0.2.10 (ephemeral ports
30000-60000), Oracle database 198.51.100.24:1521, a partner HTTPS API 203.0.113.5:443, DNS
resolver 192.0.2.53. Frames are Ethernet/IPv4/TCP or UDP with correct checksums; TCP
sequence and acknowledgement numbers are kept per direction so that Wireshark's analysis
flags the keep-alive probes (\`tcp.analysis.keep_alive\`) and their answers
(\`tcp.analysis.keep_alive_ack\`) and nothing else.

The database host has SO_KEEPALIVE with Linux defaults: \`tcp_keepalive_time\` 7200 s,
\`tcp_keepalive_intvl\` 75 s, \`tcp_keepalive_probes\` 9. A probe is an ACK without payload
whose sequence number is one below the next (snd_nxt - 1); the answer is a plain ACK.

## The files

| file | frames | TCP streams | UDP streams | keep-alive probes | keep-alive ACKs | TCP ends fin / rst / open | span | bytes |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Counts as tshark 4.0 reports them (the test asserts these equalities):

\`\`\`sh
tshark -r samples/oracle-pool.pcap | wc -l                                   # frames
tshark -r samples/oracle-pool.pcap -T fields -e tcp.stream | grep . | sort -u | wc -l   # TCP streams
tshark -r samples/oracle-pool.pcap -T fields -e udp.stream | grep . | sort -u | wc -l   # UDP streams
tshark -r samples/oracle-pool.pcap -Y tcp.analysis.keep_alive | wc -l       # probes
tshark -r samples/oracle-pool.pcap -Y tcp.analysis.keep_alive_ack | wc -l   # answers
tshark -r samples/oracle-pool.pcap -Y 'tcp.analysis.flags && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack' | wc -l  # 0
\`\`\`

### \`oracle-pool.pcap\`: the story, captured on the app server, no expiry (baseline)

Ten hours (08:00 to 18:00 UTC) of a connection pool on 192.0.2.10 talking to the database.
Nothing expires in this capture; it is the baseline from which the model asks what a given
firewall idle timeout would have done.

- At 08:00 the pool opens 20 sessions, each checked with \`SELECT 1 FROM DUAL\`.
- ${roleCount(pool, 'busy')} sessions are used all day in bursts (queries a few seconds apart, bursts up to 40 min
  apart). One of them pauses for lunch, 12:05 to about 13:20: an idle gap longer than 3600 s
  but shorter than 7200 s, so no keep-alive covers it.
- ${roleCount(pool, 'closed')} sessions are used in the morning, then closed by the pool (FIN) 600 s after their last use.
- ${roleCount(pool, 'reused')} sessions go idle after the first query and come back in the afternoon (after
  keep-alives); one is then closed with FIN, the other stays open.
- ${roleCount(pool, 'leaked')} sessions are leaked (borrowed and never returned, never closed): ${roleCount(pool, 'leaked') - 1} from 08:00 and
  one opened at 14:05. After 7200 s without receiving anything the database sends a
  keep-alive probe and the app answers; every 7200 s again until the end.
- 1 session is reset by the application (RST) after about an hour of use.
- ${roleCount(pool, 'added')} sessions are opened during the day as the pool grows, used, then closed (FIN).
- For contrast: short HTTPS calls to 203.0.113.5:443, about one every 20 minutes (each closed with
  FIN), each preceded by a DNS lookup over UDP when the 300 s TTL has run out.

What the model should tell from it: with a 3600 s timeout the database's keep-alives
(sent after 7200 s idle) arrive at a firewall that has already forgotten the session, so the
idle sessions (the leaked ones, the two reused ones and the lunch pause) break; at 9000 s no
idle gap reaches the timeout (keep-alives every 7200 s refresh the entry), nothing breaks,
and the table holds the leaked sessions for the whole day.

### \`oracle-pool-unanswered.pcap\`: the same pool behind a firewall that expires at 3600 s

The same plan of application activity (same ports, same sequence numbers, same queries),
captured on the database host 198.51.100.24, on the far side of a firewall that expires idle
entries after 3600 s and then drops every non-SYN packet of the forgotten connection (as
Cisco ASA and PAN-OS do). What this vantage point can and cannot show:

- Every session that stays idle for more than 3600 s is forgotten by the firewall. After
  7200 s without receiving anything the database probes; the probe leaves the host (it is in
  the capture) and dies in the firewall. Linux repeats it every 75 s, 9 probes in total, and
  75 s after the ninth sends a RST (also dropped by the firewall, so the app never learns).
- When the app later uses such a session, its request never reaches the database: nothing
  of it is in this capture (not the request, not its retransmissions). The app blocks until
  \`tcp_retries2\` gives up (924.6 s), the pool discards the session and opens a new one: the
  new session's SYN and the retried query do appear here, about 15 minutes after the lost
  request. Their role in \`MANIFEST.json\` ends in \`-replacement\`.
- A clean close (FIN) from the app on a forgotten session is dropped too; the database only
  finds out through its keep-alives.
- The HTTPS and DNS traffic of the app server is not seen on the database host.

### \`oracle-pool-asa-teardown.log\` and \`oracle-pool-asa-drops.log\`: that firewall's own logs

| file | lines | Built | Teardown: TCP FINs / Conn-timeout / TCP Reset-O / TCP Reset-I | still open at 18:00 | 106015 drops |
|---|---|---|---|---|---|
| \`${teardownLog.file}\` | ${teardownLog.lines} | ${teardownLog.built} | ${td['TCP FINs']} / ${td['Conn-timeout']} / ${td['TCP Reset-O']} / ${td['TCP Reset-I']} | ${teardownLog.stillOpen} | 0 |
| \`${dropsLog.file}\` | ${dropsLog.lines} | 0 | 0 | - | ${dropsLog.drops} |

What the firewall of \`oracle-pool-unanswered.pcap\` logs of the same day, as a Cisco ASA with
\`logging timestamp\` writes it (\`Nov 02 2026 08:00:02: %ASA-6-302013: ...\`: the device's time, UTC,
no zone, whole seconds), with \`timeout conn 1:00:00\` and no dead connection detection. Every line
is written from the same run as the capture: its time is the instant the packet crossed the
firewall (125 µs from the database host), cut to the second. The app server is on the
lower-security interface \`dmz\`, the database on \`inside\`; no NAT. \`MANIFEST.json\` lists every
connection (\`firewallLogs[0].connections\`: id, role, built, teardown and reason, bytes, drops, the
first drop and the idle gap it reveals).

- \`${teardownLog.file}\`: one \`%ASA-6-302013 Built inbound TCP connection\` per session (ids count up
  from ${manifest.firewallLogs[0].connections[0].connectionId} in the order they were built) and one \`%ASA-6-302014 Teardown\` with \`duration\`
  (build to teardown) and \`bytes\` (payload, both directions): \`TCP FINs\` at the last ACK of a
  clean close, \`TCP Reset-O\` for the RST the application sends (from the lower-security side),
  \`Conn-timeout\` 3600 s after the last packet the firewall passed (logged at once: the lag of a
  real device's sweep is not modelled). ${teardownLog.stillOpen} sessions are still in the table at 18:00 and have no teardown.
- \`${dropsLog.file}\`: one \`%ASA-6-106015 Deny TCP (no connection)\` per packet the firewall dropped for
  want of state, ${dropsLog.drops} in all, of ${dropsLog.dropSessions} sessions: ${dropsLog.fromServer.keepAliveProbes} keep-alive probes from 198.51.100.24/1521 (\`flags ACK\`, on
  interface \`inside\`), the ${dropsLog.fromServer.resets} RSTs Linux sends 75 s after the ninth (\`flags RST ACK\`), and ${dropsLog.fromClient.requests} requests of
  the app with their ${dropsLog.fromClient.retransmissions} retransmissions (\`flags PSH ACK\`, on interface \`dmz\`): each request it sends on a
  forgotten session is sent again 15 times (RTO from 200 ms, doubling up to 120 s; \`tcp_retries2\` 15, 924.6 s). In
  ${dropsLog.firstDropKeepAlive} sessions the first drop is the database's keep-alive after 7200 s idle; in ${dropsLog.firstDropData} it is the request
  after the lunch pause (idle about 5560 s), the database's probes follow later.

What a log of this kind cannot say: the idle gaps inside a session the firewall kept (all shorter
than 3600 s), nor what a session that broke at 3600 s would have done later. \`fwtp drops\`,
\`fwtp plan\` and \`fwtp recommend\` read both files together (the main README, "From the
firewall's logs alone").

### \`mixed-small.pcapng\`: pcapng input

A few dozen packets of the same kinds of traffic in pcapng (one section, one Ethernet
interface with \`if_tsresol\` = 9, i.e. nanosecond timestamps, which carry sub-microsecond
digits here; Enhanced Packet Blocks): one pooled session with a keep-alive exchange after
7200 s idle and a FIN close, one leaked session with its keep-alive, one HTTPS call with its
DNS lookup.
`;
}

function main(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const outIndex = argv.indexOf('--out');
  const outDir = outIndex >= 0 ? path.resolve(argv[outIndex + 1]) : path.resolve(here, '..', 'samples');
  const manifest = makeSamples(outDir);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(manifest)}\n`);
  } else {
    for (const s of manifest.samples) {
      process.stderr.write(`${path.join(outDir, s.file)}: ${s.frames} frames, ${s.tcpStreams} TCP streams, ${s.udpStreams} UDP, ` +
        `${s.keepAliveProbes} keep-alive probes, ${s.keepAliveAcks} keep-alive ACKs, ${s.fileBytes} bytes\n`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main(process.argv.slice(2));
