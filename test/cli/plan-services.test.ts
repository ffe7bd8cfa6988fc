/**
 * Per-service figures and the memory breakdown as a user sees them on the story's sample: JSON,
 * the text table's per-service block, `--format csv --per-service`, and the memory columns.
 * At 1 h the database (198.51.100.24:1521, 24 sessions) loses 15 of them, 14 by a dropped
 * keep-alive; at 2h30m none. The services' mean entries add up to the table's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../helpers/cli.js';

const ARGS = ['plan', 'samples/oracle-pool.pcap', '--timeouts', '3600,9000', '--current', '3600', '--no-interactive'];

describe('fwtp plan per service, and memory apart from the fixed cost', () => {
  beforeAll(() => ensureBuilt());

  it('JSON: candidates[].services[] and candidates[].memory', () => {
    const r = runCli([...ARGS, '--format', 'json']);
    expect(r.status).toBe(0);
    const [at3600, at9000] = JSON.parse(r.stdout).candidates;
    const db = at3600.services.find((s: { service: { serverPort: number } }) => s.service.serverPort === 1521);
    expect(db).toMatchObject({
      service: { protocol: 'tcp', serverAddr: '198.51.100.24', serverPort: 1521 }, sessions: 24, sessionsWithDrops: 15, droppedKeepAlives: 135,
      brokenByKind: { keepAlive: 14, data: 1, close: 0 }, tableEntries: { peak: 20 }, memoryBytes: { peak: 20 * 256 },
    });
    expect(at3600.services.map((s: { sessions: number }) => s.sessions)).toEqual([32, 24, 24]);
    const sum = (c: { services: Array<{ tableEntries: { mean: number } }> }): number => c.services.reduce((a, s) => a + s.tableEntries.mean, 0);
    expect(sum(at3600)).toBeCloseTo(at3600.tableEntries.mean, 9);
    expect(sum(at9000)).toBeCloseTo(at9000.tableEntries.mean, 9);
    expect(at9000.services.every((s: { sessionsWithDrops: number }) => s.sessionsWithDrops === 0)).toBe(true);
    expect(at3600.memory).toMatchObject({ bytesPerEntry: 256, fixedBytes: 2097152, entryBytesPeak: 22 * 256, currentSeconds: 3600, changeFromCurrentBytes: { mean: 0, peak: 0 } });
    expect(at9000.memory.totalBytesPeak).toBe(at9000.memoryBytes.peak);
    expect(at9000.memory.changeFromCurrentBytes.mean).toBeCloseTo((at9000.tableEntries.mean - at3600.tableEntries.mean) * 256, 6);
  });

  it('text: entry memory and its change, the fixed cost said once, a per-service block', () => {
    const r = runCli(ARGS);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('entry memory  vs current');
    expect(r.stdout).toContain("the table's fixed cost (2.00 MiB, the hash buckets) comes on top of every candidate");
    expect(r.stdout).toContain('at 1h (3600 s), per service (the 3 with the most sessions):');
    expect(r.stdout).toMatch(/tcp 198\.51\.100\.24:1521 +24 +15 +135 +14\/1\/0 +4\.01 +20 +5\.00 KiB/);
  });

  it('CSV: memory columns appended; --per-service gives one row per candidate and service', () => {
    const plain = runCli([...ARGS, '--format', 'csv']).stdout.trim().split('\n');
    expect(plain[0]).toMatch(/,keepalive,entry_memory_mean_bytes,entry_memory_peak_bytes,fixed_bytes,current_timeout_s,entry_memory_change_mean_bytes,entry_memory_change_peak_bytes$/);
    const rows = runCli([...ARGS, '--format', 'csv', '--per-service']).stdout.trim().split('\n');
    expect(rows).toHaveLength(1 + 2 * 3);
    expect(rows[0]).toBe('timeout_s,protocol,server_address,server_port,sessions,sessions_with_drops,dropped_keepalives,broken_keepalive,broken_data,broken_close,entries_mean,entries_peak,entry_memory_mean_bytes,entry_memory_peak_bytes,platform');
    expect(rows.find((l) => l.startsWith('3600,tcp,198.51.100.24,1521,'))).toMatch(/^3600,tcp,198\.51\.100\.24,1521,24,15,135,14,1,0,[0-9.]+,20,[0-9.]+,5120,linux$/);
  });
});
