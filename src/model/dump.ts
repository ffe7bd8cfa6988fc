/**
 * What one conntrack listing (a single dump) says about a candidate timeout (docs/CONNTRACK.md
 * "What a dump says").
 *
 * A dump shows, per entry, its state and the seconds it has left; the timeout the kernel armed at
 * its last packet minus the seconds left is how long it has been idle (its age,
 * src/flows/listing-ages.ts). For a candidate that replaces the established timeout:
 * - entries idle longer than their timeout under the candidate would already be gone: the
 *   table shrinks to the rest (memory with the platform's bytes per entry);
 * - TCP sessions among them are at risk: the next packet each sends finds no entry and, with
 *   strict pickup, is dropped.
 * A single dump is one instant: it shows ages, not whether or when sessions resume, and it cannot
 * show entries the firewall already expired. Those limits are stated in the result's `limits`.
 */
import { FlowState } from '../util/protocols.js';
import {
  CLOSE_HALF, closingOf, ctProtoName, ST_OFFLOAD, type ConntrackDumpInput, type ConntrackSnapshot,
} from '../flows/conntrack-snapshot.js';
import { flowStateOf, tcpAmbiguousBelowSeconds, TK_ESTABLISHED, timeoutKeyOf, timeoutTable } from '../flows/conntrack-timeouts.js';
import {
  entryAges, establishedTimeoutBounds, listingTimeoutsInForce, medianSorted, summariseListingAges, type ListingAges, type TimeoutsInForce,
} from '../flows/listing-ages.js';
import { usageError } from '../util/errors.js';
import type { PlatformProfile } from './platforms.js';
import type { AffectedService, CandidateResult } from './types.js';
import { hostPort } from '../util/endpoints.js';

const PROTO_TCP = 6;
/** Platforms that are Linux conntrack itself: a sysctl dump describes their other timeouts and table. */
const LINUX_PLATFORMS = new Set(['linux', 'kube-proxy']);

export interface DumpPlanOptions {
  /** sysctl values (`sysctlRaw` of a sysctl input, names with or without `nf_conntrack_`), when the dump is not itself one. */
  sysctl?: Record<string, number>;
  /** The established timeout in force when the dump was taken (--current), seconds; wins over the sysctl's. */
  currentSeconds?: number;
  /** How many affected services to list per candidate (default 10). */
  affectedLimit?: number;
}

/** One candidate as the listing sees it. */
export interface ListingCandidate {
  timeoutSeconds: number;
  /** Entries idle longer than their timeout under the candidate: already gone. */
  entriesGone: number;
  entriesRemaining: number;
  /** TCP sessions among the gone entries (strict pickup): their next packet finds no entry. */
  sessionsAtRisk: number;
  /** Of those, established (data) and half-closed (close) sessions. */
  atRiskByKind: { data: number; close: number };
  /** entriesRemaining x bytes per entry plus the table's fixed cost. */
  memoryBytes: number;
  /** The candidate is above the established timeout the dump was taken under: entries and memory are lower bounds. */
  extrapolated: boolean;
  affected: AffectedService[];
}

/** The analysis of one listing: the plan's result when it is the only input. */
export interface ListingPlan extends ListingAges {
  bytesPerEntry: number;
  fixedBytes: number;
  tableMax: number | null;
  /** The table as the dump holds it: entries x bytes per entry plus the fixed cost. */
  memoryBytesNow: number;
  candidates: ListingCandidate[];
  /** What a single dump cannot show (always the same few sentences). */
  limits: string[];
  /** Things to check: the dump contradicts the timeouts in force, ages that may be overstated, entries without an age. */
  warnings: string[];
}

export interface DumpPlan {
  candidates: CandidateResult[];
  listing: ListingPlan;
}

/** Idle age of each entry (src/flows/listing-ages.ts): the model reads it from flows. */
export { entryAges };

/**
 * The timeouts a dump was taken under (indexed like TIMEOUT_KEYS): the sysctl values when given,
 * else, for a Linux platform, its values (profile defaults, flags or a profile file), else the
 * kernel defaults (a dump always comes from Linux, whatever platform is being planned for).
 */
export function dumpTimeouts(platform: PlatformProfile, sysctl?: Record<string, number>): Float64Array {
  return timeoutTable([LINUX_PLATFORMS.has(platform.name) ? platform.stateTimeouts : undefined, sysctl]);
}

/**
 * Timeouts of the world a candidate is evaluated in, before the candidate replaces established:
 * for a Linux platform, the firewall's sysctl values with the values set by flags or a profile
 * file on top (those are the user's "what if"); for any other platform, its profile (protocols it
 * has no value for take its `other` timeout).
 */
function candidateBase(platform: PlatformProfile, sysctl?: Record<string, number>): Float64Array {
  if (!LINUX_PLATFORMS.has(platform.name)) return timeoutTable([platform.stateTimeouts], false);
  const chosen: Record<string, number> = {};
  for (const [state, secs] of Object.entries(platform.stateTimeouts)) {
    const origin = platform.origins?.[state];
    if (origin === 'flag' || origin === 'file') chosen[state] = secs;
  }
  return timeoutTable([platform.stateTimeouts, sysctl, chosen]);
}

