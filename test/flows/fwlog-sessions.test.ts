import { describe, expect, it } from 'vitest';
import { joinAcross, joinSessions, SessionJoiner } from '../../src/flows/fwlog-sessions.js';
import { readFirewallLog, type FwRecord, type SessionEndRecord } from '../../src/ingest/fwlog/index.js';

const us = (iso: string): number => Date.parse(iso) * 1000;
const T = (): number => 3600;
const records = (lines: string[]): FwRecord[] => readFirewallLog(lines.join('\n') + '\n', {}, 'asa.log').records;

describe('joinSessions (ASA)', () => {
  // Built 09:00:00, Conn-timeout teardown 10:00:05 (duration 1:00:05), then 106015 from the
  // server's 1521 to the client's ephemeral port 125 s later. With T = 3600 s the last packet
  // was at 09:00:05 (10:00:05 - 3600 s) and the drop at 10:02:10: gap = 3600 + 125 = 3725 s.
  const story = [
    'Nov 25 2026 09:00:00: %ASA-6-302013: Built outbound TCP connection 40017 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31578 (203.0.113.9/4711)',
    'Nov 25 2026 10:00:05: %ASA-6-302014: Teardown TCP connection 40017 for db:198.51.100.24/1521 to app:192.0.2.15/31578 duration 1:00:05 bytes 25630 Conn-timeout',
    'Nov 25 2026 10:02:10: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/31578 flags ACK  on interface db',
    'Nov 25 2026 10:02:40: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/31578 flags PSH ACK  on interface db',
  ];
  it('pairs built and teardown and reveals the gap from the first drop', () => {
    const j = joinSessions(records(story), 'asa.log', { timeoutSeconds: T });
    expect(j.unmatchedDrops).toEqual([]);
    expect(j.sessions).toHaveLength(1);
    const s = j.sessions[0]!;
    expect(s).toMatchObject({
      client: { address: '192.0.2.15', port: 31578 }, server: { address: '198.51.100.24', port: 1521 },
      natClient: { address: '203.0.113.9', port: 4711 }, connectionId: '40017', protocol: 'tcp',
      startUs: us('2026-11-25T09:00:00Z'), endUs: us('2026-11-25T10:00:05Z'), lastPacketUs: us('2026-11-25T09:00:05Z'),
      endReason: 'idle-timeout', rawReason: 'Conn-timeout', durationSeconds: 3605, bytes: 25630,
      revealedGapSeconds: 3725, startLine: 1, endLine: 2, file: 'asa.log',
    });
    expect(s.drops.map((d) => d.line)).toEqual([3, 4]);
  });
  it('joinAcross: a drop log read apart from its teardown log reveals the same gap, once', () => {
    const teardowns = joinSessions(records(story.slice(0, 2)), 'teardown.log', { timeoutSeconds: T });
    const drops = joinSessions(records(story.slice(2)), 'drops.log', { timeoutSeconds: T });
    expect([teardowns.sessions[0]!.revealedGapSeconds, drops.unmatchedDrops.length]).toEqual([null, 2]);
    const other = joinSessions(records(['Nov 25 2026 10:02:10: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/40000 flags ACK  on interface db']), 'other.log', { timeoutSeconds: T });
    joinAcross([teardowns, drops, other]);
    const s = teardowns.sessions[0]!;
    expect(s.revealedGapSeconds).toBe(3725);
    expect(s.drops.map((d) => d.tcpFlags)).toEqual([['ACK'], ['PSH', 'ACK']]);
    expect([drops.unmatchedDrops.length, other.unmatchedDrops.length]).toEqual([0, 1]);
    // The same as one join of all the records.
    expect(s.revealedGapSeconds).toBe(joinSessions(records(story), 'asa.log', { timeoutSeconds: T }).sessions[0]!.revealedGapSeconds);
  });
  it('gives the same join fed one record at a time (SessionJoiner)', () => {
    const j = new SessionJoiner('asa.log', { timeoutSeconds: T });
    for (const r of records(story)) j.push(r);
    expect(j.finish()).toEqual(joinSessions(records(story), 'asa.log', { timeoutSeconds: T }));
  });
  it('matches a drop in the NAT form, in the other direction, and one written 3 s before the teardown', () => {
    const lines = [
      story[0]!,
      'Nov 25 2026 10:00:02: %ASA-6-106015: Deny TCP (no connection) from 203.0.113.9/4711 to 198.51.100.24/1521 flags ACK  on interface app',
      story[1]!,
    ];
    const j = joinSessions(records(lines), 'asa.log', { timeoutSeconds: T });
    expect(j.sessions[0]!.drops.map((d) => d.line)).toEqual([2]);
    // The drop is stamped 3 s before the teardown (10:00:02 - 09:00:05 = 3597 s, the collector's
    // reorder), but it was dropped for want of state, so after the expiry: the gap is at least T.
    expect(j.sessions[0]!.revealedGapSeconds).toBe(3600.000001);
  });
  it('leaves a drop unmatched when it is before the end by more than the slack, or of another tuple', () => {
    const lines = [
      story[0]!,
      'Nov 25 2026 09:59:00: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/31578 flags ACK  on interface db',
      story[1]!,
      'Nov 25 2026 10:02:10: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/31579 flags ACK  on interface db',
    ];
    const j = joinSessions(records(lines), 'asa.log', { timeoutSeconds: T });
    expect(j.unmatchedDrops.map((d) => d.line)).toEqual([2, 4]);
    expect(j.sessions[0]!.revealedGapSeconds).toBeNull();
  });
  it('gives the most recent ended session of the tuple, a FIN close its end as last packet, and open or start-less sessions', () => {
    const lines = [
      'Nov 25 2026 08:00:00: %ASA-6-302014: Teardown TCP connection 1 for db:198.51.100.24/1521 to app:192.0.2.15/31578 duration 0:10:00 bytes 10 TCP FINs',
      'Nov 25 2026 09:00:00: %ASA-6-302013: Built outbound TCP connection 2 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31578 (192.0.2.15/31578)',
      'Nov 25 2026 09:30:00: %ASA-6-302014: Teardown TCP connection 2 for db:198.51.100.24/1521 to app:192.0.2.15/31578 duration 0:30:00 bytes 10 TCP Reset-O',
      'Nov 25 2026 09:31:00: %ASA-6-106015: Deny TCP (no connection) from 192.0.2.15/31578 to 198.51.100.24/1521 flags RST  on interface app',
      'Nov 25 2026 09:40:00: %ASA-6-302013: Built inbound TCP connection 3 for outside:203.0.113.5/40000 (203.0.113.5/40000) to db:198.51.100.24/22 (198.51.100.24/22)',
    ];
    const j = joinSessions(records(lines), 'asa.log', { timeoutSeconds: T });
    expect(j.sessions.map((s) => [s.connectionId, s.startUs, s.endUs, s.lastPacketUs, s.drops.length])).toEqual([
      // Teardown only: start = end - duration; the client is unknown (no Built), so src.
      ['1', us('2026-11-25T07:50:00Z'), us('2026-11-25T08:00:00Z'), us('2026-11-25T08:00:00Z'), 0],
      ['2', us('2026-11-25T09:00:00Z'), us('2026-11-25T09:30:00Z'), us('2026-11-25T09:30:00Z'), 1],
      ['3', us('2026-11-25T09:40:00Z'), null, null, 0],
    ]);
    expect(j.sessions[1]!.revealedGapSeconds).toBeNull(); // closed, not idle-ended
    expect(j.sessions[2]).toMatchObject({ client: { port: 40000 }, server: { port: 22 }, endReason: null, startLine: 5, endLine: null });
  });
  it('splits a log mixing devices by host name', () => {
    const lines = [
      '<166>Nov 25 2026 09:00:00 fw-a : %ASA-6-302013: Built outbound TCP connection 7 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31578 (192.0.2.15/31578)',
      '<166>Nov 25 2026 09:00:01 fw-b : %ASA-6-302013: Built outbound TCP connection 7 for db:10.0.0.1/1521 (10.0.0.1/1521) to app:10.0.0.2/5000 (10.0.0.2/5000)',
      '<166>Nov 25 2026 10:00:05 fw-b : %ASA-6-302014: Teardown TCP connection 7 for db:10.0.0.1/1521 to app:10.0.0.2/5000 duration 1:00:04 bytes 1 Conn-timeout',
      '<166>Nov 25 2026 10:01:00 fw-a : %ASA-6-106015: Deny TCP (no connection) from 10.0.0.1/1521 to 10.0.0.2/5000 flags ACK  on interface db',
    ];
    const j = joinSessions(records(lines), 'asa.log', { timeoutSeconds: T });
    expect(j.sessions.map((s) => [s.host, s.startLine, s.endLine])).toEqual([['fw-b', 2, 3], ['fw-a', 1, null]]);
    expect(j.unmatchedDrops.map((d) => d.line)).toEqual([4]); // fw-a's drop is not fw-b's session
  });
});

