// Classic pcap and pcapng encoders, block by block, as Buffers: the one encoder of the capture
// file formats for fwtp's tests (test/helpers/pcapbuild.ts re-exports it), the oracle's crafted
// cases (test/oracle/pcap-craft.mjs) and the streaming writers of the samples and benchmarks
// (scripts/capture-writer.mjs writes its file headers with it). Plain ESM, no build step.
//
//   classic pcap: draft-ietf-opsawg-pcap (24-byte file header, 16-byte record headers)
//   pcapng:       draft-ietf-opsawg-pcapng (SHB, IDB, EPB, SPB, OPB and any other block type)
//
// Types (JSDoc):
/** @typedef {{ linkType: number, nanos?: boolean, bigEndian?: boolean, snapLen?: number, linkTypeField?: number }} PcapOptions */
/** @typedef {{ sec: number, nsec: number, data: Buffer, wireLen?: number }} PcapRecord nsec: nanoseconds within the second (whole microseconds in a microsecond file) */
/** @typedef {{ code: number, value: Buffer }} PcapngOption */
/** @typedef {{ bigEndian?: boolean, snapLen?: number, tsresol?: number, tsoffsetSeconds?: bigint, extraOptions?: PcapngOption[] }} IdbOptions */
/** @typedef {{ bigEndian?: boolean, wireLen?: number, options?: PcapngOption[] }} PacketBlockOptions */

