// The committed samples are exactly what scripts/make-samples.mjs writes, and tshark (the
// oracle for packet facts) counts in them what the generator declares in MANIFEST.json. The
// firewall's logs of the firewalled capture: fwtp's reader counts in them what the manifest
// declares, and `fwtp drops` / `fwtp plan` on them give the story's figures.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFirewallLog } from '../../src/ingest/fwlog/index.js';
import { keepAliveShape } from '../../src/flows/drop-classes.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';

interface TcpTruth {
  tcpStream: number;
  client: string;
  server: string;
  packets: number;
  keepAliveProbes: number;
  keepAliveAcks: number;
  firstMicros: number;
}
interface SampleTruth {
  file: string;
  frames: number;
  tcpStreams: number;
  udpStreams: number;
  keepAliveProbes: number;
  keepAliveAcks: number;
  tcp: TcpTruth[];
}
interface ConnectionTruth {
  connectionId: number;
  client: string;
  built: number;
  teardown: number | null;
  reason: string | null;
  drops: number;
  firstDrop: { time: number; from: 'server' | 'client'; flags: string } | null;
  revealedIdleSeconds: number | null;
}
interface TeardownLogTruth {
  file: string;
  capture: string;
  lines: number;
  built: number;
  teardowns: Record<string, number>;
  stillOpen: number;
  connections: ConnectionTruth[];
}
interface DropsLogTruth {
  file: string;
  lines: number;
  drops: number;
  dropSessions: number;
  fromServer: { keepAliveProbes: number; resets: number; other: number };
  fromClient: { requests: number; retransmissions: number; other: number };
  firstDropKeepAlive: number;
  firstDropData: number;
}
interface Manifest {
  samples: SampleTruth[];
  firewallLogs: [TeardownLogTruth, DropsLogTruth];
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const samplesDir = path.join(root, 'samples');
const committed = JSON.parse(fs.readFileSync(path.join(samplesDir, 'MANIFEST.json'), 'utf8')) as Manifest;
const tsharkAvailable = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
if (!tsharkAvailable) console.warn('tshark not found: skipping the tshark checks of samples/ (apt-get install tshark)');

let outDir = '';
let regenerated: Manifest;

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwtp-samples-'));
  const run = spawnSync(process.execPath, [path.join(root, 'scripts/make-samples.mjs'), '--out', outDir, '--json'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  regenerated = JSON.parse(run.stdout) as Manifest;
});

afterAll(() => {
  if (outDir !== '') fs.rmSync(outDir, { recursive: true, force: true });
});

describe('make-samples.mjs is deterministic and matches samples/', () => {
  const files = [...committed.samples.map((s) => s.file), ...committed.firewallLogs.map((l) => l.file), 'MANIFEST.json', 'README.md'];
  it.each(files)('%s is byte-identical to a fresh run', (file) => {
    const fresh = fs.readFileSync(path.join(outDir, file));
    const kept = fs.readFileSync(path.join(samplesDir, file));
    expect(fresh.length).toBe(kept.length);
    expect(fresh.equals(kept)).toBe(true);
  });

  it('declares the three samples with the story counts', () => {
    expect(regenerated.samples.map((s) => s.file)).toEqual(['oracle-pool.pcap', 'oracle-pool-unanswered.pcap', 'mixed-small.pcapng']);
    const baseline = regenerated.samples[0]!, unanswered = regenerated.samples[1]!;
    // Baseline: every probe is answered; behind the expiring firewall none is, 9 per RST.
    expect(baseline.keepAliveAcks).toBe(baseline.keepAliveProbes);
    expect(baseline.keepAliveProbes).toBeGreaterThan(0);
    expect(unanswered.keepAliveAcks).toBe(0);
    expect(unanswered.keepAliveProbes % 9).toBe(0);
  });
});

/** One tshark pass: per-frame fields, checksums verified. */
function tsharkRows(file: string): string[][] {
  const run = spawnSync('tshark', [
    '-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
    '-T', 'fields', '-E', 'separator=/t',
    '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'udp.stream', '-e', 'tcp.analysis.flags',
    '-e', 'tcp.analysis.keep_alive', '-e', 'tcp.analysis.keep_alive_ack', '-e', '_ws.malformed',
    '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status',
    '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack',
  ], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

const tsharkDescribe = tsharkAvailable ? describe : describe.skip;

tsharkDescribe('tshark agrees with the generator', () => {
  it.each(committed.samples.map((s) => s.file))('%s', (file) => {
    const truth = regenerated.samples.find((s) => s.file === file)!;
    const rows = tsharkRows(path.join(samplesDir, file));
    const present = (column: number) => rows.filter((r) => r[column] !== '').length;
    const distinct = (column: number) => new Set(rows.map((r) => r[column]).filter((v) => v !== '')).size;

    expect(rows.length).toBe(truth.frames);
    expect(distinct(1)).toBe(truth.tcpStreams);
    expect(distinct(2)).toBe(truth.udpStreams);
    expect(present(4)).toBe(truth.keepAliveProbes);
    expect(present(5)).toBe(truth.keepAliveAcks);
    // Nothing else odd: no retransmissions, duplicate ACKs, lost or unseen segments.
    expect(rows.filter((r) => r[3] !== '' && r[4] === '' && r[5] === '').map((r) => r[0])).toEqual([]);
    expect(present(6)).toBe(0);
    // Checksum status 1 = good (IPv4 always, TCP or UDP per frame).
    expect(rows.filter((r) => r[7] !== '1' || (r[8] !== '1' && r[9] !== '1')).map((r) => r[0])).toEqual([]);

    // Per stream: the client (sender of the SYN), packets and keep-alives as declared.
    for (const flow of truth.tcp) {
      const stream = rows.filter((r) => r[1] === String(flow.tcpStream));
      const syn = stream.find((r) => r[12] === '1' && r[13] === '0')!;
      expect(`${syn[10]}:${syn[11]}`).toBe(flow.client);
      expect(stream.length).toBe(flow.packets);
      expect(stream.filter((r) => r[4] !== '').length).toBe(flow.keepAliveProbes);
      expect(stream.filter((r) => r[5] !== '').length).toBe(flow.keepAliveAcks);
    }
  });
});

describe('the firewall logs agree with the generator and the capture', () => {
  const [teardown, drops] = committed.firewallLogs;
  const read = (file: string) => readFirewallLog(fs.readFileSync(path.join(samplesDir, file), 'utf8'), {}, file);
  const capture = committed.samples.find((x) => x.file === teardown.capture)!;

  it('fwtp reads the teardown log as the manifest counts it: Built, Teardown by reason, device years', () => {
    const r = read(teardown.file);
    expect([r.vendor, r.linesRead, r.unreadableCount, r.notNeededLines]).toEqual(['cisco-asa', teardown.lines, 0, 0]);
    expect(r.records.filter((x) => x.type === 'session-start').length).toBe(teardown.built);
    const reasons: Record<string, number> = {};
    for (const x of r.records) if (x.type === 'session-end') reasons[x.rawReason] = (reasons[x.rawReason] ?? 0) + 1;
    expect(reasons).toEqual(Object.fromEntries(Object.entries(teardown.teardowns).filter(([, n]) => n > 0)));
    expect(r.records.some((x) => x.yearInferred)).toBe(false);
    // One connection per TCP stream of the capture, built the instant its SYN crossed the firewall (125 us before the database host saw it).
    expect(teardown.connections.map((c) => c.client).sort()).toEqual(capture.tcp.map((f) => f.client).sort());
    for (const c of teardown.connections) {
      const stream = capture.tcp.find((f) => f.client === c.client)!;
      expect(c.built).toBe(Math.floor((stream.firstMicros - 125) / 1e6));
    }
  });

  it('fwtp reads the drop log as the manifest counts it: probes, RSTs, the app\'s requests', () => {
    const r = read(drops.file);
    expect([r.vendor, r.linesRead, r.unreadableCount]).toEqual(['cisco-asa', drops.lines, 0]);
    const ds = r.records.filter((x) => x.type === 'drop');
    expect(ds.length).toBe(drops.drops);
    expect(ds.filter((d) => keepAliveShape(d) !== null).length).toBe(drops.fromServer.keepAliveProbes);
    expect(ds.filter((d) => d.tcpFlags?.includes('RST')).length).toBe(drops.fromServer.resets);
    expect(ds.filter((d) => d.src.address === '192.0.2.10').length).toBe(drops.fromClient.requests + drops.fromClient.retransmissions + drops.fromClient.other);
    // Every probe the capture shows unanswered died in the firewall.
    expect(drops.fromServer.keepAliveProbes).toBe(capture.keepAliveProbes);
  });

  describe('fwtp on both logs', () => {
    beforeAll(() => ensureBuilt());
    const logs = [teardown.file, drops.file].map((f) => path.join('samples', f));

    it('drops: every drop expired state, each session once, gaps as the generator reveals them', () => {
      const r = runCli(['drops', ...logs, '--format', 'json']);
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.totals.drops).toBe(drops.drops);
      expect(j.totals.expiredState).toEqual({ packets: drops.drops, sessions: drops.dropSessions });
      expect(j.inputs.map((i: { sessionStarts: number; sessionEnds: number; drops: number }) => [i.sessionStarts, i.sessionEnds, i.drops])).toEqual([
        [teardown.built, teardown.built - teardown.stillOpen, 0], [0, 0, drops.drops],
      ]);
      expect(j.revealed).toMatchObject({ sessions: drops.dropSessions, withGap: drops.dropSessions, revealedByKeepAlive: drops.firstDropKeepAlive, allKeepAlive: true });
      const truth = new Map(teardown.connections.map((c) => [c.client, c]));
      for (const row of j.revealed.rows as Array<{ client: string; gapSeconds: number; drops: number; revealedByKeepAlive: boolean }>) {
        const c = truth.get(row.client)!;
        expect([row.gapSeconds, row.drops, row.revealedByKeepAlive]).toEqual([c.revealedIdleSeconds, c.drops, c.firstDrop?.from === 'server' && c.firstDrop.flags === 'ACK']);
      }
      const table = runCli(['drops', ...logs]).stdout;
      expect(table).toContain('14 sessions were idle 2h (7,200 s) when the keep-alive found no state; any timeout of at least 7,333 s keeps them (or an endpoint keep-alive below T = 3,600 s)');
      expect(table).toContain('1 other session was idle 1h32m39s (5,559 s) when a packet found no state; any timeout of at least 5,692 s keeps it (or an endpoint keep-alive below T = 3,600 s)');
    });

    it('plan: the drops reach the teardown log\'s sessions; at 9000 s only a lower bound', () => {
      const r = runCli(['plan', ...logs, '--current', '3600', '--timeouts', '3600,9000', '--format', 'json']);
      expect(r.status, r.stderr).toBe(0);
      const [at3600, at9000] = JSON.parse(r.stdout).candidates;
      expect(at3600).toMatchObject({ sessionsWithDrops: drops.dropSessions, brokenByKind: { keepAlive: drops.firstDropKeepAlive, data: drops.firstDropData, close: 0 } });
      expect(at3600.lowerBound).toBeUndefined();
      expect(at9000).toMatchObject({ sessionsWithDrops: 0, lowerBound: true });
    });
  });
});
