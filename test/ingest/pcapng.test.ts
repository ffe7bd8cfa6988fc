// pcapng: captures built block by block (test/helpers/pcapbuild.ts). Block sizes used below:
// SHB without options 28 bytes; IDB without options 20, with if_tsresol 32, with if_tsresol and
// if_tsoffset 44; EPB/OPB 32 + data padded to 4; SPB 16 + data padded to 4.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FwtpError } from '../../src/util/errors.js';
import { isPcapngMagic } from '../../src/ingest/pcapng.js';
import { collect, collectUntilError, readBuffers, trackCapture } from '../helpers/capture-run.js';
import {
  ipv4, nsTicks, pcapngBlock, pcapngEpb, pcapngIdb, pcapngOpb, pcapngShb, pcapngSpb, sll, tcpFrame, udp, udpFrame, usTicks,
  PCAPNG_ISB, PCAPNG_NRB, TCP_SYN,
} from '../helpers/pcapbuild.js';

const T0 = 1_700_000_000;
const SYN = tcpFrame({ src: '192.0.2.10', dst: '198.51.100.24', sport: 40001, dport: 1521, seq: 1000, flags: TCP_SYN }); // 54 bytes
const DNS = udpFrame({ src: '192.0.2.10', dst: '192.0.2.53', sport: 5353, dport: 53, payload: 4 }); // 46 bytes
const RAW_UDP = ipv4({ src: '192.0.2.20', dst: '192.0.2.53', proto: 17, payload: udp({ sport: 5000, dport: 53, payload: 2 }) }); // 30 bytes

describe('pcapng sections and byte order', () => {
  function oneSection(bigEndian: boolean): Buffer {
    return Buffer.concat([
      pcapngShb({ bigEndian }),
      pcapngIdb(1, { bigEndian }),
      pcapngEpb(0, usTicks(T0, 250_000), SYN, { bigEndian }),
      pcapngEpb(0, usTicks(T0 + 60, 1), DNS, { bigEndian }),
    ]);
  }

  it('the block sizes the offsets below rely on', () => {
    expect(pcapngShb().length).toBe(28);
    expect(pcapngIdb(1).length).toBe(20);
    expect(pcapngIdb(1, { tsresol: 9 }).length).toBe(32);
    expect(pcapngIdb(1, { tsresol: 9, tsoffsetSeconds: 1n }).length).toBe(44);
    expect(pcapngEpb(0, 0n, SYN).length).toBe(88);
    expect(pcapngEpb(0, 0n, DNS).length).toBe(80);
    expect(pcapngSpb(DNS).length).toBe(64);
  });

  it.each([false, true])('bigEndian=%s: 2 packets with microsecond timestamps (the default resolution)', (bigEndian) => {
    const file = oneSection(bigEndian);
    expect(isPcapngMagic(file)).toBe(true);
    const { stats, packets } = collect('pcapng', file);
    expect(stats).toMatchObject({ format: 'pcapng', packets: 2, truncated: false, warnings: [], untimed: 0 });
    expect([...stats.linkTypes]).toEqual([[1, 2]]);
    expect(packets.map((p) => p.tsUs)).toEqual([1_700_000_000_250_000, 1_700_000_060_000_001]);
    expect(packets.map((p) => [p.capLen, p.wireLen])).toEqual([[54, 54], [46, 46]]);
    expect(packets[0]!.bytes.equals(SYN)).toBe(true);
    expect(packets[1]!.bytes.equals(DNS)).toBe(true);
  });

  it('both byte orders give identical packets', () => {
    expect(collect('pcapng', oneSection(true)).packets).toEqual(collect('pcapng', oneSection(false)).packets);
  });

  it('two sections, the second big-endian with its own interfaces', () => {
    const file = Buffer.concat([
      pcapngShb(),
      pcapngIdb(1), // section 1, interface 0: Ethernet
      pcapngIdb(101, { tsresol: 9 }), // section 1, interface 1: raw IP, nanoseconds
      pcapngEpb(0, usTicks(T0, 1), SYN),
      pcapngEpb(1, nsTicks(T0, 2000), RAW_UDP),
      pcapngShb({ bigEndian: true }),
      pcapngIdb(113, { bigEndian: true, tsresol: 3 }), // section 2, interface 0: Linux cooked, milliseconds
      pcapngEpb(0, BigInt(T0) * 1000n + 5n, sll(RAW_UDP), { bigEndian: true }),
    ]);
    const { stats, packets } = collect('pcapng', file);
    expect(stats.packets).toBe(3);
    expect(packets.map((p) => p.linkType)).toEqual([1, 101, 113]);
    expect(packets.map((p) => p.tsUs)).toEqual([1_700_000_000_000_001, 1_700_000_000_000_002, 1_700_000_000_005_000]);
    expect([...stats.linkTypes].sort((a, b) => a[0] - b[0])).toEqual([[1, 1], [101, 1], [113, 1]]);
  });

  it('a packet of the second section naming an interface only the first section had: PCAPNG_UNKNOWN_INTERFACE', () => {
    const file = Buffer.concat([
      pcapngShb(), pcapngIdb(1), pcapngIdb(1), // 28 + 20 + 20 = 68
      pcapngShb({ bigEndian: true }), pcapngIdb(1, { bigEndian: true }), // 68 + 28 + 20 = 116
      pcapngEpb(1, 0n, SYN, { bigEndian: true }),
    ]);
    const r = collectUntilError('pcapng', file, 1 << 20, 'two.pcapng');
    expect(r.error).toMatchObject({ code: 'PCAPNG_UNKNOWN_INTERFACE', kind: 'input', file: 'two.pcapng', byteOffset: 124 });
  });
});

