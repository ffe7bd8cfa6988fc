// Profiles: the byte layout (magic, prefix, JSON header, columns, gzip), a lossless round trip,
// the errors a damaged or foreign file gives, the shard rules of merge, and the property that
// matters: for random subsets of real captures split into N shards and merged in a random
// order and grouping, the merged profile is byte for byte the profile of one run over all
// inputs, and the planner's JSON on it is the JSON of planning everything at once.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  PROFILE_MAGIC, decodeProfile, encodeProfile, isProfile, makeProfile, mergeProfiles, readProfile, type Profile,
} from '../../src/profile/profile.js';
import { canonicalFlowSet, canonicalGapDistribution } from '../../src/flows/canonical.js';
import { readInputs, type ReadResult } from '../../src/read/inputs.js';
import { plan } from '../../src/model/plan.js';
import { resolveModel, type ModelArgs } from '../../src/cli/model-options.js';
import type { FlowSet, GapDistribution } from '../../src/flows/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/pcap/zeek-traces/', import.meta.url));
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`corpus absent (${CORPUS}): the shard property runs on samples/ only`);

const SAMPLES = ['samples/oracle-pool.pcap', 'samples/oracle-pool-unanswered.pcap', 'samples/mixed-small.pcapng'].map((p) => ROOT + p);
/** Many short TCP connections (gzip), a UDP flood, IPv6 fragments, GRE, pcapng with several flows. */
const CORPUS_FILES = haveCorpus
  ? ['echo-connections.pcap.gz', 'dhcp_dhcp_flood.pcap', 'ipv6-reassembly-state-leak.pcap', 'tunnels_gre-aruba.pcap', 'irc-dcc-send.pcapng'].map((f) => CORPUS + f)
  : [];
const FILES = [...SAMPLES, ...CORPUS_FILES];

const cache = new Map<string, Promise<ReadResult>>();
function read(files: string[], shard?: { index: number; count: number }): Promise<ReadResult> {
  const key = `${files.join('|')}#${shard?.index}/${shard?.count}`;
  let r = cache.get(key);
  if (r === undefined) cache.set(key, (r = readInputs(files, shard === undefined ? {} : { shard })));
  return r;
}

/** Every column and scalar as plain values, for toEqual. */
function plainFlows(fs: FlowSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fs)) out[k] = ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v;
  return out;
}
function plainDist(d: GapDistribution): Record<string, unknown> {
  return { count: d.count, sketchBase: d.sketchBase, sketch: Array.from(d.sketch), exact: d.exactSorted === null ? null : Array.from(d.exactSorted), censored: Array.from(d.censoredSeconds) };
}

/** Through the bytes and back, as a file would go. */
function roundTrip(p: Profile, name = 'p.fwtp'): Profile {
  return decodeProfile(name, gunzipSync(encodeProfile(p)));
}

const MODEL: ModelArgs = { timeouts: '60,3600,9000', steps: 12, platform: 'linux', protocol: 'tcp' };
function planJson(flows: FlowSet, distribution: GapDistribution, inputs: Array<{ path: string; format: string }>, platform: string): string {
  const { options, timeouts } = resolveModel({ ...MODEL, platform });
  return JSON.stringify(plan({ flows: canonicalFlowSet(flows), distribution }, { ...options, timeouts, inputs, warnings: [] }), null, 2);
}

