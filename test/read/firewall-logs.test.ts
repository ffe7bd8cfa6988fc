// Firewall logs among other inputs (issue 13, items 5 and 8): readInputs recognises a log by its
// content, mixes it with a capture into one FlowSet, and says where year, zone and T came from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs } from '../../src/read/inputs.js';
import type { FirewallLogSummary } from '../../src/read/firewall-logs.js';
import { pcapFile, TCP_ACK, TCP_SYN } from '../helpers/pcapbuild.js';
import { tcpPacket } from '../helpers/traffic.js';

let dir = '';
const T0 = 1_700_000_000;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fwtp-fwlog-read-'));
  // Yearless BSD dates (no `logging timestamp` year): the year comes from --year or the file's time.
  writeFileSync(join(dir, 'asa.log'), [
    '<166>Mar  3 09:00:00 fw : %ASA-6-302013: Built outbound TCP connection 9 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31578 (192.0.2.15/31578)',
    '<166>Mar  3 09:10:00 fw : %ASA-6-302014: Teardown TCP connection 9 for db:198.51.100.24/1521 to app:192.0.2.15/31578 duration 0:10:00 bytes 100 TCP FINs',
    '',
  ].join('\n'));
  utimesSync(join(dir, 'asa.log'), new Date('2025-06-01T00:00:00Z'), new Date('2025-06-01T00:00:00Z'));
  const rec = (s: number, data: Buffer) => ({ sec: T0 + s, nsec: 0, data });
  writeFileSync(join(dir, 'cap.pcap'), pcapFile([
    rec(0, tcpPacket({ src: '192.0.2.10', dst: '198.51.100.7', sport: 40000, dport: 443, seq: 1, flags: TCP_SYN })),
    rec(1, tcpPacket({ src: '198.51.100.7', dst: '192.0.2.10', sport: 443, dport: 40000, seq: 9, ack: 2, flags: TCP_SYN | TCP_ACK })),
  ], { linkType: 1 }));
});

afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

describe('readInputs with firewall logs', () => {
  it('mixes a log with a capture; the year from the file time, said; zone UTC, said; T from the option', async () => {
    const r = await readInputs([join(dir, 'cap.pcap'), join(dir, 'asa.log')], {
      logTimeout: () => ({ seconds: () => 1800, source: '--current 1800 s' }),
    });
    expect(r.flows.count).toBe(2);
    expect(r.inputs.map((i) => i.format)).toEqual(['pcap', 'firewall-log/cisco-asa']);
    const log = r.inputs[1] as FirewallLogSummary;
    expect(log.firewallLog).toMatchObject({ lines: 2, records: 2, year: { value: 2025, source: 'file-time' }, tz: 'UTC', timeoutSeconds: { tcp: 1800 } });
    expect(log.warnings).toContain("dates without a year read as 2025 (the file's modification time; pass --year to set it)");
    expect(log.warnings).toContain('timeout in force for the join: tcp 1800 s (--current 1800 s)');
    expect(r.firewallLogs).toEqual([expect.objectContaining({ vendor: 'cisco-asa', stats: expect.objectContaining({ sessions: 1, closed: 1 }) })]);
    const i = Array.from(r.flows.serverPort).indexOf(1521);
    expect(r.flows.firstUs[i]).toBe(Date.parse('2025-03-03T09:00:00Z') * 1000);
  });
  it('--year and --tz set the date of yearless, zoneless lines', async () => {
    const r = await readInputs([join(dir, 'asa.log')], { year: 2024, tz: '+02:00' });
    const log = r.inputs[0] as FirewallLogSummary;
    expect(log.firewallLog.year).toEqual({ value: 2024, source: 'option' });
    expect(r.flows.firstUs[0]).toBe(Date.parse('2024-03-03T07:00:00Z') * 1000);
    expect(r.flows.lastUs[0]).toBe(Date.parse('2024-03-03T07:10:00Z') * 1000);
  });
});
