// What the story's firewall logs (scripts/make-samples.mjs) as a Cisco ASA with `logging timestamp`
// would: one 302013 Built and, unless the session is still in the table when the logs end, one
// 302014 Teardown per connection (samples/oracle-pool-asa-teardown.log), and one 106015 per packet
// it dropped because it held no state for it (samples/oracle-pool-asa-drops.log). Fed by the
// firewalled PoolRenderer with every packet it lets through or drops, at the firewall's own time;
// draws no random numbers, so the captures' PRNG sequences are untouched.
//
// Formats: ../shared/reference/session-logs.md (302013/302014, reasons) and drop-logs.md (106015);
// Cisco "Messages 302003 to 319004". The app server sits on the lower-security interface `dmz`, the
// database on `inside`: the app's connections are inbound and the dmz endpoint is named first
// (Cisco TAC 116149), a reset from the app is `TCP Reset-O` (from the lower-security side).

import fs from 'node:fs';
import path from 'node:path';
import { CLIENT, SERVER, ipv4ToString } from './capture-writer.mjs';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const S = 1e9;
const CLIENT_IFACE = 'dmz';
const SERVER_IFACE = 'inside';

/** `logging timestamp` as the ASA writes it, `Nov 02 2026 08:00:02` (UTC here), whole seconds. */
function asaTime(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** 302014 `duration h:mm:ss`; hours do not wrap at 24 (session-logs.md). */
function hms(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export class AsaLogRecorder {
  /**
   * @param {object} o
   * @param {number} o.timeoutNs the firewall's idle timeout (`timeout conn`)
   * @param {number} o.endNs the end of the capture: nothing at or after it is logged
   * @param {number} o.startSeconds epoch seconds of time 0
   * @param {number} o.firstConnectionId ASA connection ids count up from here, in Built order
   */
  constructor(o) {
    Object.assign(this, o);
    /** One entry per session the renderer opened, in render order. */
    this.connections = [];
    this.bySession = new Map();
  }

  entry(st) {
    let e = this.bySession.get(st);
    if (e === undefined) {
      const s = st.s;
      e = { st, role: st.ps.role, clientIp: s.ip[CLIENT], clientPort: s.port[CLIENT], serverIp: s.ip[SERVER], serverPort: s.port[SERVER],
        builtNs: null, finSeen: [false, false], teardown: null, drops: [] };
      this.bySession.set(st, e);
      this.connections.push(e);
    }
    return e;
  }

  /** A packet of `side` that found the session's entry (or, a SYN, created it) at firewall time ns. */
  pass(st, ns, side, flags) {
    const e = this.entry(st);
    if (e.teardown !== null) throw new Error('a packet passed after the teardown');
    if (flags === 'SYN') { e.builtNs = ns; return; }
    if (flags.includes('RST')) { e.teardown = { ns, reason: side === CLIENT ? 'TCP Reset-O' : 'TCP Reset-I' }; return; }
    if (flags.includes('FIN')) { e.finSeen[side] = true; return; }
    // The last ACK of the close-down sequence ends the connection (reason "TCP FINs").
    if (e.finSeen[CLIENT] && e.finSeen[SERVER]) e.teardown = { ns, reason: 'TCP FINs' };
  }

  /** A packet of `side` the firewall dropped at ns because it holds no entry for it (106015); `retransmission` of an earlier one. */
  drop(st, ns, side, flags, retransmission = false) {
    if (flags === 'SYN') throw new Error('a SYN always creates an entry');
    this.entry(st).drops.push({ ns, side, flags, retransmission });
  }

  /**
   * The session ends in the renderer. Still in the table without a close: the idle timer frees it
   * at the last packet + timeout (`Conn-timeout`, logged then: no sweep lag is modelled).
   */
  end(st) {
    const e = this.entry(st);
    if (e.builtNs === null) throw new Error('a session without a SYN');
    if (e.teardown === null && st.firewallLastNs + this.timeoutNs < this.endNs) {
      e.teardown = { ns: st.firewallLastNs + this.timeoutNs, reason: 'Conn-timeout' };
    }
    // ASA counts the data of the connection, both directions; the dropped packets carry none.
    e.bytes = st.s.payloadBytes[CLIENT] + st.s.payloadBytes[SERVER];
  }

  /**
   * Writes both logs into outDir; returns their MANIFEST.json entries (counts the test checks with
   * fwtp's reader) and the ground truth per connection.
   */
  write(outDir, teardownFile, dropsFile) {
    const logged = (ns) => ns < this.endNs;
    const secondsOf = (ns) => this.startSeconds + Math.floor(ns / S);
    const conns = this.connections.filter((e) => logged(e.builtNs)).sort((a, b) => a.builtNs - b.builtNs);
    conns.forEach((e, i) => { e.id = this.firstConnectionId + i; });
    const sessionLines = [], dropLines = [];
    let order = 0;
    for (const e of conns) {
      const client = `${ipv4ToString(e.clientIp)}/${e.clientPort}`, server = `${ipv4ToString(e.serverIp)}/${e.serverPort}`;
      sessionLines.push({ ns: e.builtNs, order: order++, text: `%ASA-6-302013: Built inbound TCP connection ${e.id} for ${CLIENT_IFACE}:${client} (${client}) to ${SERVER_IFACE}:${server} (${server})` });
      if (e.teardown !== null && logged(e.teardown.ns)) {
        const durationSeconds = Math.floor((e.teardown.ns - e.builtNs) / S);
        sessionLines.push({ ns: e.teardown.ns, order: order++, text: `%ASA-6-302014: Teardown TCP connection ${e.id} for ${CLIENT_IFACE}:${client} to ${SERVER_IFACE}:${server} duration ${hms(durationSeconds)} bytes ${e.bytes} ${e.teardown.reason}` });
      }
      for (const d of e.drops) {
        if (!logged(d.ns)) continue;
        const [from, to, iface] = d.side === SERVER ? [server, client, SERVER_IFACE] : [client, server, CLIENT_IFACE];
        // Two spaces before "on", as ASA prints it (drop-logs.md).
        dropLines.push({ ns: d.ns, order: order++, text: `%ASA-6-106015: Deny TCP (no connection) from ${from} to ${to} flags ${d.flags}  on interface ${iface}` });
      }
    }
    const text = (lines) => lines.sort((a, b) => a.ns - b.ns || a.order - b.order).map((l) => `${asaTime(secondsOf(l.ns))}: ${l.text}\n`).join('');
    fs.writeFileSync(path.join(outDir, teardownFile), text(sessionLines));
    fs.writeFileSync(path.join(outDir, dropsFile), text(dropLines));

    const teardowns = { 'TCP FINs': 0, 'Conn-timeout': 0, 'TCP Reset-I': 0, 'TCP Reset-O': 0 };
    const truth = conns.map((e) => {
      const drops = e.drops.filter((d) => logged(d.ns));
      const down = e.teardown !== null && logged(e.teardown.ns) ? e.teardown : null;
      if (down !== null) teardowns[down.reason]++;
      const firstDrop = drops[0];
      return {
        connectionId: e.id,
        role: e.role,
        client: `${ipv4ToString(e.clientIp)}:${e.clientPort}`,
        server: `${ipv4ToString(e.serverIp)}:${e.serverPort}`,
        built: secondsOf(e.builtNs),
        teardown: down === null ? null : secondsOf(down.ns),
        reason: down === null ? null : down.reason,
        bytes: down === null ? null : e.bytes,
        drops: drops.length,
        dropsFromServer: drops.filter((d) => d.side === SERVER).length,
        firstDrop: firstDrop === undefined ? null : { time: secondsOf(firstDrop.ns), from: firstDrop.side === SERVER ? 'server' : 'client', flags: firstDrop.flags },
        // What the first drop reveals: the idle gap from the last packet the firewall passed (whole seconds as logged).
        revealedIdleSeconds: firstDrop === undefined || down?.reason !== 'Conn-timeout' ? null
          : secondsOf(firstDrop.ns) - (secondsOf(down.ns) - this.timeoutNs / S),
      };
    });
    const allDrops = conns.flatMap((e) => e.drops.filter((d) => logged(d.ns)));
    const count = (f) => allDrops.filter(f).length;
    const dropSessions = truth.filter((c) => c.drops > 0);
    return {
      teardownLog: {
        file: teardownFile,
        description: 'Cisco ASA 302013/302014 of the firewall in front of the database (timeout conn 1:00:00): one Built per connection, one Teardown unless still open at 18:00.',
        lines: sessionLines.length,
        built: conns.length,
        teardowns,
        stillOpen: conns.length - Object.values(teardowns).reduce((a, b) => a + b, 0),
      },
      dropsLog: {
        file: dropsFile,
        description: 'Cisco ASA 106015 of the same firewall: every packet of a forgotten connection it dropped.',
        lines: dropLines.length,
        drops: allDrops.length,
        dropSessions: dropSessions.length,
        fromServer: {
          keepAliveProbes: count((d) => d.side === SERVER && d.flags === 'ACK'),
          resets: count((d) => d.side === SERVER && d.flags.includes('RST')),
          other: count((d) => d.side === SERVER && d.flags !== 'ACK' && !d.flags.includes('RST')),
        },
        fromClient: {
          requests: count((d) => d.side === CLIENT && d.flags.includes('PSH') && !d.retransmission),
          retransmissions: count((d) => d.side === CLIENT && d.retransmission),
          other: count((d) => d.side === CLIENT && !d.flags.includes('PSH')),
        },
        firstDropKeepAlive: dropSessions.filter((c) => c.firstDrop.from === 'server' && c.firstDrop.flags === 'ACK').length,
        firstDropData: dropSessions.filter((c) => c.firstDrop.from === 'client').length,
      },
      connections: truth,
    };
  }
}
