/**
 * The parallel read of one capture file (src/read/parallel-capture.ts) gives exactly the one-thread
 * read's output: `fwtp gaps --format json` (and its warnings) with --threads 1 and --threads 2,
 * the threshold forced down (FWTP_PARALLEL_MIN_BYTES=0) so that small files take the parallel
 * path; and that path is really taken (readCaptureParallel answers, rather than falling back).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { pcapFile, pcapHeader, PROTO_TCP, TCP_ACK, TCP_FIN, TCP_SYN, tcpFrame, udpFrame, ipv4, ethernet } from '../helpers/pcapbuild.js';
import { readCaptureParallel } from '../../src/read/parallel-capture.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/pcap/zeek-traces/', import.meta.url));
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`corpus absent (${CORPUS}): parallel read corpus tests skipped`);
const itCorpus = haveCorpus ? it : it.skip;

const FORCE = { FWTP_PARALLEL_MIN_BYTES: '0' };

/** gaps --format json (stdout and stderr) with one thread and with two. */
function bothWays(path: string): { one: ReturnType<typeof runCli>; two: ReturnType<typeof runCli> } {
  const args = ['gaps', path, '--format', 'json', '--by', 'flow', '--top', '1000'];
  return { one: runCli([...args, '--threads', '1'], { env: FORCE }), two: runCli([...args, '--threads', '2'], { env: FORCE }) };
}

interface Rec { sec: number; nsec: number; data: Buffer }

/**
 * Generated traffic: TCP sessions (handshake, idle gaps, keep-alive-like probes, FIN) and UDP
 * exchanges over many address pairs (so both shards get flows), a first and a later IPv4
 * fragment, times interleaved across flows.
 */
function traffic(): Rec[] {
  const recs: Rec[] = [];
  for (let f = 0; f < 120; f++) {
    const c = `10.0.${f % 7}.${1 + f}`;
    const s = `192.0.2.${1 + (f % 11)}`;
    const sport = 40000 + f;
    const t0 = 1_700_000_000 + f * 3;
    const at = (dt: number, data: Buffer): void => { recs.push({ sec: t0 + Math.floor(dt), nsec: Math.round((dt % 1) * 1e6) * 1000, data }); };
    if (f % 3 === 2) {
      at(0, udpFrame({ src: c, dst: s, sport, dport: 53, payload: 30 }));
      at(0.01, udpFrame({ src: s, dst: c, sport: 53, dport: sport, payload: 60 }));
      at(40 + f, udpFrame({ src: c, dst: s, sport, dport: 53, payload: 30 }));
      continue;
    }
    at(0, tcpFrame({ src: c, dst: s, sport, dport: 443, seq: 1000, flags: TCP_SYN }));
    at(0.001, tcpFrame({ src: s, dst: c, sport: 443, dport: sport, seq: 5000, ack: 1001, flags: TCP_SYN | TCP_ACK }));
    at(0.002, tcpFrame({ src: c, dst: s, sport, dport: 443, seq: 1001, ack: 5001, flags: TCP_ACK, payload: 100 }));
    at(0.003, tcpFrame({ src: s, dst: c, sport: 443, dport: sport, seq: 5001, ack: 1101, flags: TCP_ACK }));
    // A keep-alive probe (one byte before the next expected sequence number) and its answer.
    at(60 + f, tcpFrame({ src: c, dst: s, sport, dport: 443, seq: 1100, ack: 5001, flags: TCP_ACK, payload: 1 }));
    at(60.001 + f, tcpFrame({ src: s, dst: c, sport: 443, dport: sport, seq: 5001, ack: 1101, flags: TCP_ACK }));
    if (f % 4 !== 0) {
      at(200 + f * 2, tcpFrame({ src: c, dst: s, sport, dport: 443, seq: 1101, ack: 5001, flags: TCP_FIN | TCP_ACK }));
      at(200.001 + f * 2, tcpFrame({ src: s, dst: c, sport: 443, dport: sport, seq: 5001, ack: 1102, flags: TCP_FIN | TCP_ACK }));
    }
  }
  // A fragmented datagram: the first fragment (ports) and a later one (no ports).
  const seg = Buffer.alloc(40);
  recs.push({ sec: 1_700_000_100, nsec: 0, data: ethernet(ipv4({ src: '198.51.100.1', dst: '203.0.113.9', proto: PROTO_TCP, payload: seg, id: 77, moreFragments: true })) });
  recs.push({ sec: 1_700_000_100, nsec: 1000, data: ethernet(ipv4({ src: '198.51.100.1', dst: '203.0.113.9', proto: PROTO_TCP, payload: seg, id: 77, fragmentOffset: 40 })) });
  return recs.sort((a, b) => a.sec - b.sec || a.nsec - b.nsec);
}

describe('a capture read on two threads gives the one-thread output', () => {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fwtp-parallel-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  itCorpus('a corpus capture (pcap) and a gzip one', async () => {
    for (const name of ['smb_smb3_multichannel.pcap', 'echo-connections.pcap.gz']) {
      const path = join(CORPUS, name);
      const { one, two } = bothWays(path);
      expect(one.status, one.stderr).toBe(0);
      expect(JSON.parse(one.stdout).flows.total, name).toBeGreaterThan(1);
      expect(two.stdout, name).toBe(one.stdout);
      expect(two.stderr, name).toBe(one.stderr);
      expect(await readCaptureParallel(path, 2, { tracker: {} }), `${name}: the parallel path fell back`).not.toBeNull();
    }
  }, 60_000);

  it('a generated capture with damage at the end, and one cut short', async () => {
    const o = { linkType: 1 }; // LINKTYPE_ETHERNET
    const whole = pcapFile(traffic(), o);
    // Damage: a record header that claims more bytes than any snaplen allows.
    const bad = Buffer.alloc(16);
    bad.writeUInt32LE(1_700_000_900, 0);
    bad.writeUInt32LE(0x7fffffff, 8);
    bad.writeUInt32LE(0x7fffffff, 12);
    const cases = {
      'damaged.pcap': Buffer.concat([whole, bad, Buffer.alloc(64, 0xee)]),
      'cut.pcap': whole.subarray(0, whole.length - 7),
    };
    expect(pcapHeader(o).length).toBe(24);
    for (const [name, bytes] of Object.entries(cases)) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const { one, two } = bothWays(path);
      expect(one.status, one.stderr).toBe(0);
      const doc = JSON.parse(one.stdout) as { flows: { total: number }; inputs: Array<{ truncated: boolean }> };
      expect(doc.flows.total).toBeGreaterThan(100);
      expect(doc.inputs[0]!.truncated, name).toBe(true);
      expect(one.errLines.filter((l) => /damaged at byte|truncated|cut/i.test(l)).length, `${name}: ${one.stderr}`).toBeGreaterThan(0);
      expect(two.stdout, name).toBe(one.stdout);
      // The damage is reported once, as on one thread.
      expect(two.stderr, name).toBe(one.stderr);
      expect(await readCaptureParallel(path, 2, { tracker: {} }), `${name}: the parallel path fell back`).not.toBeNull();
    }
  }, 60_000);
});
