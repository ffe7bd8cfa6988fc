import { describe, expect, it } from 'vitest';
import { flowsFromLog } from '../../src/flows/fwlog-flows.js';
import { FlowEnd, PacketKind, gapDirection, gapKind } from '../../src/flows/types.js';
import { readFirewallLog } from '../../src/ingest/fwlog/index.js';

const us = (iso: string): number => Date.parse(iso) * 1000;

describe('flowsFromLog', () => {
  const lines = [
    // Aged out, then the server's bare ACK (a keep-alive) 125 s after the teardown: gap 3725 s.
    'Nov 25 2026 09:00:00: %ASA-6-302013: Built outbound TCP connection 1 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31578 (192.0.2.15/31578)',
    'Nov 25 2026 10:00:05: %ASA-6-302014: Teardown TCP connection 1 for db:198.51.100.24/1521 to app:192.0.2.15/31578 duration 1:00:05 bytes 900 Conn-timeout',
    'Nov 25 2026 10:02:10: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/31578 flags ACK  on interface db',
    // Aged out, nothing after: censored at T.
    'Nov 25 2026 09:10:00: %ASA-6-302013: Built outbound TCP connection 2 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31579 (192.0.2.15/31579)',
    'Nov 25 2026 10:30:00: %ASA-6-302014: Teardown TCP connection 2 for db:198.51.100.24/1521 to app:192.0.2.15/31579 duration 1:20:00 bytes 10 Conn-timeout',
    // Closed by FIN.
    'Nov 25 2026 09:20:00: %ASA-6-302013: Built outbound TCP connection 3 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31580 (192.0.2.15/31580)',
    'Nov 25 2026 09:25:00: %ASA-6-302014: Teardown TCP connection 3 for db:198.51.100.24/1521 to app:192.0.2.15/31580 duration 0:05:00 bytes 10 TCP FINs',
  ];
  it('gives a flow per session: exact revealed gap, censored idle end, closed session without gaps', () => {
    const r = readFirewallLog(lines.join('\n') + '\n', {}, 'asa.log');
    const f = flowsFromLog(r.records, 'asa.log', { timeoutSeconds: () => 3600, gapFloorUs: 1e6 });
    expect(f.stats).toEqual({ sessions: 3, idleEnded: 2, revealed: 1, closed: 1, open: 0, unmatchedDrops: 0, longestSeconds: 3730 });
    const fs = f.flows;
    expect(fs.count).toBe(3);
    expect(Array.from(fs.firstUs)).toEqual([us('2026-11-25T09:00:00Z'), us('2026-11-25T09:10:00Z'), us('2026-11-25T09:20:00Z')]);
    expect(Array.from(fs.lastUs)).toEqual([us('2026-11-25T10:02:10Z'), us('2026-11-25T09:30:00Z'), us('2026-11-25T09:25:00Z')]);
    expect(Array.from(fs.end)).toEqual([FlowEnd.Rst, FlowEnd.Evicted, FlowEnd.Fin]);
    expect(Array.from(fs.gapOffset)).toEqual([0, 1, 1, 1]);
    expect((fs.gapEndUs[0]! - fs.gapStartUs[0]!) / 1e6).toBe(3725);
    expect(gapKind(fs.gapInfo[0]!)).toBe(PacketKind.KeepAliveProbe);
    expect(gapDirection(fs.gapInfo[0]!)).toBe(1);
    expect(fs.addresses[fs.clientAddr[0]!]).toBe('192.0.2.15');
    expect(fs.serverPort[0]).toBe(1521);
    expect(f.distribution.count).toBe(1);
    expect(Array.from(f.distribution.censoredSeconds)).toEqual([3600]);
    expect(fs.windowStartUs).toBe(us('2026-11-25T09:00:00Z'));
    expect(fs.windowEndUs).toBe(us('2026-11-25T10:30:00Z'));
  });

  it('a drop stamped before its teardown (reordered lines) still gives a gap above T: the session breaks at T', () => {
    const r = readFirewallLog([
      'Nov 25 2026 09:00:00: %ASA-6-302013: Built outbound TCP connection 7 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31600 (192.0.2.15/31600)',
      'Nov 25 2026 10:00:04: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/31600 flags ACK  on interface db',
      'Nov 25 2026 10:00:05: %ASA-6-302014: Teardown TCP connection 7 for db:198.51.100.24/1521 to app:192.0.2.15/31600 duration 1:00:05 bytes 900 Conn-timeout',
    ].join('\n') + '\n', {}, 'asa.log');
    const fs = flowsFromLog(r.records, 'asa.log', { timeoutSeconds: () => 3600, gapFloorUs: 1e6 }).flows;
    // Last packet 09:00:05 (end - T); the drop's stamp says 3599 s later, but it came after the
    // expiry at 10:00:05: the gap is T + 1 µs.
    expect((fs.gapEndUs[0]! - fs.gapStartUs[0]!) / 1e6).toBe(3600.000001);
  });
});