describe('pcapng timestamps: if_tsresol and if_tsoffset', () => {
  function read(idb: Buffer, ticks: bigint[]): number[] {
    const file = Buffer.concat([pcapngShb(), idb, ...ticks.map((t) => pcapngEpb(0, t, SYN))]);
    return collect('pcapng', file).packets.map((p) => p.tsUs);
  }

  it('10^-6 (if_tsresol 6, the default written explicitly)', () => {
    expect(read(pcapngIdb(1, { tsresol: 6 }), [usTicks(T0, 0), usTicks(T0, 999_999)])).toEqual([1_700_000_000_000_000, 1_700_000_000_999_999]);
  });

  it('10^-9 (if_tsresol 9): whole microseconds are exact', () => {
    // 1.7e18 ns does not fit 2^53: high and low words must be scaled separately.
    const ticks = [nsTicks(T0, 0), nsTicks(T0, 123_456_000), nsTicks(T0 + 86_400 * 365, 999_999_000), nsTicks(4_000_000_000, 1000)];
    expect(read(pcapngIdb(1, { tsresol: 9 }), ticks)).toEqual([1_700_000_000_000_000, 1_700_000_000_123_456, 1_731_536_000_999_999, 4_000_000_000_000_001]);
  });

  it('10^-9 with a sub-microsecond part: ns / 1000 within half a microsecond', () => {
    const ts = read(pcapngIdb(1, { tsresol: 9 }), [nsTicks(T0, 123_456_789)])[0]!;
    expect(Math.abs(ts - (T0 * 1e6 + 123_456.789))).toBeLessThanOrEqual(0.5);
  });

  it('2^-20 (if_tsresol 0x94): binary fractions of a second', () => {
    const base = BigInt(T0) << 20n;
    // 2^19 / 2^20 s = 500000 us; (2^19 + 2^18) / 2^20 s = 750000 us; 1 / 2^20 s = 0.95367431640625 us.
    const got = read(pcapngIdb(1, { tsresol: 0x94 }), [base, base + (1n << 19n), base + (1n << 19n) + (1n << 18n)]);
    expect(got).toEqual([1_700_000_000_000_000, 1_700_000_000_500_000, 1_700_000_000_750_000]);
    const [tiny] = read(pcapngIdb(1, { tsresol: 0x94 }), [1n]);
    expect(tiny).toBe(0.95367431640625);
  });

  it('10^-3 and 10^0', () => {
    expect(read(pcapngIdb(1, { tsresol: 3 }), [BigInt(T0) * 1000n + 7n])).toEqual([1_700_000_000_007_000]);
    expect(read(pcapngIdb(1, { tsresol: 0 }), [BigInt(T0)])).toEqual([1_700_000_000_000_000]);
  });

  it('if_tsoffset adds whole seconds (little- and big-endian, positive and negative)', () => {
    expect(read(pcapngIdb(1, { tsoffsetSeconds: BigInt(T0) }), [1_500_000n])).toEqual([1_700_000_001_500_000]);
    const be = Buffer.concat([pcapngShb({ bigEndian: true }), pcapngIdb(1, { bigEndian: true, tsresol: 9, tsoffsetSeconds: BigInt(T0) }), pcapngEpb(0, 2_000_000_000n, SYN, { bigEndian: true })]);
    expect(collect('pcapng', be).packets.map((p) => p.tsUs)).toEqual([1_700_000_002_000_000]);
    expect(read(pcapngIdb(1, { tsoffsetSeconds: -100n }), [usTicks(T0, 5)])).toEqual([1_699_999_900_000_005]);
  });

  it('an option that overruns its block is a warning naming its byte; the interface keeps microseconds', () => {
    // IDB body: link type, reserved, snaplen, then option 9 claiming 200 bytes: block length 24, option at byte 28 + 16 = 44.
    const body = Buffer.alloc(12);
    body.writeUInt16LE(1, 0);
    body.writeUInt16LE(9, 8);
    body.writeUInt16LE(200, 10);
    const file = Buffer.concat([pcapngShb(), pcapngBlock(1, body), pcapngEpb(0, usTicks(T0, 3), SYN)]);
    const { stats, packets } = collect('pcapng', file);
    expect(packets.map((p) => p.tsUs)).toEqual([1_700_000_000_000_003]);
    expect(stats.warnings.length).toBe(1);
    expect(stats.warnings[0]).toMatch(/option 9 overruns its block at byte 44\b/);
  });
});

