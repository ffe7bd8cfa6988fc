/**
 * Profiles (`fwtp extract`, `fwtp merge`): what the model needs from a set of inputs (the
 * FlowSet, the GapDistribution, the input summaries, the capture window, the tracker's counters),
 * saved compactly so that captures too large for one machine can be read in shards on many and
 * planned on one. The byte format is in docs/PROFILE.md: a magic, a small JSON header and
 * typed-array columns, gzip-compressed as a whole (node:zlib).
 *
 * A profile is made of groups: the inputs read together by one run (or by the runs of the
 * shards of one `--shard I/N` split), with the shards it holds and the tracker's counters.
 * Merging unites the shards of a group and puts groups side by side; everything is kept in
 * canonical form (src/flows/canonical.ts), so merging shard profiles in any order gives the
 * same bytes as one run over all inputs.
 */
import { endianness } from 'node:os';
import { gzipSync } from 'node:zlib';
import { inputError } from '../util/errors.js';
import { canonicalFlowSet, canonicalGapDistribution, mergeCanonicalFlowSets, mergeGapDistributions } from '../flows/canonical.js';
import type { TrackerStats } from '../flows/tracker.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';
import type { InputSummary } from '../ingest/input-summary.js';

/** "\x89FWTP\r\n\x1a": a non-ASCII first byte (never text, pcap or gzip), CR LF and ^Z catch text-mode mangling (as PNG's). */
export const PROFILE_MAGIC = Buffer.from([0x89, 0x46, 0x57, 0x54, 0x50, 0x0d, 0x0a, 0x1a]);
/** Layout version in the fixed prefix; a reader refuses newer versions. */
export const PROFILE_VERSION = 1;
/** Magic (8) + version (u16) + flags (u16) + header length (u32). */
const PREFIX_BYTES = 16;
/** Header sizes beyond this are refused (a corrupt length). */
const MAX_HEADER_BYTES = 1 << 30;

/** Which shards of its inputs a group holds (`--shard I/N`); null in a group means all flows. */
export interface ShardSet {
  count: number;
  indices: number[];
}

/** The inputs one run read together, the shards held, and the tracker's counters for them. */
export interface ProfileGroup {
  inputs: InputSummary[];
  shards: ShardSet | null;
  tracker: TrackerStats;
}

export interface Profile {
  flows: FlowSet;
  distribution: GapDistribution;
  /** The inputs of every group, group after group. */
  inputs: InputSummary[];
  windowStartUs: number;
  windowEndUs: number;
  groups: ProfileGroup[];
  /** Counters summed over the groups (readInputs adds them to its own). */
  tracker: TrackerStats;
  /** Set when reading: groups that hold only some of their shards. */
  warnings: string[];
}

/** Whether the first bytes of a (decompressed) input announce a profile. */
export function isProfile(head: Buffer): boolean {
  return head.length >= PROFILE_MAGIC.length && head.subarray(0, PROFILE_MAGIC.length).equals(PROFILE_MAGIC);
}

// ---- tracker counters ----

/** Counters that are not per flow: every shard counts all packets it was offered. */
const PER_RUN_COUNTERS = new Set(['ipPackets', 'shardSkipped']);

function counterNames(stats: TrackerStats[]): string[] {
  const names = new Set<string>();
  for (const s of stats) for (const k of Object.keys(s)) names.add(k);
  return [...names].sort();
}

/** Adds every counter of `add` into `into` (for readInputs: profile counters next to its own). */
export function addTrackerStats(into: TrackerStats, add: TrackerStats): void {
  const a = into as unknown as Record<string, number>;
  const b = add as unknown as Record<string, number>;
  for (const k of Object.keys(b)) a[k] = (a[k] ?? 0) + b[k]!;
}

/**
 * Counters of a group made of shards of the same inputs: per-flow counters add up; every shard
 * was offered all `ipPackets`, so that is taken once, and the packets left to shards not in the
 * group are what no member kept.
 */
function shardGroupStats(stats: TrackerStats[]): TrackerStats {
  const out: Record<string, number> = {};
  const rows = stats as unknown as Array<Record<string, number>>;
  for (const k of counterNames(stats)) {
    if (!PER_RUN_COUNTERS.has(k)) out[k] = rows.reduce((n, r) => n + (r[k] ?? 0), 0);
  }
  const ip = rows[0]!.ipPackets ?? 0;
  const kept = rows.reduce((n, r) => n + (r.ipPackets ?? 0) - (r.shardSkipped ?? 0), 0);
  out.ipPackets = ip;
  out.shardSkipped = ip - kept;
  return sortedStats(out as unknown as TrackerStats);
}

