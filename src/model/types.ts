/**
 * What the model predicts, one CandidateResult per candidate timeout. The JSON output of
 * `fwtp plan --format json` is a PlanResult serialised as is (schemaVersion 1).
 * docs/MODEL.md explains every figure.
 */
import type { GapSummary } from '../flows/types.js';

export type Source = 'observed' | 'profile' | 'flag' | 'file';

export interface KeepAliveSchedule {
  /** Idle time before the first probe, seconds (Linux tcp_keepalive_time). */
  idleSeconds: number;
  /** Time between unanswered probes, seconds (tcp_keepalive_intvl). */
  intervalSeconds: number;
  /** Unanswered probes before the sender gives up (tcp_keepalive_probes). */
  count: number;
}

export interface KeepAliveSetting {
  profile: string; // linux | windows | macos | off | custom
  schedule: KeepAliveSchedule | null; // null = keep-alives off
  source: Source;
  /** Per sender (address:port) where the capture showed probes: the inferred schedule. */
  observed: Array<{ sender: string; idleSeconds: number; intervalSeconds: number | null; probes: number }>;
}

export interface TableEntries {
  mean: number;
  peak: number;
  p99: number;
  atEnd: number;
}

export interface AffectedService {
  /** As a drop log shows it: "198.51.100.24:1521 -> 192.0.2.10:*". */
  label: string;
  sessions: number;
  /** First dropped packet kind for most of them, and the typical idle time before it. */
  kind: 'keepAlive' | 'data' | 'close';
  idleSeconds: number;
}

/** One service's figures under a candidate (model/service-figures.ts; docs/MODEL.md, "Per service"). */
export interface ServiceResult {
  service: { protocol: string; serverAddr: string; serverPort: number };
  /** Flows of this service in the inputs. */
  sessions: number;
  sessionsWithDrops: number;
  droppedKeepAlives: number;
  brokenByKind: { keepAlive: number; data: number; close: number };
  /** Entries of this service's flows over the window: time-weighted mean, exact peak. */
  tableEntries: { mean: number; peak: number };
  /** Entry memory only (entries x bytes per entry): the table's fixed cost belongs to no service. */
  memoryBytes: { mean: number; peak: number };
}

/**
 * Table memory taken apart (docs/MODEL.md, "Memory"): what the entries take, which is what a
 * timeout changes, apart from the table's fixed cost (Linux: the hash buckets), and the change
 * in entry memory against the timeout in force.
 */
export interface MemoryBreakdown {
  bytesPerEntry: number;
  /** Entries x bytes per entry, time-weighted mean and at peak. */
  entryBytesMean: number;
  entryBytesPeak: number;
  /** The table's fixed cost, whatever the entries (Linux: nf_conntrack_buckets x 8 bytes). */
  fixedBytes: number;
  /** Entry memory plus the fixed cost: memoryBytes.mean and memoryBytes.peak. */
  totalBytesMean: number;
  totalBytesPeak: number;
  /** The timeout compared against (`--current`, else the platform's). */
  currentSeconds: number;
  /** Entry memory at this candidate minus at the current timeout (mean, peak); the fixed cost does not change. */
  changeFromCurrentBytes: { mean: number; peak: number };
}

export interface CandidateResult {
  timeoutSeconds: number;
  sessionsWithDrops: number;
  droppedKeepAlives: number;
  droppedPackets: number;
  brokenByKind: { keepAlive: number; data: number; close: number };
  tableEntries: TableEntries;
  memoryBytes: { mean: number; peak: number };
  /**
   * Share of the platform's table maximum used at peak (peak / tableMax, 0..1), null when the
   * platform has no maximum. The share used, not the room left: the key keeps its schemaVersion 1
   * name so that JSON and CSV outputs (column `headroom`) stay as they are.
   */
  headroom: number | null;
  /** Entries per hour that never expire (leaked sessions kept alive by keep-alives), or null. */
  growthPerHour: number | null;
  extrapolated: boolean;
  extrapolatedReason?: string;
  /** Set when the inputs cannot show this candidate in full (firewall logs: log-bounds.ts): the figures are lower bounds. */
  lowerBound?: true;
  lowerBoundReason?: string;
  /** Table entries over the window, for charts: `series.length` evenly spaced samples. */
  series: number[];
  affected: AffectedService[];
  /** Memory taken apart (absent where the figures are not from the replay, e.g. a single conntrack listing). */
  memory?: MemoryBreakdown;
  /** The tracked services (the most sessions first, at most PlanOptions.serviceLimit). */
  services?: ServiceResult[];
  warnings: string[];
}

export interface PlatformSetting {
  name: string;
  /** Timeout per FlowState name (seconds) in force apart from the candidate. */
  stateTimeouts: Record<string, number>;
  pickup: 'strict' | 'loose';
  bytesPerEntry: number;
  fixedBytes: number;
  tableMax: number | null;
  sources: Record<string, Source>;
}

/** One candidate of `plan --timeouts auto` (model/auto-candidates.ts). */
export interface AutoCandidate {
  /** The value to set: step plus margin, rounded up to whole seconds. */
  timeoutSeconds: number;
  /** The step from the data (seconds): sessions break at or below it, fewer just above. */
  stepSeconds: number;
  /** The platform's timer margin added to the step (model/timer-slack.ts). */
  marginSeconds: number;
  /** Sessions broken just above the step. */
  sessionsWithDrops: number;
}

export interface AutoCandidates {
  /** Ascending, distinct: the steps' values and the current timeout. */
  timeouts: number[];
  steps: AutoCandidate[];
  currentSeconds: number;
}

export interface PlanResult {
  schemaVersion: 1;
  window: { start: string | null; end: string | null; seconds: number };
  inputs: Array<{ path: string; format: string }>;
  flows: number;
  platform: PlatformSetting;
  keepalive: KeepAliveSetting;
  protocol: 'tcp' | 'udp';
  candidates: CandidateResult[];
  /** With `--timeouts auto`: where each candidate comes from. */
  auto?: AutoCandidates;
  warnings: string[];
}


/**
 * Re-plans without re-reading the inputs: what the TUI and `recommend` use.
 * Everything the model needs is precomputed when the Planner is made (model/plan.ts).
 */
export interface Planner {
  readonly platform: PlatformSetting;
  readonly keepalive: KeepAliveSetting;
  readonly window: PlanResult['window'];
  readonly gaps: GapSummary;
  evaluate(timeoutSeconds: number): CandidateResult;
  /** Each candidate as evaluate gives it, the flows walked once for all of them (break-schedule.ts). */
  evaluateAll(timeoutsSeconds: readonly number[]): CandidateResult[];
  /** A planner over the same flows with another platform profile or keep-alive profile. */
  withPlatform(name: string): Planner;
  withKeepAlive(profile: string): Planner;
}