describe('pcapng packet blocks', () => {
  it('a simple packet block: no timestamp (NaN), counted as untimed, one warning saying so', () => {
    const file = Buffer.concat([pcapngShb(), pcapngIdb(1), pcapngSpb(DNS), pcapngSpb(SYN), pcapngEpb(0, usTicks(T0, 0), SYN)]);
    const { stats, packets } = collect('pcapng', file);
    expect(stats.packets).toBe(3);
    expect(stats.untimed).toBe(2);
    expect(packets.map((p) => Number.isNaN(p.tsUs))).toEqual([true, true, false]);
    expect(stats.warnings.length).toBe(1);
    expect(stats.warnings[0]).toMatch(/simple packet block/);
    expect(stats.warnings[0]).toMatch(/no timestamp/);
  });

  it('a simple packet block: captured length is min(block data, snaplen, original length), so padding is not data', () => {
    const data42 = Buffer.concat([DNS.subarray(0, 42)]);
    const file = Buffer.concat([
      pcapngShb(), pcapngIdb(1, { snapLen: 40 }),
      pcapngSpb(data42, { wireLen: 42 }), // 44 bytes of block data after padding, snaplen 40 -> 40
    ]);
    expect(collect('pcapng', file).packets.map((p) => [p.capLen, p.wireLen])).toEqual([[40, 42]]);
    const unlimited = Buffer.concat([pcapngShb(), pcapngIdb(1), pcapngSpb(data42, { wireLen: 42 })]);
    const p = collect('pcapng', unlimited).packets[0]!;
    expect([p.capLen, p.wireLen]).toEqual([42, 42]);
    expect(p.bytes.equals(data42)).toBe(true);
    // Snapped by the writer: 40 bytes kept of a 46-byte frame.
    const snapped = Buffer.concat([pcapngShb(), pcapngIdb(1, { snapLen: 40 }), pcapngSpb(DNS.subarray(0, 40), { wireLen: 46 })]);
    expect(collect('pcapng', snapped).packets.map((q) => [q.capLen, q.wireLen])).toEqual([[40, 46]]);
  });

  it('an enhanced packet block with captured < original length, and with options after the data', () => {
    const file = Buffer.concat([pcapngShb(), pcapngIdb(1),
      pcapngEpb(0, usTicks(T0, 1), SYN.subarray(0, 50), { wireLen: 54, options: [{ code: 1, value: Buffer.from('a comment') }] })]);
    const p = collect('pcapng', file).packets[0]!;
    expect([p.capLen, p.wireLen, p.tsUs]).toEqual([50, 54, 1_700_000_000_000_001]);
    expect(p.bytes.equals(SYN.subarray(0, 50))).toBe(true);
  });

  it('an obsolete packet block (type 2) is read like an enhanced one, with its 16-bit interface id', () => {
    const file = Buffer.concat([pcapngShb(), pcapngIdb(1), pcapngIdb(101, { tsresol: 9 }),
      pcapngOpb(1, nsTicks(T0, 7000), RAW_UDP), pcapngOpb(0, usTicks(T0, 8), SYN)]);
    const { stats, packets } = collect('pcapng', file);
    expect(stats.packets).toBe(2);
    expect(packets.map((p) => [p.linkType, p.tsUs, p.capLen])).toEqual([[101, 1_700_000_000_000_007, 30], [1, 1_700_000_000_000_008, 54]]);
  });

  it('unknown and non-packet blocks are skipped (name resolution, statistics, custom, made-up types)', () => {
    const file = Buffer.concat([
      pcapngShb(), pcapngIdb(1),
      pcapngBlock(PCAPNG_NRB, Buffer.alloc(4)),
      pcapngEpb(0, usTicks(T0, 1), SYN),
      pcapngBlock(PCAPNG_ISB, Buffer.alloc(12)),
      pcapngBlock(0x00000bad, Buffer.from('custom block body')),
      pcapngBlock(0x40000bad, Buffer.alloc(8)),
      pcapngBlock(0x7fffffff, Buffer.alloc(0)),
      pcapngEpb(0, usTicks(T0, 2), DNS),
    ]);
    const { stats, packets } = collect('pcapng', file);
    expect(stats).toMatchObject({ packets: 2, truncated: false, warnings: [] });
    expect(packets.map((p) => p.tsUs)).toEqual([1_700_000_000_000_001, 1_700_000_000_000_002]);
  });

  it('several interfaces with different link types: linkTypes counted per name', async () => {
    const file = Buffer.concat([
      pcapngShb(),
      pcapngIdb(1), pcapngIdb(101), pcapngIdb(113), pcapngIdb(1), pcapngIdb(12), pcapngIdb(147),
      pcapngEpb(0, usTicks(T0, 1), SYN),
      pcapngEpb(1, usTicks(T0, 2), RAW_UDP),
      pcapngEpb(2, usTicks(T0, 3), sll(RAW_UDP)),
      pcapngEpb(3, usTicks(T0, 4), DNS),
      pcapngEpb(4, usTicks(T0, 5), RAW_UDP),
      pcapngEpb(5, usTicks(T0, 6), Buffer.from('user-defined link layer')),
      pcapngEpb(1, usTicks(T0, 7), RAW_UDP),
    ]);
    const t = await trackCapture('pcapng', file);
    // LINKTYPE 12 and 101 are both raw IP and share the name RAW.
    expect(t.summary.linkTypes).toEqual({ ETHERNET: 2, RAW: 3, LINUX_SLL: 1, USER0: 1 });
    expect(t.summary.packets).toBe(7);
    expect(t.summary.ipPackets).toBe(6);
    expect(t.summary.undecodedLinkTypes).toEqual({ USER0: 1 });
    expect(t.summary.warnings.some((w) => /1 packets on link type USER0/.test(w))).toBe(true);
  });
});

