// The two-service scenario of the lab (docs/LAB.md "Two services"): the database on 1521 with
// keep-alives and leaked sessions, an API on 8443 without keep-alives, and connection attempts to
// port 23, which the rule set refuses (log prefix "fwtp-deny: "). Also writes the capture this
// scenario would give at the baseline (no expiry), synthesized from the definition, so that
// `fwtp recommend` can print the per-service policy before any run starts (all runs share one
// start instant).
import { CLIENT, SERVER, PacketCollector, PcapWriter, TcpSession, ipv4 } from '../../scripts/capture-writer.mjs';

export const APP_ADDR = '192.0.2.10';
export const DB_ADDR = '198.51.100.24';
/** Server ports per service; `deny` is refused by the rule set (lab.sh DENY_PORT). */
export const SERVICE_PORTS = { db: 1521, api: 8443, deny: 23 };
/** Log prefixes of the two drop rules (lab.sh); LOGEMU writes them followed by a space. */
export const DROP_PREFIX = 'fwtp-drop:';
export const DENY_PREFIX = 'fwtp-deny:';

/** Global (established) timeout of the short runs (`svc3`, `svcp`). */
export const SVC_GLOBAL_SECONDS = 3;

export const SVC_SCENARIO = {
  name: 'svc',
  title: 'two services: db :1521 with keep-alives (6/2/3) and leaks, API :8443 without, attempts to :23',
  // The keep-alive schedule of the db namespace; only the db's listener turns SO_KEEPALIVE on.
  keepAlive: { idleSeconds: 6, intervalSeconds: 2, count: 3 },
  services: { db: { port: SERVICE_PORTS.db, keepAlive: true }, api: { port: SERVICE_PORTS.api, keepAlive: false } },
  candidates: [SVC_GLOBAL_SECONDS],
  stateTimeouts: {},
  tailSeconds: 14, // > idle + (count - 1) * interval + the RST, after the last event
  openEverySeconds: 0.6,
  // Gaps at x.5 s or at least 0.5 s from every whole second near a threshold: any whole-second
  // timeout nft takes is then at least 0.5 s away from every gap (docs/LAB.md "Two services").
  patterns: [
    { name: 'db-short-close', service: 'db', n: 4, gaps: [1, 2, 0.5], close: 1 },
    { name: 'db-leak', service: 'db', n: 4, gaps: [2] },
    { name: 'db-long-resume', service: 'db', n: 3, gaps: [2, 8, 1], close: 1 },
    { name: 'db-mid-resume', service: 'db', n: 3, gaps: [1, 4.5, 1], close: 2 },
    { name: 'api-short', service: 'api', n: 4, gaps: [0.5, 1, 1.5, 1], close: 1 },
    { name: 'api-leak', service: 'api', n: 3, gaps: [1] },
    { name: 'api-resume', service: 'api', n: 3, gaps: [1, 3.5, 1], close: 1 },
    { name: 'api-close', service: 'api', n: 2, gaps: [2], close: 4.5 },
  ],
  // Refused attempts: a SYN and its retransmissions 1 s apart (Linux's initial RTO; the lab's
  // kernels retry linearly at first, 3 SYNs in 2.5 s), then the client gives up (socket
  // destroyed, nothing sent) 2.5 s in. Each from its own local port (attemptSessions).
  attempts: [
    { atSeconds: 1.0, service: 'deny', abortAfterSeconds: 2.5 },
    { atSeconds: 11.0, service: 'deny', abortAfterSeconds: 2.5 },
    { atSeconds: 21.0, service: 'deny', abortAfterSeconds: 2.5 },
  ],
};

/** Which service a server port is, or null. */
export function serviceOfPort(port) {
  for (const [name, p] of Object.entries(SERVICE_PORTS)) if (p === port) return name;
  return null;
}

/**
 * First local port of the attempts: above Linux's ephemeral range (32768-60999), so no socket the
 * kernel numbers can hold it. The kernel's choice alone may give two attempts to the same
 * server the same port (its per-destination counter is shared by every namespace on the host,
 * and a refused attempt leaves no TIME_WAIT to keep its port): one 4-tuple, two attempts, seen
 * once in a lab run under load.
 */
const ATTEMPT_LOCAL_PORT = 61000;

