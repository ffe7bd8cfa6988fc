// Hostile inputs at the command line (the built binary): file names with escape sequences,
// --debug, outputs that are inputs (also through a symlink), --max-flows, --max-decompressed,
// output writes that fail; and, in process, that absurd length fields are refused before any
// allocation (docs/LIMITS.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BIN, ensureBuilt, runCli } from '../helpers/cli.js';
import { ethernet, pcapFile, pcapngBlock, pcapngIdb, pcapngShb, udp, ipv4, PROTO_UDP, type PcapRecord } from '../helpers/pcapbuild.js';
import { PcapParser, PCAP_MAX_RECORD } from '../../src/ingest/pcap.js';
import { PcapngParser, PCAPNG_MAX_BLOCK } from '../../src/ingest/pcapng.js';
import { FwtpError } from '../../src/util/errors.js';

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const T0 = 1_700_000_000;

let dir = '';

function udpRecord(seconds: number, src: string, dst: string, sport: number): PcapRecord {
  const frame = ethernet(ipv4({ src, dst, proto: PROTO_UDP, payload: udp({ sport, dport: 53, payload: 8 }) }));
  return { sec: T0 + seconds, nsec: 0, data: frame };
}

/** Three UDP flows A, B, C, then A again: with --max-flows 2, C evicts A and A's return evicts B. */
const lruPcap = (): Buffer => pcapFile([
  udpRecord(0, '192.0.2.1', '198.51.100.1', 1001),
  udpRecord(1, '192.0.2.2', '198.51.100.1', 1002),
  udpRecord(2, '192.0.2.3', '198.51.100.1', 1003),
  udpRecord(3, '192.0.2.1', '198.51.100.1', 1001),
], { linkType: 1 });

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fwtp-fuzz-cli-'));
}, 600_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('file names from the input side reach the terminal cleaned', () => {
  const evilName = 'evil\u001b]0;pwned\u0007\u001b[31m\u202e\nred.pcap';

  it('an error naming such a file is one line without control characters, ending with the code', () => {
    const p = join(dir, evilName);
    writeFileSync(p, Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const r = runCli(['gaps', p]);
    expect(r.status).toBe(1);
    expect(r.errLines).toHaveLength(1);
    expect(r.stderr.slice(0, -1)).not.toMatch(FORBIDDEN);
    expect(r.errLines[0]).toMatch(/^fwtp: .*evil.* red\.pcap: byte 0: not a format fwtp reads .*\[INPUT_UNKNOWN_FORMAT\]$/);
    expect(r.stdout).toBe('');
  });

  it('--debug adds the stack after the line, cleaned too; without it there is none', () => {
    const p = join(dir, evilName);
    const r = runCli(['gaps', p, '--debug']);
    expect(r.status).toBe(1);
    expect(r.errLines[0]).toMatch(/\[INPUT_UNKNOWN_FORMAT\]$/);
    expect(r.errLines.slice(1).some((l) => /^\s+at .*inputs\.js:\d+/.test(l))).toBe(true);
    // eslint-disable-next-line no-control-regex -- the escape/NUL bytes are what the test checks
    expect(r.stderr).not.toMatch(/\u001b/);
    expect(runCli(['gaps', p]).stderr).not.toMatch(/^\s+at /m);
  });

  it('a warning naming such a file is cleaned', () => {
    const p = join(dir, `warn-${evilName}`);
    writeFileSync(p, lruPcap().subarray(0, lruPcap().length - 5));
    const r = runCli(['gaps', p]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: [\s\S]*truncated/);
    expect(r.stderr.replace(/\n/g, '')).not.toMatch(FORBIDDEN);
  });
});

describe('outputs', () => {
  it('an output that is an input is refused (exit 2), also through a symlink, in either direction; nothing is written', () => {
    const real = join(dir, 'victim.pcap');
    const link = join(dir, 'link-to-victim.pcap');
    const bytes = lruPcap();
    writeFileSync(real, bytes);
    symlinkSync(real, link);
    for (const [input, output] of [[real, link], [link, real], [real, `${dir}/sub/../victim.pcap`]] as Array<[string, string]>) {
      if (output.includes('/sub/')) mkdirSync(join(dir, 'sub'), { recursive: true });
      const r = runCli(['gaps', input, '--format', 'json', '-o', output]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.errLines).toHaveLength(1);
      expect(r.errLines[0]).toMatch(/\[CLI_OUTPUT_IS_INPUT\]$/);
      expect(readFileSync(real).equals(bytes)).toBe(true);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an output that cannot be renamed into place (a directory) leaves it as it was and no temporary file', () => {
    const out = join(dir, 'out-is-a-dir');
    mkdirSync(join(out, 'inside'), { recursive: true });
    const p = join(dir, 'lru.pcap');
    writeFileSync(p, lruPcap());
    const r = runCli(['gaps', p, '--format', 'json', '-o', out]);
    expect(r.status).not.toBe(0);
    expect(r.errLines).toHaveLength(1);
    expect(readdirSync(out)).toEqual(['inside']);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  // A write cut short (here by a file-size limit, as by a full disk) must fail and leave the old file.
  it('a write cut short leaves the old file intact and no temporary file', () => {
    const out = join(dir, 'limited.json');
    writeFileSync(out, 'OLD CONTENT\n');
    const p = join(dir, 'lru2.pcap');
    writeFileSync(p, lruPcap());
    // ulimit -f counts 512-byte blocks in sh (POSIX): 2 KiB, less than the JSON document.
    const r = spawnSync('sh', ['-c', `ulimit -f 4; exec "${process.execPath}" "${BIN}" gaps "${p}" --format json --by flow -o "${out}"`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(readFileSync(out, 'utf8')).toBe('OLD CONTENT\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(r.status).not.toBe(0);
  });
});

describe('bounds', () => {
  it('--max-flows: the least recently active flow is ended, with a warning that says so', () => {
    const p = join(dir, 'lru3.pcap');
    writeFileSync(p, lruPcap());
    const r = runCli(['gaps', p, '--format', 'json', '--max-flows', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.errLines).toEqual(['fwtp: warning: 2 flows were evicted to stay within --max-flows (least recently active first); their later packets started new flows']);
    const doc = JSON.parse(r.stdout);
    expect(doc.flows.total).toBe(4); // A, B, C and A again
    const unbounded = runCli(['gaps', p, '--format', 'json']);
    expect(unbounded.errLines).toEqual([]);
    expect(JSON.parse(unbounded.stdout).flows.total).toBe(3);
  });

  it('--max-decompressed: a decompression bomb stops with GZIP_TOO_LARGE (exit 1, one line)', () => {
    const bomb = gzipSync(Buffer.concat([pcapFile([], { linkType: 1 }), Buffer.alloc(20_000_000)]), { level: 9 });
    const p = join(dir, 'bomb.pcap.gz');
    writeFileSync(p, bomb);
    const r = runCli(['gaps', p, '--max-decompressed', '1048576']);
    expect(r.status).toBe(1);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(/bomb\.pcap\.gz: decompresses to more than 1048576 bytes .*\[GZIP_TOO_LARGE\]$/);
  });

  it('a pcap record may claim 64 MiB; one byte more is PCAP_RECORD_LENGTH at once, before anything is allocated', () => {
    const header = pcapFile([], { linkType: 1 });
    const recordHeader = (capLen: number): Buffer => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(capLen, 8);
      h.writeUInt32LE(capLen, 12);
      return h;
    };
    const before = process.memoryUsage().arrayBuffers;
    const ok = new PcapParser('max.pcap', { packet: () => undefined });
    ok.feed(Buffer.concat([header, recordHeader(PCAP_MAX_RECORD)]));
    ok.finish();
    expect(ok.stats.truncated).toBe(true); // waiting for 64 MiB that never came
    for (const capLen of [PCAP_MAX_RECORD + 1, 0xffffffff]) {
      const p = new PcapParser('huge.pcap', { packet: () => undefined });
      let err: unknown = null;
      try {
        p.feed(Buffer.concat([header, recordHeader(capLen)]));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FwtpError);
      expect([(err as FwtpError).code, (err as FwtpError).byteOffset]).toEqual(['PCAP_RECORD_LENGTH', 32]);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('a pcapng block may claim 64 MiB; more is PCAPNG_BLOCK_LENGTH at once, before anything is allocated', () => {
    const head = Buffer.concat([pcapngShb(), pcapngIdb(1)]);
    const blockHeader = (len: number): Buffer => {
      const h = Buffer.alloc(12);
      h.writeUInt32LE(6, 0);
      h.writeUInt32LE(len, 4);
      return h;
    };
    const before = process.memoryUsage().arrayBuffers;
    const ok = new PcapngParser('max.pcapng', { packet: () => undefined });
    ok.feed(Buffer.concat([head, blockHeader(PCAPNG_MAX_BLOCK)]));
    ok.finish();
    expect(ok.stats.truncated).toBe(true);
    for (const len of [PCAPNG_MAX_BLOCK + 4, 0xfffffffc]) {
      const p = new PcapngParser('huge.pcapng', { packet: () => undefined });
      let err: unknown = null;
      try {
        p.feed(Buffer.concat([head, blockHeader(len)]));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FwtpError);
      expect([(err as FwtpError).code, (err as FwtpError).byteOffset]).toEqual(['PCAPNG_BLOCK_LENGTH', head.length + 4]);
    }
    // A block's captured length beyond its own length is PCAPNG_PACKET_LENGTH.
    const lying = Buffer.alloc(20);
    lying.writeUInt32LE(0x7fffffff, 12);
    const p = new PcapngParser('lying.pcapng', { packet: () => undefined });
    expect(() => p.feed(Buffer.concat([head, pcapngBlock(6, lying)]))).toThrow(expect.objectContaining({ code: 'PCAPNG_PACKET_LENGTH', byteOffset: head.length + 20 }));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });
});
