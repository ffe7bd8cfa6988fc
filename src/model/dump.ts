/**
 * What one conntrack dump says about a candidate timeout (docs/CONNTRACK.md "What a dump says").
 *
 * A dump shows, per entry, its state and the seconds it has left; the timeout the kernel armed at
 * its last packet minus the seconds left is how long it has been idle (its age). For a candidate
 * that replaces the established timeout:
 * - entries idle longer than their timeout under the candidate would already be gone: the
 *   table shrinks to the rest (memory with the platform's bytes per entry);
 * - TCP sessions among them are at risk: the next packet each sends finds no entry and, with
 *   strict pickup, is dropped.
 * A single dump is one instant: it shows ages, not whether or when sessions resume, and it cannot
 * show entries the firewall already expired. Those limits are stated in every result's warnings.
 */
import { FlowState } from '../util/protocols.js';
import {
  CLOSE_HALF, closingOf, ctProtoName, CT_STATE_NAMES, ST_OFFLOAD, ST_UNREPLIED, type ConntrackDumpInput, type ConntrackSnapshot,
} from '../flows/conntrack-snapshot.js';
import { flowStateOf, tcpAmbiguousBelowSeconds, TK_ESTABLISHED, timeoutKeyOf, timeoutTable } from '../flows/conntrack-timeouts.js';
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
  /** How many affected services to list per candidate (default 10). */
  affectedLimit?: number;
}

export interface DumpPlan {
  candidates: CandidateResult[];
  notes: string[];
}

/**
 * Idle age of each entry of a snapshot, seconds: the timeout its state armed (`timeouts`, indexed
 * like TIMEOUT_KEYS) minus the seconds it has left. The printed seconds are rounded down, so the
 * true age lies within one second below. NaN where a dump cannot tell: offloaded entries (the
 * flow table keeps them), DESTROY-like rows without a timeout, states without a known timeout.
 *
 * @example ESTABLISHED with 598 s left under nf_conntrack_tcp_timeout_established = 600 -> age 2
 */
export function entryAges(snapshot: ConntrackSnapshot, timeouts: Float64Array): Float64Array {
  const t = snapshot.table;
  const ages = new Float64Array(t.count);
  for (let i = 0; i < t.count; i++) {
    const key = timeoutKeyOf(t.proto[i]!, t.state[i]!, t.status[i]!);
    const left = t.timeout[i]!;
    ages[i] = key < 0 || left < 0 || (t.status[i]! & ST_OFFLOAD) !== 0 ? NaN : timeouts[key]! - left;
  }
  return ages;
}

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