function sysctlNumber(sysctl: Record<string, number> | undefined, name: string): number | undefined {
  if (sysctl === undefined) return undefined;
  return sysctl[`nf_conntrack_${name}`] ?? sysctl[name] ?? sysctl[`net.netfilter.nf_conntrack_${name}`];
}

/**
 * Per candidate (seconds, replacing the established timeout), what the last snapshot of `input`
 * says: the entries that remain, memory, the sessions at risk; plus the listing itself (entries by
 * state, ages) and what a dump cannot show. The timeouts in force come from the sysctl values or
 * `currentSeconds` (src/flows/listing-ages.ts), never from a default.
 * Errors: CONNTRACK_NOT_A_DUMP (usage) when the input holds no snapshot (events, sysctl);
 * CONNTRACK_TIMEOUTS_UNKNOWN (usage) without the timeouts in force.
 */
export function planDump(input: ConntrackDumpInput, platform: PlatformProfile, timeouts: number[], options: DumpPlanOptions = {}): DumpPlan {
  const snapshot = input.snapshots[input.snapshots.length - 1];
  if (snapshot === undefined) {
    throw usageError('CONNTRACK_NOT_A_DUMP', `${input.name} is ${input.format === 'sysctl' ? 'a sysctl dump' : 'an event stream'}, not a conntrack dump: planDump reads conntrack -L, -o extended, -o xml or /proc/net/nf_conntrack`);
  }
  const t = snapshot.table;
  const n = t.count;
  const sysctl = options.sysctl ?? input.sysctlRaw;
  const inForce = listingTimeoutsInForce(input.name, sysctl, options.currentSeconds, snapshot);
  const ages = entryAges(snapshot, inForce.table);
  const base = candidateBase(platform, sysctl);
  const linux = LINUX_PLATFORMS.has(platform.name);
  const sysMax = linux ? sysctlNumber(sysctl, 'max') : undefined;
  const sysBuckets = linux ? sysctlNumber(sysctl, 'buckets') : undefined;
  const bytesPerEntry = platform.bytesPerEntry;
  const fixedBytes = sysBuckets !== undefined && platform.origins?.fixedBytes === undefined ? sysBuckets * 8 : platform.fixedBytes;
  const tableMax = sysMax !== undefined && platform.origins?.tableMax === undefined ? sysMax : platform.tableMax;
  const strict = platform.pickup === 'strict';
  const keys = new Int16Array(n);
  const tcpSession = new Uint8Array(n); // 1 established, 2 half closed
  for (let i = 0; i < n; i++) {
    const proto = t.proto[i] ?? 0, state = t.state[i] ?? 0, status = t.status[i] ?? 0;
    keys[i] = timeoutKeyOf(proto, state, status);
    if (proto === PROTO_TCP) {
      if (flowStateOf(proto, state, status) === FlowState.Established) tcpSession[i] = 1;
      else if (closingOf(proto, state) === CLOSE_HALF) tcpSession[i] = 2;
    }
  }

  const establishedNow = inForce.establishedSeconds;
  const texts = t.addresses.texts();
  const listed: ListingCandidate[] = [];
  const candidates = timeouts.map((T): CandidateResult => {
    const world = base.slice();
    world[TK_ESTABLISHED] = T;
    let gone = 0;
    let riskData = 0, riskClose = 0;
    const groups = new Map<string, { sessions: number; ages: number[]; close: number }>();
    for (let i = 0; i < n; i++) {
      const age = ages[i] ?? NaN;
      const key = keys[i] ?? -1;
      if (Number.isNaN(age) || key < 0) continue;
      if (!(age > (world[key] ?? Infinity))) continue;
      gone++;
      const session = tcpSession[i] ?? 0;
      if (session === 0 || !strict) continue;
      if (session === 2) riskClose++; else riskData++;
      const client = texts[t.src[i] ?? 0] ?? '?';
      const label = `${ctProtoName(t.proto[i] ?? 0)} ${client.includes(':') ? `[${client}]` : client}:* -> ${hostPort(texts[t.dst[i] ?? 0] ?? '?', t.dport[i] ?? 0)}`;
      let g = groups.get(label);
      if (g === undefined) { g = { sessions: 0, ages: [], close: 0 }; groups.set(label, g); }
      g.sessions++;
      g.ages.push(age);
      if (session === 2) g.close++;
    }
    const atRisk = riskData + riskClose;
    const remaining = n - gone;
    const memory = remaining * bytesPerEntry + fixedBytes;
    const affected: AffectedService[] = [...groups.entries()].map(([label, g]) => {
      g.ages.sort((a, b) => a - b);
      return { label, sessions: g.sessions, kind: g.close * 2 > g.sessions ? 'close' as const : 'data' as const, idleSeconds: medianSorted(g.ages) ?? NaN };
    }).sort((a, b) => b.sessions - a.sessions || (a.label < b.label ? -1 : 1)).slice(0, options.affectedLimit ?? 10);
    const warnings: string[] = [];
    if (!strict) warnings.push('pickup is loose: a packet after the entry expired creates a new one, so no drops are counted');
    let extrapolatedReason: string | undefined;
    if (T > establishedNow) {
      extrapolatedReason = `the dump was taken under an established timeout of ${establishedNow} s: entries idle longer than that were already removed, so under ${T} s the table would hold more than the dump shows (entries and memory are a lower bound)`;
      warnings.push(extrapolatedReason);
    }
    if (tableMax !== null && remaining > tableMax) warnings.push(`${remaining} entries exceed the table maximum ${tableMax}: new connections would be refused`);
    listed.push({
      timeoutSeconds: T, entriesGone: gone, entriesRemaining: remaining, sessionsAtRisk: atRisk, atRiskByKind: { data: riskData, close: riskClose },
      memoryBytes: memory, extrapolated: extrapolatedReason !== undefined, affected,
    });
    return {
      timeoutSeconds: T,
      sessionsWithDrops: atRisk,
      droppedKeepAlives: 0,
      droppedPackets: atRisk,
      brokenByKind: { keepAlive: 0, data: riskData, close: riskClose },
      tableEntries: { mean: remaining, peak: remaining, p99: remaining, atEnd: remaining },
      memoryBytes: { mean: memory, peak: memory },
      headroom: tableMax !== null && tableMax > 0 ? remaining / tableMax : null,
      growthPerHour: null,
      extrapolated: extrapolatedReason !== undefined,
      ...(extrapolatedReason !== undefined ? { extrapolatedReason } : {}),
      series: [remaining],
      affected,
      warnings,
    };
  });
  const listing: ListingPlan = {
    ...summariseListingAges(input, inForce),
    bytesPerEntry, fixedBytes, tableMax,
    memoryBytesNow: n * bytesPerEntry + fixedBytes,
    candidates: listed,
    limits: [
      'a single listing shows ages, not how sessions resume: whether and when the idle sessions send again is unknown, so a session at risk is one whose next packet would find no entry',
      'a listing cannot show whether that next packet is data or a keep-alive: it is counted as data (close for half-closed sessions)',
      'a listing cannot show entries the firewall already expired: a series of listings or an event stream (conntrack -E -o timestamp) shows more',
      ...(input.snapshots.length > 1 ? [`the last of the ${input.snapshots.length} dumps in the file is analysed`] : []),
    ],
    warnings: dumpWarnings(snapshot, inForce, ages),
  };
  return { candidates, listing };
}