describe('joinSessions (PAN-OS: elapsed excludes the timeout)', () => {
  it('takes the last packet as start + elapsed for an aged-out end', () => {
    const end: SessionEndRecord = {
      type: 'session-end', vendor: 'panos', line: 9, host: 'pa', timeUs: us('2026-11-25T10:00:40Z'), yearInferred: false,
      messageKind: 'TRAFFIC/end', protocol: 'udp', protocolNumber: 17,
      src: { address: '10.0.0.5', port: 5353, iface: null }, dst: { address: '10.0.0.53', port: 53, iface: null },
      natSrc: null, natDst: null, initiator: 'src', connectionId: '15884',
      durationSeconds: 8, durationResolutionSeconds: 1, durationCovers: 'start-to-last-packet', startUs: us('2026-11-25T10:00:00Z'),
      bytes: 300, endReason: 'idle-timeout', rawReason: 'aged-out', reasonAmbiguous: false,
    };
    const j = joinSessions([end], 'pa.csv', { timeoutSeconds: () => 30 });
    expect(j.sessions[0]).toMatchObject({
      startUs: us('2026-11-25T10:00:00Z'), lastPacketUs: us('2026-11-25T10:00:08Z'), endUs: us('2026-11-25T10:00:40Z'),
      durationSeconds: 8, client: { port: 5353 }, startLine: null, endLine: 9,
    });
  });
});
