// Every failure the fuzzer (scripts/fuzz.mjs) found, as a regression test with its minimised
// input (hex), plus the neighbours found by reading the code around each one. Inputs that must be
// large to trigger the bug (more than a pipe buffer) are generated, deterministically.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FwtpError } from '../../src/util/errors.js';
import { openInput } from '../../src/ingest/source.js';
import { readInputs } from '../../src/read/inputs.js';
import { PcapParser } from '../../src/ingest/pcap.js';
import { PcapngParser } from '../../src/ingest/pcapng.js';
import { readConntrack } from '../../src/ingest/conntrack.js';
import { readFlowExportRecords } from '../../src/ingest/flowexport/index.js';
import { readFlowExport } from '../../src/flows/export-flows.js';
import { MAX_LINE_CHARS } from '../../src/ingest/flowexport/tokenise.js';
import { parseProto } from '../../src/ingest/flowexport/fields.js';
import { STATE_UNKNOWN } from '../../src/flows/records.js';
import type { PacketSink } from '../../src/ingest/packets.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

async function* chunksOf(b: Buffer | string, size = 1 << 20): AsyncGenerator<Buffer> {
  const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  for (let i = 0; i < buf.length; i += size) yield Buffer.from(buf.subarray(i, i + size));
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<FwtpError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FwtpError);
    return e as FwtpError;
  }
  throw new Error('expected an FwtpError');
}

/** Deterministic incompressible bytes (a linear congruential generator). */
function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const PCAP_HEADER = hex('d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000');
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function withTempFile<T>(data: Buffer, run: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'fwtp-regress-'));
  const path = join(dir, 'input');
  writeFileSync(path, data);
  return run(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}