describe('pcapng damage', () => {
  // SHB 28 + IDB 20 + EPB 88 (54-byte frame) + EPB 88: blocks at 0, 28, 48, 136; 224 bytes.
  const whole = Buffer.concat([pcapngShb(), pcapngIdb(1), pcapngEpb(0, usTicks(T0, 1), SYN), pcapngEpb(0, usTicks(T0, 2), SYN)]);

  it('the layout used below', () => {
    expect(whole.length).toBe(224);
  });

  it.each([[214], [140], [144]])('a file cut at byte %i: truncated, warning names the block start 136', (cut) => {
    const { stats, packets } = collect('pcapng', whole.subarray(0, cut));
    expect(packets.length).toBe(1);
    expect(stats.packets).toBe(1);
    expect(stats.truncated).toBe(true);
    expect(stats.warnings.length).toBe(1);
    expect(stats.warnings[0]).toMatch(/block starts at byte 136\b/);
    expect(stats.warnings[0]).toMatch(new RegExp(`cut short at byte ${cut}\\b`));
  });

  it('a truncated last block through the reader: the input is marked truncated and the warning kept', async () => {
    const r = await readBuffers([{ name: 't.pcapng', data: whole.subarray(0, 214) }]);
    expect(r.inputs[0]).toMatchObject({ format: 'pcapng', packets: 1, truncated: true });
    expect(r.inputs[0]!.warnings.some((w) => /block starts at byte 136\b/.test(w))).toBe(true);
  });

  function lengthError(mutate: (b: Buffer) => void): FwtpError {
    const b = Buffer.from(whole);
    mutate(b);
    const r = collectUntilError('pcapng', b, 1 << 20, 'bad.pcapng');
    expect(r.error).toBeInstanceOf(FwtpError);
    return r.error as FwtpError;
  }

  it('a block length that is not a multiple of 4: PCAPNG_BLOCK_LENGTH at the length field', () => {
    expect(lengthError((b) => b.writeUInt32LE(87, 136 + 4))).toMatchObject({ code: 'PCAPNG_BLOCK_LENGTH', kind: 'input', file: 'bad.pcapng', byteOffset: 140 });
  });

  it('a block length below 12: PCAPNG_BLOCK_LENGTH', () => {
    expect(lengthError((b) => b.writeUInt32LE(8, 48 + 4))).toMatchObject({ code: 'PCAPNG_BLOCK_LENGTH', byteOffset: 52 });
  });

  it('an absurd block length: PCAPNG_BLOCK_LENGTH', () => {
    expect(lengthError((b) => b.writeUInt32LE(0x7ffffffc, 136 + 4))).toMatchObject({ code: 'PCAPNG_BLOCK_LENGTH', byteOffset: 140 });
  });

  it('a trailing length that differs from the leading one: PCAPNG_BLOCK_LENGTH at the trailing field', () => {
    expect(lengthError((b) => b.writeUInt32LE(92, 136 + 88 - 4))).toMatchObject({ code: 'PCAPNG_BLOCK_LENGTH', byteOffset: 220 });
  });

  it('an enhanced packet block shorter than its fixed fields: PCAPNG_BLOCK_LENGTH', () => {
    const tooShort = pcapngBlock(6, Buffer.alloc(16)); // 28 bytes
    const r = collectUntilError('pcapng', Buffer.concat([pcapngShb(), pcapngIdb(1), tooShort]));
    expect(r.error).toMatchObject({ code: 'PCAPNG_BLOCK_LENGTH', byteOffset: 52 });
  });

  it('a captured length larger than its block: PCAPNG_PACKET_LENGTH at the captured-length field', () => {
    expect(lengthError((b) => b.writeUInt32LE(60, 136 + 20))).toMatchObject({ code: 'PCAPNG_PACKET_LENGTH', byteOffset: 156 });
  });

  it('damage after packets: the reader keeps them and reports the offset; damage first: an error', async () => {
    const b = Buffer.from(whole);
    b.writeUInt32LE(87, 136 + 4);
    const r = await readBuffers([{ name: 'bad.pcapng', data: b }]);
    expect(r.inputs[0]).toMatchObject({ packets: 1, truncated: true });
    expect(r.inputs[0]!.warnings.some((w) => /byte 140\b/.test(w) && w.includes('PCAPNG_BLOCK_LENGTH'))).toBe(true);
    const first = Buffer.from(whole);
    first.writeUInt32LE(87, 48 + 4);
    await expect(readBuffers([{ name: 'bad.pcapng', data: first }])).rejects.toMatchObject({ code: 'PCAPNG_BLOCK_LENGTH', byteOffset: 52 });
  });

  it('a section header with a bad byte-order magic: PCAPNG_BAD_BYTE_ORDER at byte 8', () => {
    expect(lengthError((b) => b.writeUInt32LE(0x12345678, 8))).toMatchObject({ code: 'PCAPNG_BAD_BYTE_ORDER', byteOffset: 8 });
  });

  it('a file that does not start with a section header: PCAPNG_NO_SECTION', () => {
    const r = collectUntilError('pcapng', Buffer.concat([pcapngIdb(1), pcapngEpb(0, 0n, SYN)]));
    expect(r.error).toMatchObject({ code: 'PCAPNG_NO_SECTION', kind: 'input', byteOffset: 0 });
  });

  it('a section header alone: no packets, not truncated', () => {
    const { stats } = collect('pcapng', pcapngShb());
    expect(stats).toMatchObject({ packets: 0, truncated: false, warnings: [] });
  });
});