/**
 * Sessions of the attempts (appended after the patterns' sessions by buildSchedule): an open and
 * an abort per attempt, each attempt from its own local port.
 */
export function attemptSessions(scenario, firstId) {
  return (scenario.attempts ?? []).map((a, k) => {
    const openMs = Math.round(a.atSeconds * 1000);
    return {
      id: firstId + k,
      pattern: `attempt-${a.service}`,
      port: SERVICE_PORTS[a.service],
      localPort: ATTEMPT_LOCAL_PORT + k,
      events: [{ atMs: openMs, op: 'open' }, { atMs: openMs + Math.round(a.abortAfterSeconds * 1000), op: 'abort' }],
    };
  });
}

const MS = 1e6; // ns
/** Linux delayed-ACK minimum (TCP_DELACK_MIN = HZ/25): when the client acknowledges a response. */
const DELAYED_ACK_NS = 40 * MS;
const RESPONSE_BYTES = 68; // db-server.mjs: "R<n> " + 64 x + "\n" (a few bytes more for larger n)

/**
 * The app-side capture of the scenario at the baseline (nothing expires), synthesized from the
 * schedule: handshakes, each query and its response and ACK, the db's keep-alive probes every
 * `idleSeconds` of silence (answered), closes (FIN both ways), refused SYNs and their one
 * retransmission. `endMs` is where the capture stops (the run's stop). Returns the packet count.
 */
export function writeSynthCapture(file, scenario, schedule, startSeconds, endMs) {
  const sink = new PacketCollector();
  const app = ipv4(APP_ADDR);
  const db = ipv4(DB_ADDR);
  const endNs = endMs * MS;
  const ka = scenario.keepAlive;
  schedule.sessions.forEach((s, k) => {
    const service = s.port === undefined ? 'db' : serviceOfPort(s.port);
    const port = SERVICE_PORTS[service];
    const clientPort = 40000 + k;
    const t0 = s.events[0].atMs * MS;
    if (service === 'deny') {
      const session = new TcpSession(sink, { clientIp: app, clientPort, serverIp: db, serverPort: port, clientIsn: 1000 + k, serverIsn: 0 });
      session.syn(t0);
      sink.writeTcp(t0 + 1000 * MS, app, clientPort, db, port, 1000 + k, 0, 0x02, 64240, 0, null);
      return;
    }
    const session = new TcpSession(sink, { clientIp: app, clientPort, serverIp: db, serverPort: port, clientIsn: 1000 + k * 100000, serverIsn: 5000000 + k * 100000 });
    session.syn(t0);
    session.synAck(t0 + 0.1 * MS);
    session.ack(t0 + 0.2 * MS, CLIENT);
    let lastNs = t0 + 0.2 * MS;
    const probeUntil = (tNs) => {
      // The db (server) probes after every idleSeconds of silence on its socket; the client answers.
      if (!(scenario.services[service]?.keepAlive) || !ka) return;
      while (lastNs + ka.idleSeconds * 1e9 < tNs && lastNs + ka.idleSeconds * 1e9 < endNs) {
        const probeNs = lastNs + ka.idleSeconds * 1e9;
        session.keepAliveProbe(probeNs, SERVER);
        session.keepAliveAck(probeNs + 0.1 * MS, CLIENT);
        lastNs = probeNs + 0.1 * MS;
      }
    };
    let query = 0;
    for (const ev of s.events.slice(1)) {
      const tNs = ev.atMs * MS;
      probeUntil(tNs);
      if (ev.op === 'query') {
        query++;
        session.send(tNs, CLIENT, `Q${s.id}-${query}\n`.length);
        session.send(tNs + 0.2 * MS, SERVER, RESPONSE_BYTES);
        session.ack(tNs + 0.2 * MS + DELAYED_ACK_NS, CLIENT);
        lastNs = tNs + 0.2 * MS + DELAYED_ACK_NS;
      } else if (ev.op === 'close') {
        session.fin(tNs, CLIENT);
        session.fin(tNs + 0.2 * MS, SERVER);
        session.ack(tNs + 0.3 * MS, CLIENT);
        return;
      }
    }
    probeUntil(endNs); // a leaked session: probes (db) or silence (API) until the capture ends
  });
  const writer = new PcapWriter(file, { startSeconds, nanosecond: false, snaplen: 128 });
  const n = sink.drainTo(writer);
  writer.close();
  return n;
}
