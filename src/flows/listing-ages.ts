/**
 * The idle ages of one conntrack listing (a single dump: `conntrack -L`, `-o extended`, `-o xml`,
 * /proc/net/nf_conntrack), by state and as a distribution (docs/CONNTRACK.md "Ages").
 *
 * An entry's age is the timeout its state armed at its last packet minus the seconds it has left.
 * The age is a censored gap: the entry is still idle when the listing is taken, so its age is a
 * lower bound of a gap still running; a listing cannot show when (or whether) that gap ends.
 *
 * The timeout in force is not in the listing: it comes from the firewall's sysctl values
 * (`sysctl net.netfilter`, given as another input) or from --current (the established timeout).
 * Without either the ages are unknown, and fwtp says so rather than assuming the kernel default
 * (432000 s would make a session idle 4 s under a 600 s timeout look idle 431,404 s).
 */
import { FwtpError } from '../util/errors.js';
import { normaliseTimeoutName } from '../ingest/conntrack-timeouts.js';
import { ctProtoName, CT_STATE_NAMES, ST_OFFLOAD, ST_UNREPLIED, type ConntrackDumpInput, type ConntrackSnapshot } from './conntrack-snapshot.js';
import { TK_ESTABLISHED, timeoutKeyOf, timeoutTable } from './conntrack-timeouts.js';

/** The timeouts a listing was taken under, and where they come from. */
export interface TimeoutsInForce {
  /** Seconds per timeout key (indexed like TIMEOUT_KEYS). */
  table: Float64Array;
  establishedSeconds: number;
  /** Where the established timeout comes from: the sysctl input, or --current. */
  establishedFrom: 'sysctl' | 'current';
  /** Where the other states' timeouts come from: the sysctl input, or the kernel's defaults (no sysctl input). */
  otherStatesFrom: 'sysctl' | 'kernel defaults';
}

/** Whether a sysctl record names the established TCP timeout (any of its spellings). */
function hasEstablished(sysctl: Record<string, number> | null | undefined): boolean {
  if (sysctl === null || sysctl === undefined) return false;
  return Object.keys(sysctl).some((k) => normaliseTimeoutName(k) === 'tcp_timeout_established');
}

/**
 * The timeouts in force for the listing `name`: the kernel defaults, under the sysctl values, under
 * --current for the established timeout. Errors: CONNTRACK_TIMEOUTS_UNKNOWN (usage, exit 2) when
 * neither a sysctl input with net.netfilter.nf_conntrack_tcp_timeout_established nor --current
 * is given.
 *
 * @example listingTimeoutsInForce('list.txt', null, 600).establishedSeconds -> 600
 */
export function listingTimeoutsInForce(name: string, sysctl: Record<string, number> | null | undefined, currentSeconds?: number,
  snapshot?: ConntrackSnapshot): TimeoutsInForce {
  const hasSysctl = sysctl !== null && sysctl !== undefined && Object.keys(sysctl).some((k) => normaliseTimeoutName(k) !== null);
  if (currentSeconds === undefined && !hasEstablished(sysctl)) {
    const why = sysctl !== null && sysctl !== undefined
      ? 'the sysctl input has no net.netfilter.nf_conntrack_tcp_timeout_established'
      : 'no sysctl input and no --current';
    const fit = snapshot !== undefined ? establishedTimeoutBounds(snapshot) : null;
    const hint = fit !== null ? `; the listing's established entries fit an established timeout between ${fit.loSeconds} and ${fit.hiSeconds} s` : '';
    throw new FwtpError('CONNTRACK_TIMEOUTS_UNKNOWN', 'usage',
      `a conntrack listing's idle ages are the timeout in force minus the seconds left, and the timeout in force is unknown (${why}): ` +
      'give the firewall\'s `sysctl net.netfilter` output as another input (net.netfilter.nf_conntrack_tcp_timeout_established and the other timeouts), ' +
      `or --current SECONDS (the established timeout in force when the listing was taken)${hint}`, { file: name });
  }
  const layers: Array<Record<string, number> | undefined> = [sysctl ?? undefined];
  if (currentSeconds !== undefined) layers.push({ tcp_timeout_established: currentSeconds });
  const table = timeoutTable(layers);
  return {
    table,
    establishedSeconds: table[TK_ESTABLISHED] ?? NaN,
    establishedFrom: currentSeconds !== undefined ? 'current' : 'sysctl',
    otherStatesFrom: hasSysctl ? 'sysctl' : 'kernel defaults',
  };
}

/**
 * The established timeout a listing's own figures allow, when it carries delta-time (accounting
 * timestamps on): the seconds left are at most the timeout, and the timeout at most the seconds
 * left plus the entry's lifetime (both printed rounded down, hence + 1). Null without delta-time.
 *
 * @example entries (left 599, delta 3) and (left 595, delta 4) -> 599 .. 600 s
 */
export function establishedTimeoutBounds(snapshot: ConntrackSnapshot): { loSeconds: number; hiSeconds: number } | null {
  const t = snapshot.table;
  let lo = 0, hi = Infinity;
  for (let i = 0; i < t.count; i++) {
    const status = t.status[i] ?? 0;
    if (timeoutKeyOf(t.proto[i] ?? 0, t.state[i] ?? 0, status) !== TK_ESTABLISHED || (status & ST_OFFLOAD) !== 0) continue;
    const left = t.timeout[i] ?? -1;
    const delta = t.deltaSeconds[i] ?? NaN;
    if (left < 0 || Number.isNaN(delta)) continue;
    lo = Math.max(lo, left);
    hi = Math.min(hi, left + delta + 1);
  }
  return hi < Infinity && lo <= hi ? { loSeconds: lo, hiSeconds: hi } : null;
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
    const status = t.status[i] ?? 0;
    const key = timeoutKeyOf(t.proto[i] ?? 0, t.state[i] ?? 0, status);
    const left = t.timeout[i] ?? -1;
    ages[i] = key < 0 || left < 0 || (status & ST_OFFLOAD) !== 0 ? NaN : (timeouts[key] ?? NaN) - left;
  }
  return ages;
}