describe('pcapng chunking', () => {
  // Section 1 (little-endian): 16 packet blocks (EPB on two interfaces, SPB); section 2 (big-endian): 14 EPBs.
  const blocks: Buffer[] = [pcapngShb(), pcapngIdb(1, { tsresol: 9 }), pcapngIdb(101)];
  for (let i = 0; i < 16; i++) {
    if (i % 7 === 3) blocks.push(pcapngSpb(DNS));
    else if (i % 5 === 1) blocks.push(pcapngEpb(1, usTicks(T0 + i, i), RAW_UDP));
    else blocks.push(pcapngEpb(0, nsTicks(T0 + i, i * 1000), i % 2 === 0 ? SYN : DNS));
  }
  blocks.push(pcapngShb({ bigEndian: true }), pcapngIdb(1, { bigEndian: true }), pcapngIdb(101, { bigEndian: true }));
  for (let i = 16; i < 30; i++) blocks.push(pcapngEpb(i % 2, usTicks(T0 + i, i), i % 2 === 0 ? SYN : RAW_UDP, { bigEndian: true }));
  const file = Buffer.concat(blocks);
  const cut = file.subarray(0, file.length - 21);
  const reference = collect('pcapng', file, file.length);
  const cutReference = collect('pcapng', cut, cut.length);

  it('the reference read', () => {
    expect(reference.stats.packets).toBe(30);
    expect(reference.stats.truncated).toBe(false);
    expect(cutReference.stats.packets).toBe(29);
    expect(cutReference.stats.truncated).toBe(true);
  });

  it.each([1, 7, 4096])('chunks of %i bytes give the same result', (size) => {
    expect(collect('pcapng', file, size)).toEqual(reference);
    expect(collect('pcapng', cut, size)).toEqual(cutReference);
  });

  it('any chunking gives the same result (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 30 }), fc.boolean(), (sizes, truncated) => {
      expect(collect('pcapng', truncated ? cut : file, sizes)).toEqual(truncated ? cutReference : reference);
    }), { numRuns: 120 });
  });
});