/** The counters with their names in sorted order (so equal counters serialise equally). */
function sortedStats(stats: TrackerStats): TrackerStats {
  const out: Record<string, number> = {};
  const row = stats as unknown as Record<string, number>;
  for (const k of Object.keys(row).sort()) out[k] = row[k]!;
  return out as unknown as TrackerStats;
}

function sumStats(stats: TrackerStats[]): TrackerStats {
  const out: Record<string, number> = {};
  const rows = stats as unknown as Array<Record<string, number>>;
  for (const k of counterNames(stats)) out[k] = rows.reduce((n, r) => n + (r[k] ?? 0), 0);
  return out as unknown as TrackerStats;
}

// ---- making and merging ----

/** What readInputs returns, as far as a profile needs it. */
export interface ProfileSource {
  flows: FlowSet;
  distribution: GapDistribution;
  inputs: InputSummary[];
  tracker: TrackerStats;
}

function groupWarnings(name: string, groups: ProfileGroup[]): string[] {
  const out: string[] = [];
  for (const g of groups) {
    if (g.shards === null) continue;
    const paths = g.inputs.map((i) => i.path).join(', ');
    out.push(`${name} holds shard${g.shards.indices.length > 1 ? 's' : ''} ${g.shards.indices.join(', ')} of ${g.shards.count} of ${paths}: ` +
      'the flows of the other shards are missing (fwtp merge the other shard profiles first)');
  }
  return out;
}

function assemble(flows: FlowSet, distribution: GapDistribution, groups: ProfileGroup[], name: string): Profile {
  return {
    flows,
    distribution,
    inputs: groups.flatMap((g) => g.inputs),
    windowStartUs: flows.windowStartUs,
    windowEndUs: flows.windowEndUs,
    groups,
    tracker: sumStats(groups.map((g) => g.tracker)),
    warnings: groupWarnings(name, groups),
  };
}

/** A profile of one read (`fwtp extract`), in canonical form; `shard` as given to readInputs. */
export function makeProfile(read: ProfileSource, shard?: { index: number; count: number }, name = 'profile'): Profile {
  const shards = shard !== undefined && shard.count > 1 ? { count: shard.count, indices: [shard.index] } : null;
  const group: ProfileGroup = { inputs: read.inputs, shards, tracker: sortedStats(read.tracker) };
  return assemble(canonicalFlowSet(read.flows), canonicalGapDistribution(read.distribution), [group], name);
}

function inputKey(i: InputSummary): string {
  return JSON.stringify(i);
}

/**
 * Merges profiles (`fwtp merge`). Groups with the same inputs are shards of one split: they must
 * agree on the shard count and hold different shards (else flows would be counted twice); once
 * every shard is there the group is whole again. Groups of different inputs are kept side by
 * side, sorted by their inputs, so the result does not depend on the order of the arguments.
 * Flows and gaps merge in canonical order in time linear in their size.
 */
export function mergeProfiles(profiles: Array<{ name: string; profile: Profile }>, name = 'the merged profile'): Profile {
  if (profiles.length === 0) throw inputError('PROFILE_NONE', 'no profile to merge', {});
  const byKey = new Map<string, Array<{ name: string; group: ProfileGroup }>>();
  for (const { name, profile } of profiles) {
    for (const group of profile.groups) {
      // Groups sort by their input paths (text order), then by the rest of their summaries.
      const key = `${group.inputs.map((i) => i.path).join('\n')}\u0000${JSON.stringify(group.inputs)}`;
      let list = byKey.get(key);
      if (list === undefined) byKey.set(key, (list = []));
      list.push({ name, group });
    }
  }
  const groups: ProfileGroup[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const members = byKey.get(key)!;
    if (members.length === 1) {
      groups.push(members[0]!.group);
      continue;
    }
    const first = members[0]!;
    const count = first.group.shards?.count ?? 0;
    const seen = new Map<number, string>();
    for (const m of members) {
      if (m.group.shards === null || first.group.shards === null) {
        const other = m === first ? members[1]! : m;
        throw inputError('PROFILE_OVERLAP', `holds the flows of ${first.name} again (the same inputs, not different shards of them): merging would count them twice`, { file: other.name });
      }
      if (m.group.shards.count !== count) {
        throw inputError('PROFILE_SHARD_COUNT', `holds shards of ${m.group.shards.count} but ${first.name} holds shards of ${count} of the same inputs: extract every shard with the same N`, { file: m.name });
      }
      for (const i of m.group.shards.indices) {
        const had = seen.get(i);
        if (had !== undefined) throw inputError('PROFILE_OVERLAP', `holds shard ${i}/${count}, which ${had} holds too: merging would count its flows twice`, { file: m.name });
        seen.set(i, m.name);
      }
    }
    const indices = [...seen.keys()].sort((a, b) => a - b);
    groups.push({
      inputs: first.group.inputs,
      shards: indices.length === count ? null : { count, indices },
      tracker: shardGroupStats(members.map((m) => m.group.tracker)),
    });
  }
  // The same input in two different groups would be read twice.
  const where = new Map<string, number>();
  groups.forEach((g, gi) => {
    for (const i of g.inputs) {
      const k = inputKey(i);
      const had = where.get(k);
      if (had !== undefined && had !== gi) {
        throw inputError('PROFILE_DUPLICATE_INPUT', `${i.path} is in two profiles read with different other inputs: its flows would be counted twice`, { file: i.path });
      }
      where.set(k, gi);
    }
  });
  const flows = mergeCanonicalFlowSets(profiles.map((p) => p.profile.flows));
  const distribution = canonicalGapDistribution(mergeGapDistributions(profiles.map((p) => p.profile.distribution)));
  return assemble(flows, distribution, groups, name);
}

