/**
 * The data of a change request a firewall owner can file as it is (`fwtp report`): what
 * changes and why, current against proposed (and other candidates), the impact, the evidence
 * as a drop log shows it, data coverage and assumptions, the configuration lines that apply
 * and roll back the change on the chosen platform, the risks and what to watch afterwards.
 *
 * Built by build-change-request.ts from Planners (model/plan.ts), so every figure is the one
 * `fwtp plan` prints for the same candidate. The renderers (markdown.ts, html.ts,
 * change-request-csv-json.ts) only lay it out; the JSON output is this object as is
 * (schemaVersion 1). Text that comes from the inputs (paths, addresses, rule text, a profile
 * file's platform name) is kept raw here and escaped by each renderer.
 */
import type { TimeoutRule } from '../model/policy.js';
import type { AffectedService, CandidateResult, KeepAliveSetting, Planner, PlatformSetting, TableEntries } from '../model/types.js';
import type { GapSummary } from '../flows/types.js';
import type { LoggedDropEvidence } from './logged-drops.js';

export interface ReportInput {
  path: string;
  format: string;
  packets?: number;
  truncated?: boolean;
}

export interface ChangeRequestInput {
  /** Planner over the inputs with the platform as configured today (no per-service rules). */
  planner: Planner;
  /** Planner with the proposal's per-service rules on top, or null when the proposal is global. */
  servicePlanner: Planner | null;
  /** The proposal's per-service rules (parseServiceRule), empty for a global proposal. */
  rules: TimeoutRule[];
  platformTitle: string;
  currentSeconds: number;
  /** 'flag' when --current was given, 'profile' when it is the platform profile's value. */
  currentSource: 'flag' | 'profile';
  /** The global timeout proposed. With rules: an alternative (raise it for everything instead), or null. */
  proposedSeconds: number | null;
  /** Further global timeouts to compare. */
  candidateSeconds: number[];
  protocol: 'tcp' | 'udp';
  inputs: ReportInput[];
  flows: number;
  gapFloorSeconds: number;
  /** Warnings from reading the inputs. */
  warnings: string[];
  /** The logged-drop evidence (logged-drops.ts), when firewall logs among the inputs logged drops. */
  loggedDrops?: LoggedDropEvidence | null;
}

export type Role = 'current' | 'proposed' | 'alternative';

export interface ReportCandidate {
  role: Role;
  /** The global (candidate) timeout of this row, seconds. */
  timeoutSeconds: number;
  scope: 'global' | 'per-service';
  /** Per-service rules in force in this row, as given. */
  services: string[];
  result: CandidateResult;
}

export interface ServiceChange {
  /** The rule as given on the command line. */
  rule: string;
  /** Protocol the configuration lines are written for: the rule's, else the report's. */
  protocol: string;
  /** Server address or prefix; null = any. */
  address: string | null;
  /** "1521" or "1521-1530"; null = any. */
  port: string | null;
  stateTimeouts: Record<string, number>;
  /** The idle timeout the rule sets for that protocol (TCP established, UDP replied), or null. */
  idleSeconds: number | null;
  /** "tcp 198.51.100.24:1521" */
  label: string;
}

export interface ConfigBlock {
  title: string;
  /** Configuration lines, to paste as they are (placeholders in <angle brackets>). */
  lines: string[];
  notes: string[];
}

export interface BeforeAfter<T> {
  before: T;
  after: T;
}

export interface Impact {
  sessionsWithDrops: BeforeAfter<number> & { avoided: number };
  droppedKeepAlives: BeforeAfter<number> & { avoided: number };
  droppedPackets: BeforeAfter<number>;
  brokenByKind: BeforeAfter<CandidateResult['brokenByKind']>;
  tableEntries: BeforeAfter<TableEntries>;
  memoryBytes: BeforeAfter<{ mean: number; peak: number }>;
  /** Peak entries as a share of the table maximum (0..1), null without a known maximum. */
  headroom: BeforeAfter<number | null>;
  tableMax: number | null;
  /** Entries per hour kept for good (leaked sessions refreshed by keep-alives), null when none. */
  growthPerHour: BeforeAfter<number | null>;
  /** Hours until the proposed growth alone fills the table from its peak, null when not applicable. */
  hoursToTableMax: number | null;
}

export interface Coverage {
  window: { start: string | null; end: string | null; seconds: number };
  inputs: ReportInput[];
  flows: number;
  /** Flows still open at the end of the window: their last idle period is censored. */
  censoredFlows: number;
  gaps: { count: number; p50: number | null; p90: number | null; p99: number | null; max: number | null; exact: boolean };
  gapFloorSeconds: number;
  extrapolated: Array<{ timeoutSeconds: number; role: Role; reason: string }>;
  keepalive: KeepAliveSetting;
  platform: PlatformSetting;
  warnings: string[];
}

export interface ChangeRequest {
  schemaVersion: 1;
  title: string;
  platform: { name: string; title: string; known: boolean };
  protocol: 'tcp' | 'udp';
  change: {
    scope: 'global' | 'per-service';
    direction: 'raise' | 'lower' | 'keep';
    currentSeconds: number;
    currentSource: 'flag' | 'profile';
    /** Global timeout after the change (= current for a per-service change). */
    proposedSeconds: number;
    services: ServiceChange[];
  };
  summary: string;
  /** Current first, then the proposal, then the alternatives by timeout. */
  candidates: ReportCandidate[];
  impact: Impact;
  evidence: {
    /** Sessions that lose their state today, as a drop log shows them (source -> destination). */
    current: AffectedService[];
    /** Those still losing it after the change. */
    proposed: AffectedService[];
    /** What the drop log of this platform looks like for such a packet. */
    dropLog: string;
    /** With firewall logs among the inputs: their drops classified, quoted, and set against the model at the current timeout. */
    loggedDrops?: LoggedDropEvidence;
  };
  coverage: Coverage;
  assumptions: string[];
  configuration: {
    apply: ConfigBlock;
    rollback: ConfigBlock;
    /** Whether the change reaches sessions already in the table. */
    existingSessions: string;
  };
  risks: string[];
  watch: string[];
  /** The idle-gap distribution (ECDF for the chart). */
  gaps: GapSummary;
}
