/**
 * Drop classification (src/flows/drop-classes.ts) on hand-made join results: the story's
 * keep-alive drops from 198.51.100.24:1521 after 14 idle ends, 3 refused SYNs to port 23, and the
 * rules for drops no session claimed (which side serves, what the device says, keep-alive shape).
 */
import { describe, expect, it } from 'vitest';
import { classifyDrops, keepAliveShape, type JoinedSessionView } from '../../src/flows/drop-classes.js';
import type { DropKind, DropRecord } from '../../src/ingest/fwlog/types.js';

const T0_US = Date.UTC(2026, 10, 25, 10, 0, 0) * 1000;

function drop(src: string, dst: string, opts: { kind?: DropKind; flags?: string[] | null; protocol?: string; tUs?: number; payloadBytes?: number | null; ipLengthBytes?: number; line?: number } = {}): DropRecord {
  const [sa, sp] = src.split('/') as [string, string];
  const [da, dp] = dst.split('/') as [string, string];
  const protocol = opts.protocol ?? 'tcp';
  return {
    type: 'drop', vendor: 'cisco-asa', line: opts.line ?? 1, host: null, timeUs: opts.tUs ?? T0_US, yearInferred: false, messageKind: '106015',
    protocol, protocolNumber: protocol === 'tcp' ? 6 : protocol === 'udp' ? 17 : null,
    src: { address: sa, port: Number(sp), iface: null }, dst: { address: da, port: Number(dp), iface: null },
    kind: opts.kind ?? 'no-connection', action: 'Deny', tcpFlags: opts.flags === undefined ? ['ACK'] : opts.flags,
    payloadBytes: opts.payloadBytes ?? null, ...(opts.ipLengthBytes !== undefined ? { ipLengthBytes: opts.ipLengthBytes } : {}),
    inInterface: null, outInterface: null, direction: null, rule: null,
  };
}

/** The story's sessions: client port 31578 + i, idle-ended at T0 + i min, two keep-alive drops each 8 s and 83 s later. */
function storySessions(n: number): JoinedSessionView[] {
  return Array.from({ length: n }, (_, i) => {
    const client = { address: '192.0.2.15', port: 31578 + i };
    const server = { address: '198.51.100.24', port: 1521 };
    const endUs = T0_US + i * 60e6;
    return {
      protocol: 'tcp', client, server, natClient: null, natServer: null, endReason: 'idle-timeout' as const, endUs,
      drops: [8e6, 83e6].map((dt) => drop(`198.51.100.24/1521`, `192.0.2.15/${client.port}`, { tUs: endUs + dt })),
      revealedGapSeconds: 3600 + 8,
    };
  });
}