// ---- bytes ----

type ColumnType = 'u8' | 'u16' | 'u32' | 'f64';
type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array;

interface ColumnEntry {
  name: string;
  type: ColumnType;
  length: number;
  /** Byte offset from the start of the column area (8-aligned). */
  offset: number;
}

interface ProfileHeader {
  format: 'fwtp-profile';
  version: number;
  groups: ProfileGroup[];
  window: { startUs: number | null; endUs: number | null };
  gapFloorUs: number;
  flows: number;
  gaps: number;
  addresses: string[];
  distribution: { count: number; exact: boolean; sketchBase: number };
  columns: ColumnEntry[];
}

const BYTES: Record<ColumnType, number> = { u8: 1, u16: 2, u32: 4, f64: 8 };

/** The FlowSet's columns in file order, with their types. */
const FLOW_COLUMNS: Array<[keyof FlowSet, ColumnType]> = [
  ['proto', 'u8'], ['clientAddr', 'u32'], ['serverAddr', 'u32'], ['clientPort', 'u16'], ['serverPort', 'u16'],
  ['firstUs', 'f64'], ['lastUs', 'f64'], ['start', 'u8'], ['end', 'u8'], ['endState', 'u8'],
  ['packetsC2S', 'f64'], ['packetsS2C', 'f64'], ['bytesC2S', 'f64'], ['bytesS2C', 'f64'],
  ['keepAlivesC2S', 'u32'], ['keepAlivesS2C', 'u32'], ['keepAliveAcks', 'u32'],
  ['gapOffset', 'u32'], ['gapStartUs', 'f64'], ['gapEndUs', 'f64'], ['gapInfo', 'u16'],
];

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

