/**
 * The revealed-gap sentences of `fwtp drops` (src/report/drops.ts revealedLines) on hand-made joins
 * shaped like samples/oracle-pool-asa-*.log: sessions whose revealing drop is the server's keep-alive
 * (9 unanswered probes 75 s apart, then the RST Linux sends after them), and one session revealed
 * by the client's request after a long pause (the request, its retransmissions, then the server's
 * probes). The drops that follow the revealing one must not change what the first one says.
 */
import { describe, expect, it } from 'vitest';
import { classifyDrops, type JoinedSessionView } from '../../src/flows/drop-classes.js';
import type { DropRecord } from '../../src/ingest/fwlog/types.js';
import { buildDropsDocument, revealedLines, type TimeoutInForce } from '../../src/report/drops.js';

const T0_US = Date.UTC(2026, 10, 2, 9, 0, 0) * 1000;
const T_SECONDS = 3600;
const SERVER = { address: '198.51.100.24', port: 1521 };
const TIMEOUT: TimeoutInForce = { tcpSeconds: T_SECONDS, udpSeconds: 120, icmpSeconds: 2, source: 'test', platform: 'cisco-asa' };

function drop(fromServer: boolean, clientPort: number, tUs: number, flags: string[]): DropRecord {
  const client = { address: '192.0.2.10', port: clientPort, iface: null };
  const server = { ...SERVER, iface: null };
  return {
    type: 'drop', vendor: 'cisco-asa', line: 1, host: null, timeUs: tUs, yearInferred: false, messageKind: '106015',
    protocol: 'tcp', protocolNumber: 6, src: fromServer ? server : client, dst: fromServer ? client : server,
    kind: 'no-connection', action: 'Deny', tcpFlags: flags, payloadBytes: null, inInterface: null, outInterface: null, direction: null, rule: null,
  };
}

/** Idle-ended at endUs (last packet endUs - T); drops at the given offsets after the end. */
function session(clientPort: number, endUs: number, drops: Array<[number, boolean, string[]]>): JoinedSessionView {
  const ds = drops.map(([dtSeconds, fromServer, flags]) => drop(fromServer, clientPort, endUs + dtSeconds * 1e6, flags));
  return {
    protocol: 'tcp', client: { address: '192.0.2.10', port: clientPort }, server: SERVER, endReason: 'idle-timeout', endUs, drops: ds,
    revealedGapSeconds: ds[0] === undefined ? null : T_SECONDS + (ds[0].timeUs! - endUs) / 1e6,
  };
}

/** 9 probes from 3600 s after the end (7200 s idle), 75 s apart, then the RST. */
function keepAliveVictim(clientPort: number, endUs: number): JoinedSessionView {
  const probes: Array<[number, boolean, string[]]> = Array.from({ length: 9 }, (_, k) => [3600 + 75 * k, true, ['ACK']]);
  return session(clientPort, endUs, [...probes, [3600 + 75 * 9, true, ['RST', 'ACK']]]);
}

describe('revealedLines', () => {
  it('keep-alive victims: the RST after the probes does not hide that the keep-alive found no state', () => {
    const sessions = [0, 1, 2].map((i) => keepAliveVictim(40000 + i, T0_US + i * 1e6));
    const doc = buildDropsDocument(classifyDrops({ sessions, unmatchedDrops: [] }), [], TIMEOUT, []);
    expect(doc.revealed).toMatchObject({ withGap: 3, revealedByKeepAlive: 3, allKeepAlive: true, maxGapSeconds: 7200, keepAllTimeoutSeconds: 7333 });
    expect(revealedLines(doc)).toEqual([
      '3 sessions were idle 2h (7,200 s) when the keep-alive found no state; any timeout of at least 7,333 s keeps them (or an endpoint keep-alive below T = 3,600 s)',
    ]);
  });

  it('a session revealed by a client request gets its own sentence, with its own keeping timeout', () => {
    const victims = [0, 1].map((i) => keepAliveVictim(40000 + i, T0_US));
    // Last packet at end - T; the request 1959 s after the end (idle 5559 s), retried; the server's probes later.
    const lunch = session(41000, T0_US, [[1959, false, ['PSH', 'ACK']], [1959.2, false, ['PSH', 'ACK']], [5000, true, ['ACK']]]);
    const doc = buildDropsDocument(classifyDrops({ sessions: [...victims, lunch], unmatchedDrops: [] }), [], TIMEOUT, []);
    expect(doc.revealed).toMatchObject({ withGap: 3, revealedByKeepAlive: 2, allKeepAlive: true, maxGapSeconds: 7200, keepAllTimeoutSeconds: 7333 });
    expect(doc.revealed.rows.map((r) => [r.gapSeconds, r.revealedByKeepAlive])).toEqual([[7200, true], [7200, true], [5559, false]]);
    expect(revealedLines(doc)).toEqual([
      '2 sessions were idle 2h (7,200 s) when the keep-alive found no state; any timeout of at least 7,333 s keeps them (or an endpoint keep-alive below T = 3,600 s)',
      '1 other session was idle 1h32m39s (5,559 s) when a packet found no state; any timeout of at least 5,692 s keeps it (or an endpoint keep-alive below T = 3,600 s)',
    ]);
  });

  it('no keep-alive anywhere: no keep-alive clause', () => {
    const doc = buildDropsDocument(classifyDrops({ sessions: [session(41000, T0_US, [[8, false, ['PSH', 'ACK']]])], unmatchedDrops: [] }), [], TIMEOUT, []);
    expect(doc.revealed).toMatchObject({ revealedByKeepAlive: 0, allKeepAlive: false });
    expect(revealedLines(doc)).toEqual(['1 session was idle 1h8s (3,608 s) when a packet found no state; any timeout of at least 3,741 s keeps it']);
  });
});