function median(sorted: number[]): number {
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function quantile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * Per candidate (seconds, replacing the established timeout), what the last snapshot of `input`
 * says: the entries that remain, memory, the sessions at risk; plus notes on the dump itself.
 * Errors: CONNTRACK_NOT_A_DUMP (usage) when the input holds no snapshot (events, sysctl).
 */
export function planDump(input: ConntrackDumpInput, platform: PlatformProfile, timeouts: number[], options: DumpPlanOptions = {}): DumpPlan {
  if (input.snapshots.length === 0) {
    throw usageError('CONNTRACK_NOT_A_DUMP', `${input.name} is ${input.format === 'sysctl' ? 'a sysctl dump' : 'an event stream'}, not a conntrack dump: planDump reads conntrack -L, -o extended, -o xml or /proc/net/nf_conntrack`);
  }
  const snapshot = input.snapshots[input.snapshots.length - 1]!;
  const t = snapshot.table;
  const n = t.count;
  const sysctl = options.sysctl ?? input.sysctlRaw;
  const sysctlHasTimeouts = sysctl !== undefined && Object.keys(sysctl).some((k) => /timeout/.test(k));
  const inForce = dumpTimeouts(platform, sysctl);
  const ages = entryAges(snapshot, inForce);
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
    keys[i] = timeoutKeyOf(t.proto[i]!, t.state[i]!, t.status[i]!);
    if (t.proto[i] === PROTO_TCP) {
      const fs = flowStateOf(t.proto[i]!, t.state[i]!, t.status[i]!);
      if (fs === FlowState.Established) tcpSession[i] = 1;
      else if (closingOf(t.proto[i]!, t.state[i]!) === CLOSE_HALF) tcpSession[i] = 2;
    }
  }

  const notes = dumpNotes(input, snapshot, platform, inForce, ages, sysctlHasTimeouts, bytesPerEntry, fixedBytes, tableMax);
  const establishedNow = inForce[TK_ESTABLISHED]!;
  const texts = t.addresses.texts();
  const candidates = timeouts.map((T): CandidateResult => {
    const world = base.slice();
    world[TK_ESTABLISHED] = T;
    let gone = 0;
    let atRisk = 0;
    let riskData = 0, riskClose = 0;
    const groups = new Map<string, { sessions: number; ages: number[]; close: number }>();
    for (let i = 0; i < n; i++) {
      const age = ages[i]!;
      if (Number.isNaN(age) || keys[i]! < 0) continue;
      if (!(age > world[keys[i]!]!)) continue;
      gone++;
      if (tcpSession[i] === 0 || !strict) continue;
      atRisk++;
      if (tcpSession[i] === 2) riskClose++; else riskData++;
      const client = texts[t.src[i]!]!;
      const label = `${ctProtoName(t.proto[i]!)} ${client.includes(':') ? `[${client}]` : client}:* -> ${hostPort(texts[t.dst[i]!]!, t.dport[i]!)}`;
      let g = groups.get(label);
      if (g === undefined) { g = { sessions: 0, ages: [], close: 0 }; groups.set(label, g); }
      g.sessions++;
      g.ages.push(age);
      if (tcpSession[i] === 2) g.close++;
    }
    const remaining = n - gone;
    const affected: AffectedService[] = [...groups.entries()].map(([label, g]) => {
      g.ages.sort((a, b) => a - b);
      return { label, sessions: g.sessions, kind: g.close * 2 > g.sessions ? 'close' as const : 'data' as const, idleSeconds: median(g.ages) };
    }).sort((a, b) => b.sessions - a.sessions || (a.label < b.label ? -1 : 1)).slice(0, options.affectedLimit ?? 10);
    const warnings: string[] = [
      'a single snapshot shows ages, not how sessions resume: whether and when the idle sessions send again is unknown, so drops are those of the next packet each would send',
      `${gone} of ${n} entries would already be gone (idle longer than their timeout with established = ${T} s)`,
    ];
    if (atRisk > 0) {
      warnings.push(`${atRisk} idle TCP sessions are at risk: the next packet each sends finds no entry and is dropped; a dump cannot show whether that packet is data or a keep-alive (counted as data, or close for half-closed sessions)`);
    }
    if (!strict) warnings.push('pickup is loose: a packet after the entry expired creates a new one, so no drops are counted');
    let extrapolated = false;
    let extrapolatedReason: string | undefined;
    if (T > establishedNow) {
      extrapolated = true;
      extrapolatedReason = `the dump was taken under an established timeout of ${establishedNow} s: entries idle longer than that were already removed, so under ${T} s the table would hold more than the dump shows (entries and memory are a lower bound)`;
      warnings.push(extrapolatedReason);
    }
    if (tableMax !== null && remaining > tableMax) warnings.push(`${remaining} entries exceed the table maximum ${tableMax}: new connections would be refused`);
    return {
      timeoutSeconds: T,
      sessionsWithDrops: atRisk,
      droppedKeepAlives: 0,
      droppedPackets: atRisk,
      brokenByKind: { keepAlive: 0, data: riskData, close: riskClose },
      tableEntries: { mean: remaining, peak: remaining, p99: remaining, atEnd: remaining },
      memoryBytes: { mean: remaining * bytesPerEntry + fixedBytes, peak: remaining * bytesPerEntry + fixedBytes },
      headroom: tableMax !== null && tableMax > 0 ? remaining / tableMax : null,
      growthPerHour: null,
      extrapolated,
      ...(extrapolatedReason !== undefined ? { extrapolatedReason } : {}),
      series: [remaining],
      affected,
      warnings,
    };
  });
  return { candidates, notes };
}