function align8(n: number): number {
  return (n + 7) & ~7;
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * The profile as bytes: gzip (level 6, zlib's default; the header's mtime is 0, so equal
 * profiles give equal files) of magic, prefix, header and columns.
 */
export function encodeProfile(p: Profile): Buffer {
  const fs = p.flows;
  const d = p.distribution;
  const data: Array<[string, ColumnType, Column]> = [];
  for (const [name, type] of FLOW_COLUMNS) data.push([name, type, fs[name] as Column]);
  data.push(['gaps.sketch', 'f64', d.sketch]);
  data.push(['gaps.exactSeconds', 'f64', d.exactSorted ?? new Float64Array(0)]);
  data.push(['gaps.censoredSeconds', 'f64', d.censoredSeconds]);
  const columns: ColumnEntry[] = [];
  let at = 0;
  for (const [name, type, col] of data) {
    columns.push({ name, type, length: col.length, offset: at });
    at = align8(at + col.length * BYTES[type]);
  }
  const header: ProfileHeader = {
    format: 'fwtp-profile',
    version: PROFILE_VERSION,
    groups: p.groups,
    window: { startUs: finiteOrNull(fs.windowStartUs), endUs: finiteOrNull(fs.windowEndUs) },
    gapFloorUs: fs.gapFloorUs,
    flows: fs.count,
    gaps: fs.gapStartUs.length,
    addresses: fs.addresses,
    distribution: { count: d.count, exact: d.exactSorted !== null, sketchBase: d.sketchBase },
    columns,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align8(PREFIX_BYTES + json.length);
  const out = Buffer.alloc(dataStart + at);
  PROFILE_MAGIC.copy(out, 0);
  out.writeUInt16LE(PROFILE_VERSION, 8);
  out.writeUInt16LE(0, 10);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, PREFIX_BYTES);
  for (let k = 0; k < data.length; k++) {
    const col = data[k]![2];
    toPlanes(new Uint8Array(col.buffer, col.byteOffset, col.byteLength), BYTES[data[k]![1]], out, dataStart + columns[k]!.offset);
  }
  return gzipSync(out);
}

/**
 * Byte-planar layout (as Blosc's shuffle filter): a column of n w-byte little-endian values is
 * stored as n least significant bytes, then n next bytes, and so on. Neighbouring values share
 * their high bytes (sorted times, small counters), so the planes compress about a fifth better.
 */
function toPlanes(src: Uint8Array, w: number, out: Buffer, at: number): void {
  const n = src.length / w;
  for (let b = 0; b < w; b++) {
    const from = LITTLE_ENDIAN_HOST ? b : w - 1 - b;
    const plane = at + b * n;
    for (let i = 0; i < n; i++) out[plane + i] = src[i * w + from]!;
  }
}

function fromPlanes(buf: Buffer, at: number, n: number, w: number, dst: Uint8Array): void {
  for (let b = 0; b < w; b++) {
    const to = LITTLE_ENDIAN_HOST ? b : w - 1 - b;
    const plane = at + b * n;
    for (let i = 0; i < n; i++) dst[i * w + to] = buf[plane + i]!;
  }
}

function bad(name: string, code: string, message: string, byteOffset?: number): never {
  throw inputError(code, message, byteOffset === undefined ? { file: name } : { file: name, byteOffset });
}

/** A column copied out of the buffer into its own (aligned) typed array. */
function column(name: string, buf: Buffer, dataStart: number, entry: ColumnEntry): Column {
  const width = BYTES[entry.type];
  const from = dataStart + entry.offset;
  const to = from + entry.length * width;
  if (!Number.isInteger(entry.offset) || entry.offset < 0 || entry.offset % 8 !== 0 || to > buf.length) {
    bad(name, 'PROFILE_TRUNCATED', `column ${entry.name} runs past the end of the profile (${to} > ${buf.length} bytes): the file is cut short`, buf.length);
  }
  const ab = new ArrayBuffer(entry.length * width);
  fromPlanes(buf, from, entry.length, width, new Uint8Array(ab));
  switch (entry.type) {
    case 'u8': return new Uint8Array(ab);
    case 'u16': return new Uint16Array(ab);
    case 'u32': return new Uint32Array(ab);
    default: return new Float64Array(ab);
  }
}

function isStats(x: unknown): x is TrackerStats {
  return typeof x === 'object' && x !== null && Object.values(x).every((v) => typeof v === 'number');
}

function validGroup(g: unknown): g is ProfileGroup {
  if (typeof g !== 'object' || g === null) return false;
  const o = g as Record<string, unknown>;
  if (!Array.isArray(o.inputs) || !o.inputs.every((i) => typeof i === 'object' && i !== null && typeof (i as { path?: unknown }).path === 'string')) return false;
  if (!isStats(o.tracker)) return false;
  if (o.shards === null) return true;
  const s = o.shards as Record<string, unknown>;
  return typeof s === 'object' && s !== null && Number.isInteger(s.count) && (s.count as number) >= 1 && Array.isArray(s.indices) &&
    s.indices.every((i) => Number.isInteger(i) && i >= 0 && i < (s.count as number));
}

/** Parses a decompressed profile; every inconsistency is an input error naming the file. */
export function decodeProfile(name: string, buf: Buffer): Profile {
  if (!isProfile(buf)) bad(name, 'PROFILE_BAD_MAGIC', 'not an fwtp profile (the magic \\x89FWTP\\r\\n\\x1a is missing)', 0);
  if (buf.length < PREFIX_BYTES) bad(name, 'PROFILE_TRUNCATED', `the profile ends after ${buf.length} bytes, inside its fixed prefix`, buf.length);
  const version = buf.readUInt16LE(8);
  if (version !== PROFILE_VERSION) {
    bad(name, 'PROFILE_VERSION', `profile format version ${version}; this fwtp reads version ${PROFILE_VERSION} (${version > PROFILE_VERSION ? 'written by a newer fwtp' : 'unknown version'})`, 8);
  }
  const headerBytes = buf.readUInt32LE(12);
  if (headerBytes > MAX_HEADER_BYTES || PREFIX_BYTES + headerBytes > buf.length) {
    bad(name, 'PROFILE_TRUNCATED', `the header (${headerBytes} bytes) runs past the end of the profile (${buf.length} bytes)`, buf.length);
  }
  let h: ProfileHeader;
  try {
    h = JSON.parse(buf.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerBytes)) as ProfileHeader;
  } catch (e) {
    return bad(name, 'PROFILE_BAD_HEADER', `the profile header is not valid JSON (${(e as Error).message})`, PREFIX_BYTES);
  }
  const okHeader = typeof h === 'object' && h !== null && h.format === 'fwtp-profile' && Number.isInteger(h.flows) && h.flows >= 0 &&
    Number.isInteger(h.gaps) && h.gaps >= 0 && typeof h.gapFloorUs === 'number' && Array.isArray(h.addresses) &&
    h.addresses.every((a) => typeof a === 'string') && Array.isArray(h.columns) && Array.isArray(h.groups) && h.groups.length > 0 &&
    h.groups.every(validGroup) && typeof h.window === 'object' && h.window !== null &&
    typeof h.distribution === 'object' && h.distribution !== null && Number.isInteger(h.distribution.count) && typeof h.distribution.sketchBase === 'number';
  if (!okHeader) bad(name, 'PROFILE_BAD_HEADER', 'the profile header lacks a field fwtp needs (format, flows, gaps, addresses, groups, window, distribution, columns)', PREFIX_BYTES);
  const dataStart = align8(PREFIX_BYTES + headerBytes);
  const entries = new Map<string, ColumnEntry>();
  for (const c of h.columns) if (c !== null && typeof c === 'object' && typeof c.name === 'string') entries.set(c.name, c);
  const n = h.flows, g = h.gaps;
  const want = (col: string, type: ColumnType, length: number | null): Column => {
    const e = entries.get(col);
    if (e === undefined || e.type !== type || !Number.isInteger(e.length) || (length !== null && e.length !== length)) {
      bad(name, 'PROFILE_INVALID', `column ${col} is missing or not ${type} x ${length ?? 'any'}`, PREFIX_BYTES);
    }
    return column(name, buf, dataStart, e);
  };
  const cols: Record<string, Column> = {};
  for (const [col, type] of FLOW_COLUMNS) {
    const length = col === 'gapOffset' ? n + 1 : col === 'gapStartUs' || col === 'gapEndUs' || col === 'gapInfo' ? g : n;
    cols[col] = want(col, type, length);
  }
  const sketch = want('gaps.sketch', 'f64', null) as Float64Array;
  const exact = want('gaps.exactSeconds', 'f64', h.distribution.exact ? h.distribution.count : 0) as Float64Array;
  const censored = want('gaps.censoredSeconds', 'f64', null) as Float64Array;
  const flows = {
    ...(cols as unknown as FlowSet),
    count: n,
    addresses: h.addresses,
    gapFloorUs: h.gapFloorUs,
    windowStartUs: h.window.startUs ?? Number.NaN,
    windowEndUs: h.window.endUs ?? Number.NaN,
  } as FlowSet;
  // The model indexes with these without checks: refuse a profile where they point nowhere.
  const off = flows.gapOffset;
  if (off[0] !== 0 || off[n] !== g) bad(name, 'PROFILE_INVALID', `gap offsets do not span the ${g} gaps`, dataStart);
  for (let i = 0; i < n; i++) {
    if (off[i + 1]! < off[i]!) bad(name, 'PROFILE_INVALID', `gap offsets go backwards at flow ${i}`, dataStart);
    if (flows.clientAddr[i]! >= h.addresses.length || flows.serverAddr[i]! >= h.addresses.length) {
      bad(name, 'PROFILE_INVALID', `flow ${i} names address ${Math.max(flows.clientAddr[i]!, flows.serverAddr[i]!)} of ${h.addresses.length}`, dataStart);
    }
  }
  const distribution: GapDistribution = {
    count: h.distribution.count,
    exactSorted: h.distribution.exact ? exact : null,
    sketch,
    sketchBase: h.distribution.sketchBase,
    censoredSeconds: censored,
  };
  // Profiles are written canonical; one edited by hand is made so (merging relies on the order).
  return assemble(canonicalFlowSet(flows), canonicalGapDistribution(distribution), h.groups, name);
}

/**
 * Reads a profile from its decompressed chunks (readInputs has peeked at the magic; openInput
 * has undone the gzip). `name` is the input's name for messages.
 */
export async function readProfile(name: string, chunks: AsyncIterable<Buffer>): Promise<Profile> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return decodeProfile(name, Buffer.concat(parts));
}