// ---------------------------------------------------------------- classic pcap
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export function pcapHeader(o) {
    const h = Buffer.alloc(24);
    const w32 = (v, at) => (o.bigEndian ? h.writeUInt32BE(v >>> 0, at) : h.writeUInt32LE(v >>> 0, at));
    const w16 = (v, at) => (o.bigEndian ? h.writeUInt16BE(v, at) : h.writeUInt16LE(v, at));
    w32(o.nanos ? PCAP_MAGIC_NS : PCAP_MAGIC_US, 0);
    w16(2, 4);
    w16(4, 6);
    w32(o.snapLen ?? 262144, 16);
    w32(o.linkTypeField ?? o.linkType, 20);
    return h;
}
/** One record: 16-byte header and the captured bytes (data cut to the snaplen). */
export function pcapRecord(r, o) {
    const h = Buffer.alloc(16);
    const w32 = (v, at) => (o.bigEndian ? h.writeUInt32BE(v >>> 0, at) : h.writeUInt32LE(v >>> 0, at));
    let frac = r.nsec;
    if (!o.nanos) {
        if (r.nsec % 1000 !== 0)
            throw new Error('a microsecond pcap holds whole microseconds only');
        frac = r.nsec / 1000;
    }
    const capLen = Math.min(r.data.length, o.snapLen ?? 262144);
    w32(r.sec, 0);
    w32(frac, 4);
    w32(capLen, 8);
    w32(r.wireLen ?? r.data.length, 12);
    return Buffer.concat([h, r.data.subarray(0, capLen)]);
}
export function pcapFile(records, o) {
    return Buffer.concat([pcapHeader(o), ...records.map((r) => pcapRecord(r, o))]);
}
// ---------------------------------------------------------------- pcapng
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 1;
export const PCAPNG_OPB = 2;
export const PCAPNG_SPB = 3;
export const PCAPNG_NRB = 4;
export const PCAPNG_ISB = 5;
export const PCAPNG_EPB = 6;
function pad4(b) {
    const n = (4 - (b.length % 4)) % 4;
    return n === 0 ? b : Buffer.concat([b, Buffer.alloc(n)]);
}
/** Options: code, length, value padded to 4, then opt_endofopt when there were any. */
export function pcapngOptions(opts, bigEndian = false) {
    if (opts.length === 0)
        return Buffer.alloc(0);
    const parts = [];
    for (const o of [...opts, { code: 0, value: Buffer.alloc(0) }]) {
        const h = Buffer.alloc(4);
        if (bigEndian) {
            h.writeUInt16BE(o.code, 0);
            h.writeUInt16BE(o.value.length, 2);
        }
        else {
            h.writeUInt16LE(o.code, 0);
            h.writeUInt16LE(o.value.length, 2);
        }
        parts.push(h, pad4(o.value));
    }
    return Buffer.concat(parts);
}
/** Any block: type, total length, body (padded to 4), total length again. */
export function pcapngBlock(type, body, bigEndian = false) {
    const padded = pad4(body);
    const len = 12 + padded.length;
    const head = Buffer.alloc(8);
    const tail = Buffer.alloc(4);
    if (bigEndian) {
        head.writeUInt32BE(type >>> 0, 0);
        head.writeUInt32BE(len, 4);
        tail.writeUInt32BE(len, 0);
    }
    else {
        head.writeUInt32LE(type >>> 0, 0);
        head.writeUInt32LE(len, 4);
        tail.writeUInt32LE(len, 0);
    }
    return Buffer.concat([head, padded, tail]);
}
/** Section header block (28 bytes without options); section length -1 (unknown). */
export function pcapngShb(o = {}) {
    const be = o.bigEndian ?? false;
    const body = Buffer.alloc(16);
    if (be) {
        body.writeUInt32BE(0x1a2b3c4d, 0);
        body.writeUInt16BE(1, 4);
        body.writeUInt16BE(0, 6);
    }
    else {
        body.writeUInt32LE(0x1a2b3c4d, 0);
        body.writeUInt16LE(1, 4);
        body.writeUInt16LE(0, 6);
    }
    body.fill(0xff, 8, 16); // section length -1
    return pcapngBlock(PCAPNG_SHB, Buffer.concat([body, pcapngOptions(o.options ?? [], be)]), be);
}
/** Interface description block. */
export function pcapngIdb(linkType, o = {}) {
    const be = o.bigEndian ?? false;
    const body = Buffer.alloc(8);
    if (be) {
        body.writeUInt16BE(linkType, 0);
        body.writeUInt32BE(o.snapLen ?? 0, 4);
    }
    else {
        body.writeUInt16LE(linkType, 0);
        body.writeUInt32LE(o.snapLen ?? 0, 4);
    }
    const opts = [...(o.extraOptions ?? [])];
    if (o.tsresol !== undefined)
        opts.push({ code: 9, value: Buffer.from([o.tsresol]) });
    if (o.tsoffsetSeconds !== undefined) {
        const v = Buffer.alloc(8);
        if (be)
            v.writeBigInt64BE(o.tsoffsetSeconds, 0);
        else
            v.writeBigInt64LE(o.tsoffsetSeconds, 0);
        opts.push({ code: 14, value: v });
    }
    return pcapngBlock(PCAPNG_IDB, Buffer.concat([body, pcapngOptions(opts, be)]), be);
}
function tsWords(ticks, be) {
    const b = Buffer.alloc(8);
    const high = Number(ticks >> 32n);
    const low = Number(ticks & 0xffffffffn);
    if (be) {
        b.writeUInt32BE(high, 0);
        b.writeUInt32BE(low, 4);
    }
    else {
        b.writeUInt32LE(high, 0);
        b.writeUInt32LE(low, 4);
    }
    return b;
}
/** The body an EPB and an OPB share after their first word: timestamp, lengths, data, options. */
function packetBlock(type, head, ticks, data, o) {
    const be = o.bigEndian ?? false;
    const lens = Buffer.alloc(8);
    if (be) {
        lens.writeUInt32BE(data.length, 0);
        lens.writeUInt32BE(o.wireLen ?? data.length, 4);
    }
    else {
        lens.writeUInt32LE(data.length, 0);
        lens.writeUInt32LE(o.wireLen ?? data.length, 4);
    }
    return pcapngBlock(type, Buffer.concat([head, tsWords(ticks, be), lens, pad4(data), pcapngOptions(o.options ?? [], be)]), be);
}
/** Enhanced packet block: interface id, timestamp in the interface's units, lengths, data. */
export function pcapngEpb(ifId, ticks, data, o = {}) {
    const h = Buffer.alloc(4);
    if (o.bigEndian ?? false) h.writeUInt32BE(ifId, 0);
    else h.writeUInt32LE(ifId, 0);
    return packetBlock(PCAPNG_EPB, h, ticks, data, o);
}
/** Obsolete packet block: 16-bit interface id, 16-bit drops count, then as an EPB. */
export function pcapngOpb(ifId, ticks, data, o = {}) {
    const h = Buffer.alloc(4);
    if (o.bigEndian ?? false) h.writeUInt16BE(ifId, 0);
    else h.writeUInt16LE(ifId, 0);
    return packetBlock(PCAPNG_OPB, h, ticks, data, o);
}
/** Simple packet block: original length and data; always interface 0, no timestamp. */
export function pcapngSpb(data, o = {}) {
    const be = o.bigEndian ?? false;
    const h = Buffer.alloc(4);
    if (be)
        h.writeUInt32BE(o.wireLen ?? data.length, 0);
    else
        h.writeUInt32LE(o.wireLen ?? data.length, 0);
    return pcapngBlock(PCAPNG_SPB, Buffer.concat([h, data]), be);
}
/** A Unix time with nanoseconds, as ticks of 10^-9 s. */
export function nsTicks(sec, nsec) {
    return BigInt(sec) * 1000000000n + BigInt(nsec);
}
/** A Unix time with microseconds, as ticks of 10^-6 s (the pcapng default resolution). */
export function usTicks(sec, usec) {
    return BigInt(sec) * 1000000n + BigInt(usec);
}
