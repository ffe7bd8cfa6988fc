// The committed samples are exactly what scripts/make-samples.mjs writes, and tshark (the
// oracle for packet facts) counts in them what the generator declares in MANIFEST.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface TcpTruth {
  tcpStream: number;
  client: string;
  server: string;
  packets: number;
  keepAliveProbes: number;
  keepAliveAcks: number;
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
interface Manifest {
  samples: SampleTruth[];
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
  const files = [...committed.samples.map((s) => s.file), 'MANIFEST.json', 'README.md'];
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