/**
 * CPU time of this process (user + system, ms): the speed checks below catch quadratic work
 * (seconds, not milliseconds), and CPU time does not grow when other processes share the cores,
 * as wall time does (docs/LAB.md, "Timing margins").
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

describe('gzip input (src/ingest/source.ts)', () => {
  // Found as a hang (no answer within the budget) on a mutated gzip capture: when the gunzip
  // stream failed while the pump waited for 'drain', neither ever finished. It needs a write the
  // stream cannot take at once (more than its 16 KiB buffer), hence 40 KB of incompressible data.
  it('corrupt deflate data in a large gzip file: GZIP_CORRUPT, not a hang', async () => {
    const gz = gzipSync(Buffer.concat([PCAP_HEADER, noise(40_000)]));
    gz[100]! ^= 0xff;
    const e = await withTempFile(gz, (p) => rejection(readInputs([p])));
    expect(e.code).toBe('GZIP_CORRUPT');
    expect(e.kind).toBe('input');
    expect(e.byteOffset).toBe(gz.length);
  }, 20_000);

  // The same wait hung the decompression-bomb stop: GZIP_TOO_LARGE was thrown but never surfaced.
  it('a decompression bomb (50 MB of zeros, 49 KB compressed) stops at --max-decompressed with GZIP_TOO_LARGE', async () => {
    const bomb = gzipSync(Buffer.concat([PCAP_HEADER, Buffer.alloc(50_000_000)]), { level: 9 });
    expect(bomb.length).toBeLessThan(60_000);
    const e = await withTempFile(bomb, (p) => rejection(readInputs([p], { maxDecompressedBytes: 1 << 20 })));
    expect(e.code).toBe('GZIP_TOO_LARGE');
    expect(e.message).toContain('more than 1048576 bytes');
  }, 20_000);

  it('the reader that stops early releases the input: the next read of the same file works', async () => {
    const gz = gzipSync(Buffer.concat([PCAP_HEADER, Buffer.alloc(4_000_000)]));
    await withTempFile(gz, async (p) => {
      const opened = await openInput(p, 1 << 20);
      const it = opened.chunks[Symbol.asyncIterator]();
      const e = await rejection((async () => { for (;;) if ((await it.next()).done) return; })());
      expect(e.code).toBe('GZIP_TOO_LARGE');
      const again = await openInput(p);
      let bytes = 0;
      for await (const c of again.chunks) bytes += c.length;
      expect(bytes).toBe(PCAP_HEADER.length + 4_000_000);
    });
  }, 20_000);
});

describe('records spread over many chunks (src/ingest/packets.ts Carry)', () => {
  // A record that claims tens of MiB (below the 64 MiB limit) and arrives in pipe-sized reads was
  // copied whole on every read: 39 s for 64 MiB in 64 KiB reads. Now each byte is copied once.
  it('a 16 MiB record in 4 KiB chunks is read in well under a second per MiB', () => {
    const len = 16 << 20;
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(len, 8);
    rh.writeUInt32LE(len, 12);
    const file = Buffer.concat([PCAP_HEADER, rh, noise(len), rh.subarray(0, 8)]);
    const seen: number[] = [];
    const sink: PacketSink = { packet: (_ts, _lt, buf, off, capLen) => { seen.push(capLen, buf[off]!, buf[off + capLen - 1]!); } };
    const parser = new PcapParser('big.pcap', sink);
    const t0 = cpuMs();
    for (let i = 0; i < file.length; i += 4096) parser.feed(file.subarray(i, i + 4096));
    parser.finish();
    expect(cpuMs() - t0).toBeLessThan(3000);
    const data = file.subarray(40, 40 + len);
    expect(seen).toEqual([len, data[0], data[len - 1]]);
    expect(parser.stats.truncated).toBe(true);
    expect(parser.stats.warnings[0]).toContain(`record starts at byte ${40 + len}`);
  }, 20_000);
});

describe('pcapng (src/ingest/pcapng.ts)', () => {
  // Found by the record-bounds property: a 12-byte simple packet block handed out a record of -4 bytes.
  it('a simple packet block shorter than 16 bytes is PCAPNG_BLOCK_LENGTH at its length field', () => {
    const input = hex(`
      0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffff ffffffff 1c000000
      01000000 14000000 01000000 00000000 14000000
      03000000 0c000000 0c000000`);
    const parser = new PcapngParser('spb.pcapng', { packet: () => { throw new Error('no record expected'); } });
    let err: unknown = null;
    try {
      parser.feed(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FwtpError);
    expect((err as FwtpError).code).toBe('PCAPNG_BLOCK_LENGTH');
    expect((err as FwtpError).byteOffset).toBe(28 + 20 + 4);
  });
});

describe('flow exports: line length (src/ingest/flowexport/tokenise.ts)', () => {
  // Found as a hang: a 270 KB line in 6-byte chunks took 3.8 s (each chunk rescanned the whole
  // line so far); lines had no length limit at all.
  for (const engine of ['fast', 'csv-parse'] as const) {
    it(`${engine}: a line longer than ${MAX_LINE_CHARS} characters stops with EXPORT_LINE_TOO_LONG, quickly`, async () => {
      const text = `ts,te,sa,da,sp,dp,pr,pkt,byt\n1,2,${'9'.repeat(3 * MAX_LINE_CHARS)}\n`;
      const t0 = cpuMs();
      const e = await rejection(readFlowExport('long.csv', chunksOf(text, 256), {
        gapFloorUs: 1e6, engine, map: { start: 'ts', end: 'te', src: 'sa', dst: 'da', sport: 'sp', dport: 'dp', proto: 'pr' },
      }));
      expect(cpuMs() - t0).toBeLessThan(5000);
      expect([e.code, e.line]).toEqual(['EXPORT_LINE_TOO_LONG', 2]);
    }, 30_000);
  }

  it('a quote left open runs to EXPORT_LINE_TOO_LONG at the limit, not to the end of a huge file', async () => {
    const text = `ts,te,sa,da,sp,dp,pr\n1,2,"open\n${'x,y\n'.repeat(MAX_LINE_CHARS / 2)}`;
    const e = await rejection(readFlowExport('quote.csv', chunksOf(text, 4096), {
      gapFloorUs: 1e6, map: { start: 'ts', end: 'te', src: 'sa', dst: 'da', proto: 'pr' },
    }));
    expect([e.code, e.line]).toEqual(['EXPORT_LINE_TOO_LONG', 2]);
  }, 30_000);

  it('a short quote left open is still EXPORT_UNTERMINATED_QUOTE at its line', async () => {
    const e = await rejection(readFlowExport('quote.csv', chunksOf('ts,te,sa,da,sp,dp,pr\n1,2,"open\n3,4\n'), {
      gapFloorUs: 1e6, map: { start: 'ts', end: 'te', src: 'sa', dst: 'da', proto: 'pr' },
    }));
    expect([e.code, e.line]).toEqual(['EXPORT_UNTERMINATED_QUOTE', 2]);
  });
});

describe('flow exports: records (src/ingest/flowexport/formats.ts, fields.ts; src/flows/records.ts)', () => {
  // Found as out of memory (512 MiB) on 251 bytes: CICFlowMeter's Idle Mean unreadable (0), Active
  // Mean absent, so the number of idle periods n = duration / (active + idle mean) was infinite.
  it('CICFlowMeter with an unreadable Idle Mean: the idle periods are bounded by duration / Idle Min', async () => {
    const input = hex('49442c5372632049502c6f72742c4473742049502c44737420506f72742c50726f746f636f6c2c54696d657374616d702c466c6f77204475726174696f6e2c546f636b65742c6574732c6465742c6420742c436f756e742c53594e6e742c52756e742c49646c65204d65616e2c4974642c49646c65204d61782c49646c65204d696e2c4c6162656c0d0a312d362c3139322e3136382e31302e352c2c3130342e31362e3230372e3136352c3434332c362c30332f30372f323031372030383a35353a353820414d2c32303030303030302c31302c382c313030302c383030302c302c312c302c255d2c302c31303030303030302c36303030303030');
    expect(input.toString('latin1')).toContain('Idle Mean');
    const r = await readFlowExport('cic.csv', chunksOf(input, 65), { gapFloorUs: 1e6 });
    expect(r.format).toBe('cicflowmeter');
    expect(r.records).toBe(1);
    // Duration 20 s, Idle Min 6 s, Idle Max 10 s: at most floor(20 / 6) = 3 periods, min, max and
    // the mean of the rest, clamped to [min, max]: 6, 10, 6 s.
    expect([...r.distribution.exactSorted!]).toEqual([6, 6, 10]);
    expect(r.flows.gapStartUs.length).toBe(3);
  });

  it('CICFlowMeter with a zero Idle Mean and a duration of 10^15 us: at most one idle period per packet gap', async () => {
    const header = 'Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,Total Fwd Packet,Total Bwd packets,Idle Mean,Idle Max,Idle Min';
    const row = 'f,192.0.2.10,40001,198.51.100.24,1521,6,03/07/2017 08:55:58 AM,1000000000000000,3,2,0,5000000,5000000';
    const r = await readFlowExport('cic.csv', chunksOf(`${header}\n${row}\n`), { gapFloorUs: 1e6 });
    expect(r.records).toBe(1);
    expect(r.distribution.count).toBe(4); // 5 packets: 4 silences at most
  });

  // Found as a crash (TypeError in parsePort) with the csv-parse engine: an Argus row shorter than
  // its header, whose Dport column lies past its end.
  for (const engine of ['fast', 'csv-parse'] as const) {
    it(`${engine}: an Argus row that ends before its optional port column reads the port as unset`, async () => {
      const input = hex('537461727454696d652c4c61737454696d652c50726f746f2c53416464722c72742c2c44416464722c44706f72742c0a31342c31342c7463702c31302e332e32322e39312c35382c2c31302e3136372e32352e31');
      expect(input.toString('latin1')).toBe('StartTime,LastTime,Proto,SAddr,rt,,DAddr,Dport,\n14,14,tcp,10.3.22.91,58,,10.167.25.1');
      const { table } = await readFlowExportRecords('argus.csv', chunksOf(input, 11), { engine });
      expect(table.count).toBe(1);
      expect([table.srcPort[0], table.dstPort[0]]).toEqual([0, 0]);
    });
  }

  // Found by reading the lookups next to that crash: tables indexed by input text answered for
  // Object.prototype's keys ("constructor" was protocol [Function: Object], stored as 0).
  it('"constructor", "__proto__" and "toString" are not protocols, Zeek states or Argus states', async () => {
    for (const k of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(parseProto(k)).toBe(-1);
    const argus = 'StartTime,LastTime,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State\n' +
      '1329843175.1,1329843177.5,tcp,192.0.2.10,40001,->,198.51.100.24,1521,constructor\n' +
      '1329843175.1,1329843177.5,constructor,192.0.2.10,40001,->,198.51.100.24,1521,FIN\n';
    const a = await readFlowExportRecords('argus.csv', chunksOf(argus));
    expect(a.table.count).toBe(1);
    expect(a.table.state[0]).toBe(STATE_UNKNOWN);
    expect(a.ctx.skipped).toEqual([{ line: 3, reason: 'protocol "constructor" is not known' }]);
    const zeek = '{"ts":1601334042.1,"uid":"C1","id.orig_h":"10.20.0.1","id.orig_p":13910,"id.resp_h":"10.10.0.1","id.resp_p":25,"proto":"tcp","conn_state":"constructor"}\n';
    const z = await readFlowExportRecords('conn.log', chunksOf(zeek));
    expect(z.table.count).toBe(1);
    expect([z.table.state[0], z.table.flags[0]]).toEqual([STATE_UNKNOWN, 0]);
  });

  // Found as error messages quoting raw input: a Zeek #path line's value, whole and with control characters.
  it('EXPORT_NOT_CONN_LOG quotes the #path value escaped and cut short', async () => {
    const e = await rejection(readFlowExport('x.log', chunksOf(hex('23736570617261746f720a237061746809636f6e0000')), { gapFloorUs: 1e6 }));
    expect(e.code).toBe('EXPORT_NOT_CONN_LOG');
    expect(e.line).toBe(2);
    expect(e.message).toBe('a Zeek "con\\u0000\\u0000" log, not a conn.log: it has no flows');
    const long = await rejection(readFlowExport('x.log', chunksOf(`#separator \\x09\n#path\tdns${'a'.repeat(60_000)}\n`), { gapFloorUs: 1e6 }));
    expect(long.message.length).toBeLessThan(200);
  });

  it('a skipped line\'s reason is cut to 200 characters (it quotes a field of any length)', async () => {
    const text = `ts,te,sa,da,sp,dp,pr\n1,2,192.0.2.1,192.0.2.2,1,2,${'p'.repeat(10_000)}\n`;
    const r = await readFlowExport('x.csv', chunksOf(text), { gapFloorUs: 1e6, map: { start: 'ts', end: 'te', src: 'sa', dst: 'da', proto: 'pr' } });
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]!.reason).toBe(`protocol "${'p'.repeat(190)}...`);
  });
});

describe('conntrack (src/ingest/conntrack.ts)', () => {
  // Found as error messages quoting raw input: control characters and 2 KB tokens in the reason.
  it('a line that cannot be read is quoted printable and short (strict)', async () => {
    const e = await rejection(readConntrack('ct.txt', chunksOf(hex('3239343936373239360a003d'), 6), { strict: true }));
    expect([e.code, e.line]).toEqual(['CONNTRACK_UNPARSABLE_LINE', 2]);
    expect(e.message).not.toMatch(CONTROL);
    expect(e.message).toBe('cannot read this line (unknown field "?="): "?="');
  });

  it('the reason kept for a skipped line is printable and at most 163 characters', async () => {
    const line = `tcp      6 7199 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=1 dport=2 ${'\u001b'.repeat(3)}${'w'.repeat(3000)}=1\n`;
    const ok = 'udp      17 26 src=192.0.2.10 dst=198.51.100.53 sport=48086 dport=53 src=198.51.100.53 dst=192.0.2.10 sport=53 dport=48086 mark=0 use=1\n';
    const r = await readConntrack('ct.txt', chunksOf(line + ok));
    expect(r.skippedCount).toBe(1);
    const reason = r.skipped[0]!.reason;
    expect(reason).not.toMatch(CONTROL);
    expect(reason.length).toBeLessThanOrEqual(163);
    expect(reason.startsWith('unknown field "???www')).toBe(true);
  });
});