describe('profile bytes', () => {
  it('starts with the magic, version 1 and the header length; the header names every column', async () => {
    const p = makeProfile(await read([SAMPLES[0]!]));
    const raw = gunzipSync(encodeProfile(p));
    expect(raw.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x46, 0x57, 0x54, 0x50, 0x0d, 0x0a, 0x1a]));
    expect(raw.readUInt16LE(8)).toBe(1);
    const headerBytes = raw.readUInt32LE(12);
    const h = JSON.parse(raw.toString('utf8', 16, 16 + headerBytes));
    expect(h.format).toBe('fwtp-profile');
    expect(h.flows).toBe(80); // the README's "80 flows"
    expect(h.groups).toHaveLength(1);
    expect(h.groups[0].shards).toBeNull();
    expect(h.groups[0].inputs[0].path).toBe(SAMPLES[0]);
    expect(h.columns.map((c: { name: string }) => c.name)).toEqual([
      'proto', 'clientAddr', 'serverAddr', 'clientPort', 'serverPort', 'firstUs', 'lastUs', 'start', 'end', 'endState',
      'packetsC2S', 'packetsS2C', 'bytesC2S', 'bytesS2C', 'keepAlivesC2S', 'keepAlivesS2C', 'keepAliveAcks',
      'gapOffset', 'gapStartUs', 'gapEndUs', 'gapInfo', 'gaps.sketch', 'gaps.exactSeconds', 'gaps.censoredSeconds',
    ]);
    // Columns start 8-aligned after the header and follow each other 8-aligned, each byte-planar:
    // for n values of w bytes, the n least significant bytes first, then the next n ...
    const dataStart = Math.ceil((16 + headerBytes) / 8) * 8;
    const first = h.columns.find((c: { name: string }) => c.name === 'firstUs');
    const n = p.flows.count;
    const value = Buffer.alloc(8);
    for (let b = 0; b < 8; b++) value[b] = raw[dataStart + first.offset + b * n + 1]!;
    expect(value.readDoubleLE(0)).toBe(p.flows.firstUs[1]);
    const sport = h.columns.find((c: { name: string }) => c.name === 'serverPort');
    expect(raw[dataStart + sport.offset]! | (raw[dataStart + sport.offset + n]! << 8)).toBe(p.flows.serverPort[0]);
    const proto = h.columns.find((c: { name: string }) => c.name === 'proto');
    expect(Array.from(raw.subarray(dataStart + proto.offset, dataStart + proto.offset + n))).toEqual(Array.from(p.flows.proto));
    for (const c of h.columns) expect(c.offset % 8).toBe(0);
    expect(isProfile(raw)).toBe(true);
  });

  it('recognises the magic only: not pcap, pcapng, gzip, text, or a short head', () => {
    expect(isProfile(PROFILE_MAGIC)).toBe(true);
    expect(isProfile(PROFILE_MAGIC.subarray(0, 7))).toBe(false);
    expect(isProfile(Buffer.from('d4c3b2a102000400', 'hex'))).toBe(false);
    expect(isProfile(Buffer.from('0a0d0d0a1c000000', 'hex'))).toBe(false);
    expect(isProfile(Buffer.from('1f8b080000000000', 'hex'))).toBe(false);
    expect(isProfile(Buffer.from('#separator \\x09\n'))).toBe(false);
  });

  it('round-trips every column, the distribution, inputs, counters; readProfile takes it in small chunks', async () => {
    const r = await read(SAMPLES);
    const p = makeProfile(r);
    const raw = gunzipSync(encodeProfile(p));
    async function* chunks(): AsyncGenerator<Buffer> { for (let i = 0; i < raw.length; i += 7) yield raw.subarray(i, i + 7); }
    const back = await readProfile('x.fwtp', chunks());
    expect(plainFlows(back.flows)).toEqual(plainFlows(canonicalFlowSet(r.flows)));
    expect(plainDist(back.distribution)).toEqual(plainDist(canonicalGapDistribution(r.distribution)));
    expect(back.inputs).toEqual(r.inputs);
    expect(back.tracker).toEqual(r.tracker);
    expect(back.windowStartUs).toBe(r.flows.windowStartUs);
    expect(back.windowEndUs).toBe(r.flows.windowEndUs);
    expect(back.warnings).toEqual([]);
    expect(back.flows.count).toBe(r.flows.count);
    expect(r.flows.count).toBeGreaterThan(80);
    // Equal profiles give equal files (gzip header without a time stamp).
    expect(encodeProfile(back).equals(encodeProfile(p))).toBe(true);
  });
});