/** What to check in a dump: contradictions with the timeouts in force, ages that may be overstated, entries without an age. */
function dumpWarnings(snapshot: ConntrackSnapshot, inForce: TimeoutsInForce, ages: Float64Array): string[] {
  const t = snapshot.table;
  const warnings: string[] = [];
  let offloaded = 0, unknown = 0, ambiguous = 0, contradicting = 0;
  const ambiguousBelow = tcpAmbiguousBelowSeconds(inForce.table);
  for (let i = 0; i < t.count; i++) {
    const proto = t.proto[i] ?? 0, state = t.state[i] ?? 0, status = t.status[i] ?? 0;
    if ((status & ST_OFFLOAD) !== 0) { offloaded++; continue; }
    const age = ages[i] ?? NaN;
    if (Number.isNaN(age)) { unknown++; continue; }
    const delta = t.deltaSeconds[i] ?? NaN;
    // Printed values are rounded down: the true age is within (age - 1, age], the lifetime within [delta, delta + 1).
    if ((!Number.isNaN(delta) && age >= delta + 2) || age < -1) contradicting++;
    if (proto === PROTO_TCP && flowStateOf(proto, state, status) === FlowState.Established && (t.timeout[i] ?? 0) <= ambiguousBelow) ambiguous++;
  }
  if (contradicting > 0) {
    const fit = establishedTimeoutBounds(snapshot);
    const range = fit !== null ? `; the established entries fit nf_conntrack_tcp_timeout_established between ${fit.loSeconds} and ${fit.hiSeconds} s` : '';
    const from = inForce.establishedFrom === 'current' ? '--current' : 'the sysctl input';
    warnings.push(`${contradicting} entries contradict the timeouts in force (idle longer than they exist, or more time left than their state's timeout): the dump was taken under other timeouts than ${from} says${range}`);
  }
  if (ambiguous > 0) warnings.push(`${ambiguous} established entries have ${ambiguousBelow} s or less left: they may be waiting for an acknowledgement (nf_conntrack_tcp_timeout_unacknowledged) rather than idle, so their age may be overstated`);
  if (offloaded > 0) warnings.push(`${offloaded} offloaded entries ([OFFLOAD]/[HW_OFFLOAD]): the flow table, not conntrack, times them out; their age is unknown and they are counted as staying`);
  if (unknown > 0) warnings.push(`${unknown} entries have no readable age (no timeout printed, or a state without a known timeout): counted as staying`);
  return warnings;
}