/** The name of an entry's state as the listing prints it: protocol, then state or "unreplied". */
export function entryStateName(proto: number, state: number, status: number): string {
  const name = state !== 0 ? ` ${CT_STATE_NAMES[state] ?? state}` : (status & ST_UNREPLIED) !== 0 ? ' unreplied' : '';
  return `${ctProtoName(proto)}${name}`;
}

/** Median (lower middle) of sorted values; null when empty. */
export function medianSorted(sorted: readonly number[]): number | null {
  return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)] ?? null;
}

/** Nearest-rank quantile of sorted values (the smallest value with at least p of them at or below); null when empty. */
export function quantileSorted(sorted: readonly number[], p: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

/** Histogram edges, seconds: 0, 1, 2, 5, 10, 20, 50 ... 5e7 (ages are whole seconds). */
const AGE_EDGES_SECONDS: readonly number[] = [0, ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e))];

export interface ListingAgeBin { loSeconds: number; hiSeconds: number | null; entries: number }

export interface ListingStateRow {
  state: string;
  entries: number;
  /** Entries with a readable age (the rest: offloaded, or no timeout printed). */
  aged: number;
  minSeconds: number | null;
  p50Seconds: number | null;
  maxSeconds: number | null;
}

export interface ListingAges {
  path: string;
  format: string;
  /** Time of the dump (ISO 8601), null when the listing has no timestamp line and no --at. */
  takenAt: string | null;
  /** Dumps in the file (the last is analysed; a single one is the usual case). */
  snapshots: number;
  entries: number;
  timeoutsInForce: { establishedSeconds: number; establishedFrom: TimeoutsInForce['establishedFrom']; otherStatesFrom: TimeoutsInForce['otherStatesFrom'] };
  /** The idle ages as a distribution. Censored: each is a lower bound of a gap still running. */
  ages: {
    censored: true;
    count: number;
    /** Entries without a readable age (offloaded, or no timeout printed). */
    unknown: number;
    p50Seconds: number | null;
    p90Seconds: number | null;
    maxSeconds: number | null;
    histogram: ListingAgeBin[];
  };
  byState: ListingStateRow[];
}

/** What `censored` means, for every rendering of the ages. */
export const CENSORED_AGES_TEXT = 'censored gaps: each age is how long the entry has been idle so far, a lower bound of a gap still running (the listing cannot show when it ends)';

/** The last dump of a listing: its entries by state and their idle ages (the caller checked it holds a dump). */
export function summariseListingAges(input: ConntrackDumpInput, inForce: TimeoutsInForce): ListingAges {
  const snapshot = input.snapshots[input.snapshots.length - 1];
  if (snapshot === undefined) throw new FwtpError('CONNTRACK_NOT_A_DUMP', 'usage', 'not a conntrack listing', { file: input.name });
  const t = snapshot.table;
  const ages = entryAges(snapshot, inForce.table);
  const states = new Map<string, { entries: number; ages: number[] }>();
  const known: number[] = [];
  for (let i = 0; i < t.count; i++) {
    const name = entryStateName(t.proto[i] ?? 0, t.state[i] ?? 0, t.status[i] ?? 0);
    let s = states.get(name);
    if (s === undefined) { s = { entries: 0, ages: [] }; states.set(name, s); }
    s.entries++;
    const age = ages[i] ?? NaN;
    if (Number.isNaN(age)) continue;
    s.ages.push(age);
    known.push(age);
  }
  known.sort((a, b) => a - b);
  const counts = new Array<number>(AGE_EDGES_SECONDS.length).fill(0);
  let b = 0;
  for (const v of known) {
    while (b + 1 < AGE_EDGES_SECONDS.length && v >= (AGE_EDGES_SECONDS[b + 1] ?? Infinity)) b++;
    counts[b] = (counts[b] ?? 0) + 1;
  }
  const histogram: ListingAgeBin[] = [];
  for (let k = 0; k < counts.length; k++) {
    const entries = counts[k] ?? 0;
    if (entries > 0) histogram.push({ loSeconds: AGE_EDGES_SECONDS[k] ?? 0, hiSeconds: AGE_EDGES_SECONDS[k + 1] ?? null, entries });
  }
  const byState: ListingStateRow[] = [...states.entries()].map(([state, s]) => {
    s.ages.sort((x, y) => x - y);
    return {
      state, entries: s.entries, aged: s.ages.length,
      minSeconds: s.ages[0] ?? null, p50Seconds: medianSorted(s.ages), maxSeconds: s.ages[s.ages.length - 1] ?? null,
    };
  }).sort((x, y) => y.entries - x.entries || (x.state < y.state ? -1 : x.state > y.state ? 1 : 0));
  return {
    path: input.name,
    format: input.format,
    takenAt: snapshot.atSeconds === null ? null : new Date(Math.round(snapshot.atSeconds * 1000)).toISOString(),
    snapshots: input.snapshots.length,
    entries: t.count,
    timeoutsInForce: { establishedSeconds: inForce.establishedSeconds, establishedFrom: inForce.establishedFrom, otherStatesFrom: inForce.otherStatesFrom },
    ages: {
      censored: true,
      count: known.length,
      unknown: t.count - known.length,
      p50Seconds: medianSorted(known),
      p90Seconds: quantileSorted(known, 0.9),
      maxSeconds: known[known.length - 1] ?? null,
      histogram,
    },
    byState,
  };
}