describe('damaged and foreign profiles', () => {
  const base = async (): Promise<Buffer> => gunzipSync(encodeProfile(makeProfile(await read([SAMPLES[0]!]))));

  it('a profile cut short: PROFILE_TRUNCATED at its end', async () => {
    const raw = await base();
    const cut = raw.subarray(0, raw.length - 100);
    expect(() => decodeProfile('cut.fwtp', cut)).toThrow(expect.objectContaining({ code: 'PROFILE_TRUNCATED', kind: 'input', file: 'cut.fwtp', byteOffset: cut.length }));
    expect(() => decodeProfile('cut.fwtp', raw.subarray(0, 12))).toThrow(expect.objectContaining({ code: 'PROFILE_TRUNCATED', byteOffset: 12 }));
    expect(() => decodeProfile('cut.fwtp', raw.subarray(0, 40))).toThrow(expect.objectContaining({ code: 'PROFILE_TRUNCATED', byteOffset: 40 }));
  });

  it('a newer version: PROFILE_VERSION at byte 8', async () => {
    const raw = Buffer.from(await base());
    raw.writeUInt16LE(2, 8);
    expect(() => decodeProfile('new.fwtp', raw)).toThrow(expect.objectContaining({ code: 'PROFILE_VERSION', file: 'new.fwtp', byteOffset: 8 }));
  });

  it('a header that is not JSON: PROFILE_BAD_HEADER at byte 16', async () => {
    const raw = Buffer.from(await base());
    raw[16] = 0x5b; // '[' where '{' was: still parses? no: the document no longer closes
    raw[17] = 0x7b;
    expect(() => decodeProfile('h.fwtp', raw)).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_HEADER', byteOffset: 16 }));
  });

  it('gap offsets that point nowhere: PROFILE_INVALID', async () => {
    const raw = Buffer.from(await base());
    const headerBytes = raw.readUInt32LE(12);
    const h = JSON.parse(raw.toString('utf8', 16, 16 + headerBytes));
    const off = h.columns.find((c: { name: string }) => c.name === 'gapOffset');
    const dataStart = Math.ceil((16 + headerBytes) / 8) * 8;
    // Offset 3 (planar: byte b of value 3 is at b * (flows + 1) + 3) beyond every gap.
    for (let b = 0; b < 4; b++) raw[dataStart + off.offset + b * (h.flows + 1) + 3] = 0xff;
    expect(() => decodeProfile('o.fwtp', raw)).toThrow(expect.objectContaining({ code: 'PROFILE_INVALID', file: 'o.fwtp' }));
  });

  it('anything else: PROFILE_BAD_MAGIC', () => {
    expect(() => decodeProfile('x.pcap', Buffer.from('d4c3b2a102000400', 'hex'))).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_MAGIC', byteOffset: 0 }));
  });
});