function dumpNotes(input: ConntrackDumpInput, snapshot: ConntrackSnapshot, platform: PlatformProfile, inForce: Float64Array, ages: Float64Array,
  sysctlHasTimeouts: boolean, bytesPerEntry: number, fixedBytes: number, tableMax: number | null): string[] {
  const t = snapshot.table;
  const n = t.count;
  const notes: string[] = [];
  const when = snapshot.atSeconds === null ? 'a dump without a time' : `the dump of ${new Date(Math.round(snapshot.atSeconds * 1000)).toISOString()}`;
  notes.push(input.snapshots.length > 1
    ? `planned from ${when}, the last of ${input.snapshots.length} in ${input.name} (read the series as flows for how sessions resume)`
    : `planned from ${when} in ${input.name}`);
  notes.push(sysctlHasTimeouts
    ? `ages use the firewall's timeouts from the sysctl input (established ${inForce[TK_ESTABLISHED]} s)`
    : `ages use the ${platform.name} profile's timeouts (established ${inForce[TK_ESTABLISHED]} s): give \`sysctl net.netfilter\` output as an input for the firewall's own`);
  const mib = (x: number): string => `${(x / 1048576).toFixed(1)} MiB`;
  notes.push(`the dump holds ${n} entries: ${mib(n * bytesPerEntry + fixedBytes)} at ${bytesPerEntry} bytes per entry plus ${fixedBytes} fixed${tableMax !== null ? `, ${(100 * n / tableMax).toFixed(1)} % of the maximum ${tableMax}` : ''}`);
  // States and the ages of established sessions.
  const byState = new Map<string, number>();
  const established: number[] = [];
  let offloaded = 0, unknown = 0, ambiguous = 0, tooOld = 0, tooYoung = 0;
  let loBound = 0, hiBound = Infinity;
  const ambiguousBelow = tcpAmbiguousBelowSeconds(inForce);
  for (let i = 0; i < n; i++) {
    const name = `${ctProtoName(t.proto[i]!)}${t.state[i] !== 0 ? ` ${CT_STATE_NAMES[t.state[i]!]}` : (t.status[i]! & ST_UNREPLIED) !== 0 ? ' unreplied' : ''}`;
    byState.set(name, (byState.get(name) ?? 0) + 1);
    if ((t.status[i]! & ST_OFFLOAD) !== 0) { offloaded++; continue; }
    const age = ages[i]!;
    if (Number.isNaN(age)) { unknown++; continue; }
    const delta = t.deltaSeconds[i]!;
    // Printed values are rounded down: the true age is within (age - 1, age], the lifetime within [delta, delta + 1).
    if (!Number.isNaN(delta) && age >= delta + 2) tooOld++;
    if (age < -1) tooYoung++;
    if (t.proto[i] === PROTO_TCP && flowStateOf(t.proto[i]!, t.state[i]!, t.status[i]!) === FlowState.Established) {
      established.push(age);
      if (t.timeout[i]! <= ambiguousBelow) ambiguous++;
      const left = t.timeout[i]!;
      loBound = Math.max(loBound, left);
      if (!Number.isNaN(delta)) hiBound = Math.min(hiBound, left + delta + 1);
    }
  }
  notes.push(`entries by state: ${[...byState.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (established.length > 0) {
    established.sort((a, b) => a - b);
    notes.push(`idle age of ${established.length} established TCP sessions: median ${median(established)} s, 90th percentile ${quantile(established, 0.9)} s, longest ${established[established.length - 1]} s`);
  }
  if (tooOld > 0 || tooYoung > 0) {
    const range = hiBound < Infinity ? `; the established entries fit nf_conntrack_tcp_timeout_established between ${loBound} and ${hiBound} s` : '';
    notes.push(`${tooOld + tooYoung} entries contradict the assumed timeouts (idle longer than they exist, or more time left than their state's timeout): the dump was taken under other timeouts${range}; give the firewall's sysctl net.netfilter output as an input`);
  }
  if (ambiguous > 0) notes.push(`${ambiguous} established entries have ${ambiguousBelow} s or less left: they may be waiting for an acknowledgement (nf_conntrack_tcp_timeout_unacknowledged) rather than idle, so their age may be overstated`);
  if (offloaded > 0) notes.push(`${offloaded} offloaded entries ([OFFLOAD]/[HW_OFFLOAD]): the flow table, not conntrack, times them out; their age is unknown and they are counted as staying`);
  if (unknown > 0) notes.push(`${unknown} entries have no readable age (no timeout printed, or a state without a known timeout): counted as staying`);
  notes.push('a dump cannot show entries the firewall already expired, nor how the idle sessions will resume: a series of dumps or an event stream (conntrack -E -o timestamp) shows more');
  return notes;
}