describe('classifyDrops', () => {
  it('the story: 14 idle-ended sessions on 1521 with keep-alive drops, 3 SYNs to port 23', () => {
    const syns = [1, 2, 3].map((i) => drop(`203.0.113.9/${40000 + i}`, '198.51.100.30/23', { kind: 'acl', flags: null, line: 100 + i }));
    // ASA 106023 carries no flags; these three are still refused by the access list.
    const r = classifyDrops({ sessions: storySessions(14), unmatchedDrops: syns });
    expect(r.totals).toEqual({
      drops: 31, keepAliveShaped: 28,
      'expired-state': { packets: 28, sessions: 14 }, policy: { packets: 3, sessions: 3 }, unknown: { packets: 0, sessions: 0 },
    });
    expect(r.groups.map((g) => [g.dropClass, g.service.serverPort, g.direction, g.packets, g.sessions, g.keepAliveShaped])).toEqual([
      ['expired-state', 1521, 'from-server', 28, 14, 28],
      ['policy', 23, 'to-server', 3, 3, 0],
    ]);
    expect(r.drops.filter((d) => d.dropClass === 'policy').every((d) => d.reason === 'acl')).toBe(true);
    expect(r.revealed).toHaveLength(14);
    expect(r.revealed.every((g) => g.gapSeconds === 3608 && g.drops === 2 && g.keepAliveShapedDrops === 2)).toBe(true);
    expect(r.revealed[0]).toMatchObject({ client: '192.0.2.15:31578', server: '198.51.100.24:1521', firstDropUs: T0_US + 8e6 });
  });

  it('the revealing drop decides firstDropKeepAliveShaped: a probe then a RST, or a request then probes', () => {
    const [probed, requested] = storySessions(2) as [JoinedSessionView, JoinedSessionView];
    const end = probed.endUs!;
    const rst = drop('198.51.100.24/1521', '192.0.2.15/31578', { flags: ['RST', 'ACK'], tUs: end + 700e6 });
    const request = drop('192.0.2.15/31579', '198.51.100.24/1521', { flags: ['PSH', 'ACK'], tUs: end + 1e6 });
    const r = classifyDrops({ sessions: [{ ...probed, drops: [...probed.drops, rst] }, { ...requested, drops: [request, ...requested.drops] }], unmatchedDrops: [] });
    expect(r.revealed.map((g) => [g.drops, g.keepAliveShapedDrops, g.firstDropKeepAliveShaped])).toEqual([[3, 2, true], [3, 2, false]]);
  });

  it('a closed session followed by drops is expired state with no gap to reveal', () => {
    const s = { ...storySessions(1)[0]!, endReason: 'fin' as const, revealedGapSeconds: null };
    const r = classifyDrops({ sessions: [s], unmatchedDrops: [] });
    expect(r.totals['expired-state']).toEqual({ packets: 2, sessions: 1 });
    expect(r.revealed[0]?.gapSeconds).toBeNull();
  });

  it('a SYN reusing an ended session is a policy denial', () => {
    const s = storySessions(1)[0]!;
    const syn = drop('192.0.2.15/31578', '198.51.100.24/1521', { flags: ['SYN'] });
    const r = classifyDrops({ sessions: [{ ...s, drops: [syn] }], unmatchedDrops: [] });
    expect(r.drops[0]).toMatchObject({ dropClass: 'policy', reason: 'syn', direction: 'to-server' });
    expect(r.revealed).toHaveLength(0);
  });

  it('without sessions: a server port reaching several client ports is the server (1521 is not a system port)', () => {
    const ds = [31578, 31600, 40001].map((p) => drop('198.51.100.24/1521', `192.0.2.15/${p}`, { kind: 'logged', flags: ['ACK', 'PSH'], ipLengthBytes: 49 }));
    const r = classifyDrops({ sessions: [], unmatchedDrops: ds });
    expect(r.drops.map((d) => [d.dropClass, d.reason, d.direction, d.keepAliveShaped])).toEqual(Array(3).fill(['expired-state', 'server-to-ephemeral', 'from-server', false]));
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({ service: { serverAddr: '198.51.100.24', serverPort: 1521 }, packets: 3, sessions: 3 });
  });

  it('without sessions: a system port against an ephemeral one; one lone pair of high ports stays unknown', () => {
    const https = drop('198.51.100.7/443', '192.0.2.15/50123', { kind: 'logged', flags: ['ACK'] });
    const lone = drop('192.0.2.40/5000', '192.0.2.41/6000', { kind: 'logged', flags: ['ACK'] });
    const r = classifyDrops({ sessions: [], unmatchedDrops: [https, lone] });
    expect(r.drops.map((d) => [d.dropClass, d.reason])).toEqual([['expired-state', 'server-to-ephemeral'], ['unknown', 'no-direction']]);
  });

  it('a "no connection" ACK from a client to a service with logged sessions is expired state', () => {
    const s = { ...storySessions(1)[0]!, drops: [] };
    const ack = drop('192.0.2.99/45000', '198.51.100.24/1521', { flags: ['ACK'] });
    const r = classifyDrops({ sessions: [s], unmatchedDrops: [ack] });
    expect(r.drops[0]).toMatchObject({ dropClass: 'expired-state', reason: 'to-known-service', direction: 'to-server' });
  });

  it('policy verdicts, SYN-ACKs and UDP', () => {
    const pfBlock = drop('203.0.113.5/5353', '192.0.2.1/5353', { kind: 'policy', protocol: 'udp', flags: null });
    const synAck = drop('198.51.100.24/1521', '192.0.2.15/31578', { flags: ['SYN', 'ACK'], kind: 'logged' });
    const r = classifyDrops({ sessions: [], unmatchedDrops: [pfBlock, synAck] });
    expect(r.drops.map((d) => [d.dropClass, d.reason])).toEqual([['policy', 'policy-verdict'], ['unknown', 'syn-ack']]);
  });
});

describe('keepAliveShape', () => {
  it('exact payload, IPv4 and IPv6 length bounds, flags alone', () => {
    expect(keepAliveShape(drop('a/1', 'b/2', { payloadBytes: 1 }))).toBe('payload');
    expect(keepAliveShape(drop('a/1', 'b/2', { payloadBytes: 9 }))).toBeNull();
    expect(keepAliveShape(drop('10.0.0.1/1', 'b/2', { ipLengthBytes: 41 }))).toBe('ip-length');
    expect(keepAliveShape(drop('10.0.0.1/1', 'b/2', { ipLengthBytes: 52 }))).toBeNull();
    expect(keepAliveShape(drop('2001:db8::1/1', 'b/2', { ipLengthBytes: 60 }))).toBe('ip-length');
    expect(keepAliveShape(drop('a/1', 'b/2', { flags: ['ACK'] }))).toBe('flags');
    expect(keepAliveShape(drop('a/1', 'b/2', { flags: ['ACK', 'PSH'] }))).toBeNull();
    expect(keepAliveShape(drop('a/1', 'b/2', { flags: ['ACK', 'FIN'], payloadBytes: 0 }))).toBeNull();
    expect(keepAliveShape(drop('a/1', 'b/2', { flags: null }))).toBeNull();
  });
});