describe('merging shard profiles', () => {
  const shard = async (index: number, count: number): Promise<{ name: string; profile: Profile }> =>
    ({ name: `s${index}.fwtp`, profile: roundTrip(makeProfile(await read(SAMPLES, { index, count }), { index, count }), `s${index}.fwtp`) });

  it('a shard profile says which shard it holds and warns that the rest is missing', async () => {
    const s = await shard(1, 3);
    expect(s.profile.groups[0]!.shards).toEqual({ count: 3, indices: [1] });
    expect(s.profile.warnings).toHaveLength(1);
    expect(s.profile.warnings[0]).toContain('s1.fwtp holds shard 1 of 3 of');
  });

  it('a partial merge holds the union of the shards; the full merge is whole again', async () => {
    const [a, b, c] = await Promise.all([shard(0, 3), shard(1, 3), shard(2, 3)]);
    const ab = mergeProfiles([a, b]);
    expect(ab.groups[0]!.shards).toEqual({ count: 3, indices: [0, 1] });
    const all = mergeProfiles([{ name: 'ab', profile: ab }, c]);
    expect(all.groups[0]!.shards).toBeNull();
    expect(all.warnings).toEqual([]);
    const whole = await read(SAMPLES);
    expect(all.tracker).toEqual(whole.tracker);
  });

  it('refuses the same shard twice, different shard counts, and the same inputs unsharded twice', async () => {
    const [a, b] = await Promise.all([shard(0, 3), shard(0, 2)]);
    expect(() => mergeProfiles([a, { ...a, name: 'again.fwtp' }])).toThrow(expect.objectContaining({ code: 'PROFILE_OVERLAP', file: 'again.fwtp' }));
    expect(() => mergeProfiles([a, b])).toThrow(expect.objectContaining({ code: 'PROFILE_SHARD_COUNT', file: 's0.fwtp' }));
    const whole = { name: 'w.fwtp', profile: makeProfile(await read(SAMPLES)) };
    expect(() => mergeProfiles([whole, { ...whole, name: 'w2.fwtp' }])).toThrow(expect.objectContaining({ code: 'PROFILE_OVERLAP', file: 'w2.fwtp' }));
  });

  it('keeps profiles of different inputs side by side, in an order independent of the arguments; refuses one input in two groups', async () => {
    const one = { name: '1.fwtp', profile: makeProfile(await read([SAMPLES[0]!])) };
    const two = { name: '2.fwtp', profile: makeProfile(await read([SAMPLES[1]!])) };
    const m12 = mergeProfiles([one, two]);
    const m21 = mergeProfiles([two, one]);
    // By path in text order: 'oracle-pool-unanswered.pcap' < 'oracle-pool.pcap' ('-' is 0x2d, '.' 0x2e).
    expect(m12.inputs.map((i) => i.path)).toEqual([SAMPLES[1], SAMPLES[0]]);
    expect(encodeProfile(m21).equals(encodeProfile(m12))).toBe(true);
    expect(m12.flows.count).toBe(one.profile.flows.count + two.profile.flows.count);
    const both = { name: 'both.fwtp', profile: makeProfile(await read([SAMPLES[0]!, SAMPLES[1]!])) };
    expect(() => mergeProfiles([one, both])).toThrow(expect.objectContaining({ code: 'PROFILE_DUPLICATE_INPUT', file: SAMPLES[0] }));
  });
});

/** Merges `items` in a random binary tree driven by `picks`, each intermediate through the bytes. */
function mergeRandomly(items: Array<{ name: string; profile: Profile }>, picks: number[]): Profile {
  const pool = [...items];
  let k = 0;
  while (pool.length > 1) {
    const a = pool.splice(picks[k++ % picks.length]! % pool.length, 1)[0]!;
    const b = pool.splice(picks[k++ % picks.length]! % pool.length, 1)[0]!;
    pool.push({ name: `(${a.name}+${b.name})`, profile: roundTrip(mergeProfiles([a, b])) });
  }
  return pool[0]!.profile;
}

describe('the shard property on real captures', () => {
  it('merged shard profiles = one run over all inputs: same bytes, same plan JSON, for any split and merge order', async () => {
    await fc.assert(fc.asyncProperty(
      fc.subarray(FILES, { minLength: 1 }),
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
      fc.constantFrom('linux', 'cisco-asa', 'pf'),
      async (files, n, picks, platform) => {
        const all = await read(files);
        const whole = makeProfile(all);
        const shards: Array<{ name: string; profile: Profile }> = [];
        for (let i = 0; i < n; i++) {
          const r = await read(files, { index: i, count: n });
          shards.push({ name: `shard-${i}.fwtp`, profile: roundTrip(makeProfile(r, { index: i, count: n })) });
        }
        const merged = mergeRandomly(shards, picks);
        expect(merged.flows.count).toBe(all.flows.count);
        expect(plainFlows(merged.flows)).toEqual(plainFlows(canonicalFlowSet(all.flows)));
        expect(plainDist(merged.distribution)).toEqual(plainDist(canonicalGapDistribution(all.distribution)));
        expect(merged.tracker).toEqual(all.tracker);
        expect(merged.warnings).toEqual([]);
        expect(encodeProfile(merged).equals(encodeProfile(whole))).toBe(true);
        const inputs = all.inputs.map((i) => ({ path: i.path, format: i.format }));
        expect(planJson(merged.flows, merged.distribution, merged.inputs.map((i) => ({ path: i.path, format: i.format })), platform))
          .toBe(planJson(all.flows, all.distribution, inputs, platform));
      }), { numRuns: 20 });
  }, 600_000);
});
