/**
 * `fwtp report`: the data of a change request a firewall owner can file as it is: what
 * changes and why, current against proposed (and other candidates), the impact, the evidence
 * as a drop log shows it, data coverage and assumptions, the configuration lines that apply
 * and roll back the change on the chosen platform, the risks and what to watch afterwards.
 *
 * Built from Planners (model/plan.ts), so every figure is the one `fwtp plan` prints for the
 * same candidate. The renderers (markdown.ts, html.ts, CSV below) only lay it out; the JSON
 * output is this object as is (schemaVersion 1). Text that comes from the inputs (paths,
 * addresses, rule text, a profile file's platform name) is kept raw here and escaped by each
 * renderer.
 *
 * Configuration lines are templated from docs/PLATFORMS.md ("Per-service timeouts", sources in
 * /work/shared/reference/per-service-timeouts.md and timeouts.md); what to watch from
 * reference/drop-logs.md. Only the nftables lines were run (lab); the report says so.
 */
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../flows/types.js';
import type { TimeoutRule } from '../model/policy.js';
import type { AffectedService, CandidateResult, GapSummary, KeepAliveSetting, Planner, PlatformSetting, TableEntries } from '../model/types.js';
import { formatDuration } from '../util/duration.js';
import { usageError } from '../util/errors.js';
import { csvLine } from './csv.js';
import { formatBytes } from './plan.js';

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

// ---------------------------------------------------------------------------------------------
// Building

function protocolName(proto: number | undefined): string | null {
  if (proto === undefined) return null;
  if (proto === PROTO_TCP) return 'tcp';
  if (proto === PROTO_UDP) return 'udp';
  if (proto === PROTO_ICMP) return 'icmp';
  if (proto === PROTO_ICMPV6) return 'icmpv6';
  return `ip-${proto}`;
}

function bracket(addr: string): string {
  return addr.includes(':') ? `[${addr}]` : addr;
}

/** A rule's service in the words of the configuration templates. */
export function serviceChange(rule: TimeoutRule, protocol: 'tcp' | 'udp'): ServiceChange {
  const m = rule.match;
  const proto = protocolName(m.proto) ?? protocol;
  const port = m.serverPort === undefined ? null : typeof m.serverPort === 'number' ? String(m.serverPort) : `${m.serverPort[0]}-${m.serverPort[1]}`;
  const address = m.serverAddr ?? null;
  const stateTimeouts: Record<string, number> = {};
  for (const [k, v] of Object.entries(rule.stateTimeouts)) if (v !== undefined) stateTimeouts[k] = v;
  const idleState = proto === 'udp' ? 'udp_replied' : proto === 'tcp' ? 'established' : proto.startsWith('icmp') ? 'icmp' : 'other';
  const first = Object.values(stateTimeouts)[0];
  const idleSeconds = stateTimeouts[idleState] ?? first ?? null;
  return {
    rule: rule.label ?? '',
    protocol: proto,
    address,
    port,
    stateTimeouts,
    idleSeconds,
    label: `${proto} ${address === null ? '*' : bracket(address)}:${port ?? '*'}`,
  };
}

/** "15 sessions", "1 session". */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * A duration for prose: whole seconds from a minute up (7200.031 -> 2h, 5559.5 -> 1h32m40s),
 * milliseconds below; beyond two days in days, beyond a year in years ("about 24.8 years").
 */
export function readableDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatDuration(seconds);
  if (seconds >= 365 * 86400) return `about ${(seconds / (365.25 * 86400)).toFixed(1)} years`;
  if (seconds >= 2 * 86400) return `about ${Math.round(seconds / 86400)} days`;
  if (seconds >= 60) return formatDuration(Math.round(seconds));
  return formatDuration(Math.round(seconds * 1000) / 1000);
}

/** "1h (3600 s)" */
export function durationWithSeconds(seconds: number): string {
  return `${formatDuration(seconds)} (${seconds} s)`;
}

/** A number with `digits` decimals, integers as they are. */
export function fixed(n: number, digits: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/** A share (0..1) as a percentage, '-' for null. */
export function percent(share: number | null): string {
  if (share === null) return '-';
  const p = share * 100;
  return `${p < 0.01 && p > 0 ? '<0.01' : p.toFixed(2)}%`;
}

/**
 * Usage errors before any input is read: CLI_REPORT_NO_PROPOSAL (neither --proposed nor
 * --service-timeout), CLI_REPORT_SAME (a global proposal equal to the current timeout).
 */
export function checkProposal(currentSeconds: number, proposedSeconds: number | null, ruleCount: number): void {
  if (proposedSeconds === null && ruleCount === 0) {
    throw usageError('CLI_REPORT_NO_PROPOSAL', 'no proposal: give --proposed SECONDS (a new global timeout) or --service-timeout ADDR:PORT=SECONDS (a timeout for one service)');
  }
  if (ruleCount === 0 && proposedSeconds === currentSeconds) {
    throw usageError('CLI_REPORT_SAME', `the proposed timeout equals the current one (${currentSeconds} s): nothing to change`);
  }
}

/** Builds the change request (checkProposal first). */
export function buildChangeRequest(input: ChangeRequestInput): ChangeRequest {
  const { planner, rules, protocol } = input;
  checkProposal(input.currentSeconds, input.proposedSeconds, rules.length);
  const perService = rules.length > 0;
  if (perService && input.servicePlanner === null) throw new Error('buildChangeRequest: per-service rules need a servicePlanner');
  const current: ReportCandidate = { role: 'current', timeoutSeconds: input.currentSeconds, scope: 'global', services: [], result: planner.evaluate(input.currentSeconds) };
  const services = rules.map((r) => serviceChange(r, protocol));
  const proposedGlobal = perService ? input.currentSeconds : (input.proposedSeconds as number);
  const proposed: ReportCandidate = perService
    ? { role: 'proposed', timeoutSeconds: proposedGlobal, scope: 'per-service', services: services.map((s) => s.rule), result: input.servicePlanner!.evaluate(proposedGlobal) }
    : { role: 'proposed', timeoutSeconds: proposedGlobal, scope: 'global', services: [], result: planner.evaluate(proposedGlobal) };
  const altSeconds = new Set<number>(input.candidateSeconds);
  if (perService && input.proposedSeconds !== null) altSeconds.add(input.proposedSeconds);
  altSeconds.delete(input.currentSeconds);
  if (!perService) altSeconds.delete(proposedGlobal);
  const alternatives: ReportCandidate[] = [...altSeconds].sort((a, b) => a - b)
    .map((t) => ({ role: 'alternative' as const, timeoutSeconds: t, scope: 'global' as const, services: [], result: planner.evaluate(t) }));
  const candidates = [current, proposed, ...alternatives];

  const before = current.result;
  const after = proposed.result;
  const tableMax = planner.platform.tableMax;
  const growthAfter = after.growthPerHour;
  const impact: Impact = {
    sessionsWithDrops: { before: before.sessionsWithDrops, after: after.sessionsWithDrops, avoided: Math.max(0, before.sessionsWithDrops - after.sessionsWithDrops) },
    droppedKeepAlives: { before: before.droppedKeepAlives, after: after.droppedKeepAlives, avoided: Math.max(0, before.droppedKeepAlives - after.droppedKeepAlives) },
    droppedPackets: { before: before.droppedPackets, after: after.droppedPackets },
    brokenByKind: { before: before.brokenByKind, after: after.brokenByKind },
    tableEntries: { before: before.tableEntries, after: after.tableEntries },
    memoryBytes: { before: before.memoryBytes, after: after.memoryBytes },
    headroom: { before: before.headroom, after: after.headroom },
    tableMax,
    growthPerHour: { before: before.growthPerHour, after: growthAfter },
    hoursToTableMax: tableMax !== null && growthAfter !== null && growthAfter > 0 ? Math.max(0, tableMax - after.tableEntries.peak) / growthAfter : null,
  };

  const platformName = planner.platform.name;
  const known = Object.hasOwn(PLATFORM_CONFIG, platformName);
  const direction: ChangeRequest['change']['direction'] = perService
    ? (services.some((s) => s.idleSeconds !== null && s.idleSeconds > input.currentSeconds) ? 'raise' : services.every((s) => s.idleSeconds === input.currentSeconds) ? 'keep' : 'lower')
    : proposedGlobal > input.currentSeconds ? 'raise' : 'lower';
  const change: ChangeRequest['change'] = { scope: perService ? 'per-service' : 'global', direction, currentSeconds: input.currentSeconds, currentSource: input.currentSource, proposedSeconds: proposedGlobal, services };

  const warnings = [...input.warnings];
  const floor = input.gapFloorSeconds;
  const below = candidates.filter((c) => c.timeoutSeconds < floor).map((c) => c.timeoutSeconds);
  if (below.length > 0) warnings.push(`candidates ${[...new Set(below)].join(', ')} s are shorter than the gap floor (${floor} s): gaps below the floor were not kept per flow, so these figures miss expiries (lower --gap-floor)`);
  for (const [state, secs] of Object.entries(planner.platform.stateTimeouts)) {
    if (secs < floor && state !== 'established') warnings.push(`the ${state} timeout (${secs} s) is shorter than the gap floor (${floor} s): expiries in that state are not seen`);
  }
  for (const c of candidates) for (const w of c.result.warnings) warnings.push(`at ${formatDuration(c.timeoutSeconds)}${c.scope === 'per-service' ? ' with the per-service rules' : ''}: ${w}`);

  const coverage: Coverage = {
    window: planner.window,
    inputs: input.inputs,
    flows: input.flows,
    censoredFlows: planner.gaps.censored,
    gaps: { count: planner.gaps.count, p50: planner.gaps.p50, p90: planner.gaps.p90, p99: planner.gaps.p99, max: planner.gaps.max, exact: planner.gaps.exact },
    gapFloorSeconds: floor,
    extrapolated: candidates.filter((c) => c.result.extrapolated).map((c) => ({ timeoutSeconds: c.timeoutSeconds, role: c.role, reason: c.result.extrapolatedReason ?? 'beyond the capture window' })),
    keepalive: planner.keepalive,
    platform: planner.platform,
    warnings,
  };

  const cfg = known ? PLATFORM_CONFIG[platformName] : null;
  const configuration = cfg === null ? unknownPlatformConfig(platformName, change, protocol)
    : perService ? cfg.perService(services, input.currentSeconds) : cfg.global(proposedGlobal, input.currentSeconds, protocol);

  const title = changeTitle(change, protocol, platformName);
  const request: ChangeRequest = {
    schemaVersion: 1,
    title,
    platform: { name: platformName, title: input.platformTitle, known },
    protocol,
    change,
    summary: '',
    candidates,
    impact,
    evidence: { current: before.affected, proposed: after.affected, dropLog: cfg !== null ? cfg.dropLog(endpointsOf(before.affected[0]?.label)) : 'the firewall\'s log of packets dropped for want of a session (see docs/PLATFORMS.md)' },
    coverage,
    assumptions: [],
    configuration,
    risks: [],
    watch: [],
    gaps: planner.gaps,
  };
  request.summary = summaryText(request, (s) => s);
  request.assumptions = assumptions(request);
  request.risks = risks(request);
  request.watch = watchList(request, cfg);
  return request;
}

function changeTitle(change: ChangeRequest['change'], protocol: string, platform: string): string {
  const state = protocol === 'udp' ? 'UDP' : 'TCP established';
  if (change.scope === 'per-service') {
    const s = change.services.map((x) => `${x.label}${x.idleSeconds !== null ? ` to ${formatDuration(x.idleSeconds)}` : ''}`).join(', ');
    return `Change request: ${state} idle timeout on ${platform} for ${s} (global stays ${formatDuration(change.currentSeconds)})`;
  }
  return `Change request: ${change.direction} the ${state} idle timeout on ${platform} from ${formatDuration(change.currentSeconds)} to ${formatDuration(change.proposedSeconds)}`;
}

/**
 * The one-paragraph summary: what changes, why, the expected effect. `esc` is applied to every
 * input-derived fragment (addresses, rule text, platform name), so renderers can escape those
 * alone and keep the prose readable; the JSON keeps `esc` = identity.
 */
export function summaryText(r: ChangeRequest, esc: (text: string) => string): string {
  const c = r.change;
  const state = r.protocol === 'udp' ? 'UDP' : 'TCP established';
  const before = r.candidates[0].result;
  const after = r.candidates[1].result;
  const i = r.impact;
  const parts: string[] = [];
  if (c.scope === 'per-service') {
    const list = c.services.map((s) => `${s.idleSeconds !== null ? `to ${durationWithSeconds(s.idleSeconds)} ` : ''}for ${esc(s.label)}`).join(' and ');
    const given = c.services.map((s) => esc(s.rule)).join(', ');
    parts.push(`Change: set the ${state} idle timeout of the ${esc(r.platform.name)} firewall ${list} only (--service-timeout ${given}); every other connection keeps ${durationWithSeconds(c.currentSeconds)}.`);
  } else {
    parts.push(`Change: ${c.direction} the ${state} idle timeout of the ${esc(r.platform.name)} firewall from ${durationWithSeconds(c.currentSeconds)} to ${durationWithSeconds(c.proposedSeconds)}, for every connection.`);
  }
  const window = readableDuration(r.coverage.window.seconds);
  if (before.sessionsWithDrops > 0 || before.droppedKeepAlives > 0) {
    const k = before.brokenByKind;
    let why = `Why: at the current ${formatDuration(c.currentSeconds)}, ${plural(before.sessionsWithDrops, 'session')} lose their state while in use during the ${window} observed ` +
      `(first dropped packet: keep-alive ${k.keepAlive}, data ${k.data}, close ${k.close}) and ${plural(before.droppedKeepAlives, 'keep-alive probe')} are dropped`;
    const top = before.affected[0];
    if (top !== undefined) why += `; most affected: ${esc(top.label)}, ${plural(top.sessions, 'session')}, first dropped packet a ${kindWords(top.kind)} after ${readableDuration(top.idleSeconds)} idle`;
    parts.push(`${why}.`);
  } else {
    parts.push(`Why: at the current ${formatDuration(c.currentSeconds)} no session loses its state during the ${window} observed; the change is about table use.`);
  }
  const at = c.scope === 'per-service' ? 'with the per-service timeout' : `at ${formatDuration(c.proposedSeconds)}`;
  const peak = i.tableEntries.after.peak === i.tableEntries.before.peak ? `peak unchanged at ${i.tableEntries.after.peak}` : `peak ${i.tableEntries.after.peak} instead of ${i.tableEntries.before.peak}`;
  let effect = `Expected effect: ${at}, ${plural(after.sessionsWithDrops, 'session')} break and ${plural(after.droppedKeepAlives, 'keep-alive probe')} are dropped; ` +
    `the table holds ${fixed(i.tableEntries.after.mean, 1)} entries on average instead of ${fixed(i.tableEntries.before.mean, 1)} (${peak}), ${formatBytes(i.memoryBytes.after.peak)} at peak`;
  if (i.headroom.after !== null && i.tableMax !== null) effect += ` (${percent(i.headroom.after)} of the ${i.tableMax}-entry maximum)`;
  if (i.growthPerHour.after !== null) effect += `, and ${fixed(i.growthPerHour.after, 2)} more entries per hour stay for good for as long as the application leaks sessions`;
  parts.push(`${effect}.`);
  if (after.extrapolated) parts.push('The proposal\'s figures reach beyond the capture window (see data coverage).');
  return parts.join(' ');
}

export function kindWords(kind: AffectedService['kind']): string {
  return kind === 'keepAlive' ? 'keep-alive' : kind;
}

function assumptions(r: ChangeRequest): string[] {
  const p = r.coverage.platform;
  const src = (key: string): string => p.sources[key] ?? 'profile';
  const out: string[] = [];
  out.push(`The ${readableDuration(r.coverage.window.seconds)} observed are typical of the traffic through this firewall; the figures scale with the real session rate, not with this window.`);
  out.push(r.change.currentSource === 'flag'
    ? `The current ${r.protocol === 'udp' ? 'UDP' : 'TCP established'} timeout is ${durationWithSeconds(r.change.currentSeconds)} (given with --current).`
    : `The current timeout is the platform profile's value, ${durationWithSeconds(r.change.currentSeconds)} (no --current given): check it on the device.`);
  out.push(p.pickup === 'strict'
    ? `Strict pickup (${src('pickup')}): after an entry expires, any packet but a SYN is dropped, so the session breaks (the common stateful rule set).`
    : `Loose pickup (${src('pickup')}): a packet after expiry creates a new entry; nothing is dropped.`);
  out.push(`Every other state keeps the profile's timeout (time_wait ${p.stateTimeouts.time_wait} s, close ${p.stateTimeouts.close} s, fin_wait ${p.stateTimeouts.fin_wait} s; source: ${src('time_wait')}).`);
  out.push(`Memory: ${p.bytesPerEntry} bytes per entry (${src('bytesPerEntry')}) plus ${p.fixedBytes} fixed bytes (${src('fixedBytes')}); table maximum ${p.tableMax ?? 'unknown'} (${src('tableMax')}).`);
  const ka = r.coverage.keepalive;
  const sched = ka.schedule === null ? 'off' : `${ka.schedule.idleSeconds}/${ka.schedule.intervalSeconds}/${ka.schedule.count} (idle/interval/count)`;
  out.push(`Endpoint keep-alive: ${ka.profile} ${sched}, source ${ka.source}${ka.observed.length > 0 ? `; observed from ${plural(ka.observed.length, 'sender')}, see data coverage` : ''}.`);
  out.push('The model counts the first failure of each session, not what the application does after it (reconnects, errors shown to users).');
  out.push('Packets lost before the capture point look like idle time; timer granularity on the device can keep an entry a few seconds longer.');
  return out;
}

function risks(r: ChangeRequest): string[] {
  const out: string[] = [];
  const i = r.impact;
  const after = r.candidates[1].result;
  const meanDelta = i.tableEntries.after.mean - i.tableEntries.before.mean;
  const peakDelta = i.memoryBytes.after.peak - i.memoryBytes.before.peak;
  if (meanDelta > 0) out.push(`More entries held: ${fixed(meanDelta, 1)} more on average (${fixed(i.tableEntries.before.mean, 1)} -> ${fixed(i.tableEntries.after.mean, 1)})${peakDelta > 0 ? `, ${formatBytes(peakDelta)} more memory at peak` : ', the same peak'}.`);
  if (i.growthPerHour.after !== null) {
    const fill = i.hoursToTableMax !== null ? ` At that rate alone the table maximum (${i.tableMax}) is reached in ${readableDuration(i.hoursToTableMax * 3600)}.` : ' The table maximum is unknown on this platform: set an alarm on the entry count.';
    out.push(`Leaked sessions no longer expire: ${fixed(i.growthPerHour.after, 2)} entries per hour accumulate until the application closes them or restarts.${fill}`);
  }
  if (i.headroom.after !== null && i.headroom.after > 0.8) out.push(`The peak reaches ${percent(i.headroom.after)} of the table maximum: new connections may be refused when it fills.`);
  if (after.sessionsWithDrops > 0) out.push(`${plural(after.sessionsWithDrops, 'session')} still lose their state with the proposal (see the evidence).`);
  if (after.extrapolated) out.push(`The proposal's figures are extrapolated beyond the capture window: ${after.extrapolatedReason ?? ''}`.trim());
  if (r.change.direction === 'lower') out.push('A shorter timeout forgets idle sessions sooner: check the broken-session figures before applying.');
  const limits = r.platform.known ? PLATFORM_CONFIG[r.platform.name].limits : null;
  const values = r.change.scope === 'per-service' ? r.change.services.map((s) => s.idleSeconds).filter((v): v is number => v !== null) : [r.change.proposedSeconds];
  if (limits !== null) {
    for (const v of values) {
      if (v < limits.minSeconds || v > limits.maxSeconds) out.push(`${v} s is outside what ${r.platform.name} accepts (${limits.minSeconds}..${limits.maxSeconds} s): ${limits.note}`);
    }
    if (r.change.scope === 'per-service' && !limits.perService) out.push(`${r.platform.name} has no per-service idle timeout: ${limits.note}`);
  }
  out.push(`Existing sessions: ${r.configuration.existingSessions}`);
  return out;
}

function watchList(r: ChangeRequest, cfg: PlatformConfig | null): string[] {
  const i = r.impact;
  const out: string[] = [];
  out.push(`Table entries: expect about ${fixed(i.tableEntries.after.mean, 1)} on average and ${i.tableEntries.after.peak} at peak for traffic like the observed (today ${fixed(i.tableEntries.before.mean, 1)} and ${i.tableEntries.before.peak}).`);
  out.push(...(cfg?.watch ?? ['the device\'s session count, its drop counters and its table-full messages']));
  if (r.evidence.current.length > 0) out.push(`The drop log lines for the sessions in the evidence (${r.evidence.current.slice(0, 3).map((a) => a.label).join('; ')}) should stop.`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Platform configuration (docs/PLATFORMS.md)

interface PlatformConfig {
  global(proposedSeconds: number, currentSeconds: number, protocol: 'tcp' | 'udp'): ChangeRequest['configuration'];
  perService(services: ServiceChange[], currentSeconds: number): ChangeRequest['configuration'];
  /** How the platform logs a packet dropped for want of a session, for the evidence's top pair. */
  dropLog(e: Endpoints): string;
  watch: string[];
  limits: { minSeconds: number; maxSeconds: number; perService: boolean; note: string };
}

/** The two ends of the evidence's first pair, as the drop log templates write them. */
interface Endpoints {
  proto: string;
  src: string;
  sport: string;
  dst: string;
  dport: string;
  /** "192.0.2.10:*" and "198.51.100.24:1521" for the session-level logs. */
  client: string;
  server: string;
}

/**
 * Splits an AffectedService label ("tcp 198.51.100.24:1521 -> 192.0.2.10:*") into its ends;
 * placeholders when there is none or it does not have that form. An ephemeral port (*) is
 * written <client port>.
 */
export function endpointsOf(label: string | undefined): Endpoints {
  const m = label === undefined ? null : /^(\S+) (\[[^\]]+\]|[^\s:]+):(\d+|\*) -> (\[[^\]]+\]|[^\s:]+):(\d+|\*)$/.exec(label);
  if (m === null) return { proto: 'tcp', src: '<source>', sport: '<port>', dst: '<destination>', dport: '<port>', client: '<client>', server: '<server>' };
  const port = (p: string): string => (p === '*' ? '<client port>' : p);
  const bare = (a: string): string => a.replace(/^\[|\]$/g, '');
  const srcIsClient = m[3] === '*';
  const src = `${m[2]}:${m[3]}`;
  const dst = `${m[4]}:${m[5]}`;
  return { proto: m[1], src: bare(m[2]), sport: port(m[3]), dst: bare(m[4]), dport: port(m[5]), client: srcIsClient ? src : dst, server: srcIsClient ? dst : src };
}

const NOT_RUN = 'Written from the vendor documentation cited in docs/PLATFORMS.md; not run on a device.';

/** h:mm:ss as Cisco ASA writes timeouts (hours may exceed 24). */
export function asaDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** A Go duration (kube-proxy flags): 9000 -> 2h30m0s. */
export function goDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
}

/** IPv4 prefix length -> dotted mask (24 -> 255.255.255.0). */
export function ipv4Mask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(32, prefix))) >>> 0;
  return [24, 16, 8, 0].map((sh) => (bits >>> sh) & 255).join('.');
}

function splitPrefix(address: string): { addr: string; prefix: number | null } {
  const slash = address.indexOf('/');
  return slash < 0 ? { addr: address, prefix: null } : { addr: address.slice(0, slash), prefix: Number(address.slice(slash + 1)) };
}

function isV6(address: string | null): boolean {
  return address !== null && address.includes(':');
}

function withPrefix(address: string): string {
  const { prefix } = splitPrefix(address);
  return prefix !== null ? address : `${address}/${isV6(address) ? 128 : 32}`;
}

function objectName(s: ServiceChange, index: number, services: ServiceChange[]): string {
  const base = `fwtp-${s.port ?? 'any'}-${s.idleSeconds ?? 'custom'}`;
  return services.filter((x, k) => k < index && `fwtp-${x.port ?? 'any'}-${x.idleSeconds ?? 'custom'}` === base).length > 0 ? `${base}-${index + 1}` : base;
}

const NFT_TCP_STATES = ['syn_sent', 'syn_recv', 'established', 'fin_wait', 'close_wait', 'last_ack', 'time_wait', 'close'];
const NFT_UDP_STATES: Record<string, string> = { udp_unreplied: 'unreplied', udp_replied: 'replied' };

function linuxGlobal(kube: boolean) {
  return (proposed: number, current: number, protocol: 'tcp' | 'udp'): ChangeRequest['configuration'] => {
    const key = protocol === 'udp' ? 'net.netfilter.nf_conntrack_udp_timeout_stream' : 'net.netfilter.nf_conntrack_tcp_timeout_established';
    const notes = ['Per network namespace; to keep it across reboots put the same key in a file under /etc/sysctl.d/.'];
    const lines = [`sysctl -w ${key}=${Math.round(proposed)}`];
    const back = [`sysctl -w ${key}=${Math.round(current)}`];
    if (kube && protocol === 'tcp') {
      notes.unshift('kube-proxy owns this sysctl on Kubernetes nodes: set its flag (or its configuration file\'s conntrack section) and restart it, or it writes its own value back.');
      lines.unshift(`kube-proxy --conntrack-tcp-timeout-established=${goDuration(proposed)}`);
      back.unshift(`kube-proxy --conntrack-tcp-timeout-established=${goDuration(current)}`);
    }
    return {
      apply: { title: kube ? 'Kubernetes node (kube-proxy, Linux conntrack), global' : 'Linux conntrack, global', lines, notes },
      rollback: { title: 'restore the current value', lines: back, notes: [] },
      existingSessions: 'Existing entries take the new value at their next packet (lab, Linux 6.18).',
    };
  };
}

function linuxPerService(services: ServiceChange[]): ChangeRequest['configuration'] {
  const objects: string[] = [];
  const rules: string[] = [];
  const notes: string[] = ['Load with: nft -f FILE (lab-tested form, Linux 6.18, nftables 1.0.6). nft takes plain integer seconds.'];
  services.forEach((s, k) => {
    const name = objectName(s, k, services);
    const udp = s.protocol === 'udp';
    const policy: string[] = [];
    for (const [state, secs] of Object.entries(s.stateTimeouts)) {
      if (udp && NFT_UDP_STATES[state] !== undefined) policy.push(`${NFT_UDP_STATES[state]}: ${Math.round(secs)}`);
      else if (!udp && NFT_TCP_STATES.includes(state)) policy.push(`${state}: ${Math.round(secs)}`);
    }
    const fam = isV6(s.address) ? 'ip6' : 'ip';
    objects.push(`  ct timeout ${name} {`, `    protocol ${udp ? 'udp' : 'tcp'};`, `    l3proto ${fam};`, `    policy = { ${policy.join(', ')} };`, '  }');
    const match = [s.address !== null ? `${fam} daddr ${s.address}` : '', s.port !== null ? `${udp ? 'udp' : 'tcp'} dport ${s.port}` : `meta l4proto ${udp ? 'udp' : 'tcp'}`].filter((x) => x !== '').join(' ');
    rules.push(`    ${match} ct timeout set "${name}"`);
    if (s.address === null) notes.push(`${s.label}: the object is for IPv4 (l3proto ip); add a second one with l3proto ip6 for IPv6 traffic.`);
    const ipt = isV6(s.address) ? 'ip6tables' : 'iptables';
    const dport = s.port !== null ? ` --dport ${s.port.replace('-', ':')}` : '';
    const daddr = s.address !== null ? ` -d ${s.address}` : '';
    const states = udp ? Object.entries(s.stateTimeouts).filter(([st]) => NFT_UDP_STATES[st] !== undefined).map(([st, v]) => `${NFT_UDP_STATES[st]} ${Math.round(v)}`)
      : Object.entries(s.stateTimeouts).filter(([st]) => NFT_TCP_STATES.includes(st)).map(([st, v]) => `${st} ${Math.round(v)}`);
    notes.push(`iptables instead of nftables (nfct(8); not run): nfct add timeout ${name} inet ${udp ? 'udp' : 'tcp'} ${states.join(' ')}; ${ipt} -t raw -A PREROUTING -p ${udp ? 'udp' : 'tcp'}${daddr}${dport} -j CT --timeout ${name}`);
  });
  const lines = ['table inet fwtp {', ...objects, '  chain pre {', '    type filter hook prerouting priority filter; policy accept;', ...rules, '  }', '}'];
  return {
    apply: { title: 'Linux nftables: ct timeout policy for the service', lines, notes },
    rollback: { title: 'remove the table (connections opened meanwhile keep the longer timeout until they end)', lines: ['nft delete table inet fwtp'], notes: [] },
    existingSessions: 'The ct timeout policy reaches only connections opened after the rule (lab: an older entry kept the global timeout): plan a reconnect (pool recycle or application restart) after applying it.',
  };
}

function asaMatch(s: ServiceChange): string {
  const proto = s.protocol === 'udp' ? 'udp' : 'tcp';
  let dst = 'any';
  if (s.address !== null) {
    const { addr, prefix } = splitPrefix(s.address);
    dst = prefix === null ? `host ${addr}` : isV6(addr) ? s.address : `${addr} ${ipv4Mask(prefix)}`;
  }
  const port = s.port === null ? '' : s.port.includes('-') ? ` range ${s.port.replace('-', ' ')}` : ` eq ${s.port}`;
  return `${proto} any ${dst}${port}`;
}

const PLATFORM_CONFIG: Record<string, PlatformConfig> = {
  linux: {
    global: linuxGlobal(false),
    perService: (services) => linuxPerService(services),
    dropLog: (e) => `the kernel log line of a logging drop rule, "fwtp-drop: IN=... SRC=${e.src} DST=${e.dst} ... PROTO=${e.proto.toUpperCase()} SPT=${e.sport} DPT=${e.dport} ... ACK URGP=0" (nft rule: tcp flags & (fin|syn|rst|ack) != syn ct state new log prefix "fwtp-drop: " drop)`,
    watch: [
      'Entry count: conntrack -C (or cat /proc/sys/net/netfilter/nf_conntrack_count) against sysctl net.netfilter.nf_conntrack_max.',
      'Drop counters: conntrack -S (drop, early_drop, insert_failed per CPU).',
      'Table full: dmesg | grep "nf_conntrack: table full, dropping packet".',
      'Drop log: the "ct state new" non-SYN drop rule\'s log lines (SRC= SPT= -> DST= DPT=, flag ACK without SYN).',
    ],
    limits: { minSeconds: 1, maxSeconds: 2147483, perService: true, note: 'timeouts are jiffies in a signed 32-bit delta (lab: larger values wrap)' },
  },
  'kube-proxy': {
    global: linuxGlobal(true),
    perService: (services) => linuxPerService(services),
    dropLog: (e) => `the kernel log line of a logging drop rule on the node, "fwtp-drop: ... SRC=${e.src} DST=${e.dst} ... SPT=${e.sport} DPT=${e.dport} ... ACK"; lines from pod network namespaces need net.netfilter.nf_log_all_netns=1`,
    watch: [
      'Entry count on each node: conntrack -C (or cat /proc/sys/net/netfilter/nf_conntrack_count) against nf_conntrack_max (kube-proxy sets it from --conntrack-max-per-core).',
      'Drop counters: conntrack -S (drop, early_drop, insert_failed).',
      'Table full: dmesg | grep "nf_conntrack: table full, dropping packet".',
    ],
    limits: { minSeconds: 1, maxSeconds: 2147483, perService: true, note: 'timeouts are jiffies in a signed 32-bit delta' },
  },
  'cisco-asa': {
    global: (p, c, protocol) => ({
      apply: { title: 'Cisco ASA, global', lines: [`timeout ${protocol === 'udp' ? 'udp' : 'conn'} ${asaDuration(p)}`], notes: [NOT_RUN, 'Cisco ASA CLI Configuration Guide, "Configure Global Timeouts".'] },
      rollback: { title: 'restore the current value', lines: [`timeout ${protocol === 'udp' ? 'udp' : 'conn'} ${asaDuration(c)}`], notes: [] },
      existingSessions: 'Whether existing connections take the new global value is unconfirmed: watch the sessions in the evidence after the change.',
    }),
    perService: (services) => {
      const lines: string[] = [];
      const back: string[] = [];
      services.forEach((s, k) => {
        const name = `FWTP-${k + 1}`;
        lines.push(`access-list ${name} extended permit ${asaMatch(s)}`, `class-map ${name}`, ` match access-list ${name}`);
        back.push('policy-map global_policy', ` no class ${name}`, `no class-map ${name}`, `no access-list ${name} extended permit ${asaMatch(s)}`);
      });
      lines.push('policy-map global_policy');
      services.forEach((s, k) => lines.push(` class FWTP-${k + 1}`, `  set connection timeout idle ${asaDuration(s.idleSeconds ?? 0)}`));
      lines.push('service-policy global_policy global');
      return {
        apply: { title: 'Cisco ASA: MPF class with its own idle timeout', lines, notes: [NOT_RUN, 'Idle 0:0:1..1193:0:0, 0 = never; "dcd" (dead connection detection) would instead probe both ends and keep live idle connections.'] },
        rollback: { title: 'remove the class', lines: back, notes: [] },
        existingSessions: 'Whether connections opened before the change take the class timeout is unconfirmed: plan a reconnect of the affected pool to be sure.',
      };
    },
    dropLog: (e) => `%ASA-6-106015: Deny ${e.proto.toUpperCase()} (no connection) from ${e.src}/${e.sport} to ${e.dst}/${e.dport} flags ACK on interface <if>`,
    watch: [
      'Connections: show conn count.',
      'Drops: show asp drop (tcp-not-syn: first TCP packet not SYN).',
      'Drop log: %ASA-6-106015 "Deny TCP (no connection)" for the services in the evidence.',
    ],
    limits: { minSeconds: 1, maxSeconds: 1193 * 3600, perService: true, note: 'idle timeouts run 0:0:1..1193:0:0' },
  },
  panos: {
    global: (p, c, protocol) => ({
      apply: { title: 'PAN-OS, global session timeout', lines: [`set deviceconfig setting session timeout-${protocol} ${Math.round(p)}`, 'commit'], notes: [NOT_RUN, 'Web interface: Device > Setup > Session > Session Timeouts.'] },
      rollback: { title: 'restore the current value', lines: [`set deviceconfig setting session timeout-${protocol} ${Math.round(c)}`, 'commit'], notes: [] },
      existingSessions: 'Whether existing sessions take the new value is unconfirmed.',
    }),
    perService: (services) => {
      const lines: string[] = [];
      const back: string[] = [];
      services.forEach((s, k) => {
        const svc = `fwtp-svc-${k + 1}-${s.idleSeconds ?? 0}`;
        const addr = `fwtp-dst-${k + 1}`;
        if (s.address !== null) lines.push(`set address ${addr} ip-netmask ${withPrefix(s.address)}`);
        lines.push(`set service ${svc} protocol ${s.protocol === 'udp' ? 'udp' : 'tcp'} port ${s.port ?? '0-65535'} override yes timeout ${Math.round(s.idleSeconds ?? 0)}`);
        lines.push(`set rulebase security rules fwtp-rule-${k + 1} from <from-zone> to <to-zone> source any destination ${s.address !== null ? addr : 'any'} application any service ${svc} action allow`);
        back.push(`set service ${svc} protocol ${s.protocol === 'udp' ? 'udp' : 'tcp'} override no`);
      });
      lines.push('commit');
      back.push('commit');
      return {
        apply: { title: 'PAN-OS: service object with a timeout override', lines, notes: [NOT_RUN, 'TCP Timeout 1..604800 s; place the rule above the rule that allows this traffic today.'] },
        rollback: { title: 'drop the override (or delete the rule)', lines: back, notes: [] },
        existingSessions: 'Whether existing sessions take the override is unconfirmed: plan a reconnect of the affected pool to be sure.',
      };
    },
    dropLog: (e) => `no per-packet record for non-SYN drops; the TRAFFIC "end" record of the session (${e.client} to ${e.server}) with Session End Reason aged-out`,
    watch: [
      'Sessions: show session info (table size and utilisation).',
      'Drops: show counter global filter delta yes (non-SYN TCP drops).',
      'TRAFFIC logs with session end reason aged-out for the services in the evidence.',
    ],
    limits: { minSeconds: 1, maxSeconds: 604800, perService: true, note: 'TCP Timeout runs 1..604800 s' },
  },
  fortigate: {
    global: (p, c) => ({
      apply: { title: 'FortiGate, default session-ttl', lines: ['config system session-ttl', `    set default ${Math.round(p)}`, 'end'], notes: [NOT_RUN, 'Applies to sessions without a policy, service or port session-ttl of their own.'] },
      rollback: { title: 'restore the current value', lines: ['config system session-ttl', `    set default ${Math.round(c)}`, 'end'], notes: [] },
      existingSessions: 'Whether existing sessions take the new value is unconfirmed.',
    }),
    perService: (services) => {
      const lines: string[] = [];
      const back: string[] = [];
      services.forEach((s, k) => {
        const svc = `FWTP-${s.port ?? 'ANY'}-${s.idleSeconds ?? 0}`;
        const addr = `fwtp-dst-${k + 1}`;
        if (s.address !== null && !isV6(s.address)) {
          const { addr: a, prefix } = splitPrefix(s.address);
          lines.push('config firewall address', `    edit "${addr}"`, `        set subnet ${a} ${ipv4Mask(prefix ?? 32)}`, '    next', 'end');
        }
        lines.push('config firewall service custom', `    edit "${svc}"`, `        set ${s.protocol === 'udp' ? 'udp' : 'tcp'}-portrange ${s.port ?? '1-65535'}`, `        set session-ttl ${Math.round(s.idleSeconds ?? 0)}`, '    next', 'end');
        lines.push('config firewall policy', '    edit 0', '        set srcintf "<srcintf>"', '        set dstintf "<dstintf>"', '        set srcaddr "all"',
          `        set dstaddr "${s.address !== null && !isV6(s.address) ? addr : 'all'}"`, `        set service "${svc}"`, '        set action accept', '        set schedule "always"', '    next', 'end');
        back.push('config firewall service custom', `    edit "${svc}"`, '        set session-ttl 0', '    next', 'end');
      });
      return {
        apply: { title: 'FortiGate: custom service with its own session-ttl', lines, notes: [NOT_RUN, 'session-ttl 300..2764800 s, 0 = default; a custom service beats the policy, port and default values. Move the policy above the one that allows this traffic today.'] },
        rollback: { title: 'back to the default session-ttl (0)', lines: back, notes: [] },
        existingSessions: 'Whether existing sessions take the new TTL is unconfirmed: plan a reconnect of the affected pool to be sure.',
      };
    },
    dropLog: (e) => `a traffic log entry srcip=${e.src} srcport=${e.sport} dstip=${e.dst} dstport=${e.dport} ... action="deny" ... msg="no session matched" (only with "set log-invalid-packet enable")`,
    watch: [
      'Sessions: diagnose sys session stat (session count, drops).',
      'Drop log: traffic log entries msg="no session matched" for the services in the evidence (enable log-invalid-packet).',
    ],
    limits: { minSeconds: 300, maxSeconds: 2764800, perService: true, note: 'session-ttl runs 300..2764800 s' },
  },
  checkpoint: {
    global: (p, c, protocol) => {
      const key = protocol === 'udp' ? 'udp-virtual-session-timeout' : 'tcp-session-timeout';
      return {
        apply: { title: 'Check Point, Global Properties > Stateful Inspection', lines: [`mgmt_cli set-global-properties stateful-inspection.${key} ${Math.round(p)}`, 'mgmt_cli publish', 'mgmt_cli install-policy policy-package "<package>" targets "<gateway>"'], notes: [NOT_RUN] },
        rollback: { title: 'restore the current value', lines: [`mgmt_cli set-global-properties stateful-inspection.${key} ${Math.round(c)}`, 'mgmt_cli publish', 'mgmt_cli install-policy policy-package "<package>" targets "<gateway>"'], notes: [] },
        existingSessions: 'Whether existing connections take the new value is unconfirmed.',
      };
    },
    perService: (services) => {
      const lines: string[] = [];
      const back: string[] = [];
      for (const s of services) {
        const name = `fwtp-${s.port ?? 'any'}-${s.idleSeconds ?? 0}`;
        const kind = s.protocol === 'udp' ? 'service-udp' : 'service-tcp';
        lines.push(`mgmt_cli add ${kind} name "${name}" port ${s.port ?? '1-65535'} session-timeout ${Math.round(s.idleSeconds ?? 0)} use-default-session-timeout false match-for-any false`);
        back.push(`mgmt_cli set ${kind} name "${name}" use-default-session-timeout true`);
      }
      lines.push('mgmt_cli publish');
      back.push('mgmt_cli publish', 'mgmt_cli install-policy policy-package "<package>" targets "<gateway>"');
      const dst = services.map((s) => s.address ?? 'any').join(', ');
      return {
        apply: { title: 'Check Point: TCP service object with its own session timeout', lines, notes: [NOT_RUN, `Use the service in the rule whose destination is ${dst}; publish and install the policy.`] },
        rollback: { title: 'back to the default session timeout', lines: back, notes: [] },
        existingSessions: 'Whether existing connections take the new timeout is unconfirmed: plan a reconnect of the affected pool to be sure.',
      };
    },
    dropLog: (e) => `a Drop log entry src:"${e.src}"; s_port:"${e.sport}"; dst:"${e.dst}"; service:"${e.dport}"; tcp_flags:"ACK" with "TCP packet out of state: First packet isn't SYN"`,
    watch: [
      'Connections: fw tab -t connections -s (#VALS now, #PEAK).',
      'Drop log: "TCP packet out of state: First packet isn\'t SYN" for the services in the evidence.',
    ],
    limits: { minSeconds: 1, maxSeconds: Number.MAX_SAFE_INTEGER, perService: true, note: 'maximum unconfirmed' },
  },
  'juniper-srx': {
    global: (p, c) => ({
      apply: { title: 'Juniper SRX: no global knob; the timeout belongs to the application', lines: [`set applications application <application> inactivity-timeout ${Math.round(p)}`, 'commit'],
        notes: [NOT_RUN, 'The TCP default 1800 s comes from the protocol table; predefined junos-* applications cannot be changed: define your own applications for the policies that carry this traffic.'] },
      rollback: { title: 'restore the current value', lines: [c === 1800 ? 'delete applications application <application> inactivity-timeout' : `set applications application <application> inactivity-timeout ${Math.round(c)}`, 'commit'], notes: [] },
      existingSessions: 'Whether existing sessions take the new value is unconfirmed.',
    }),
    perService: (services) => {
      const lines: string[] = [];
      const back: string[] = [];
      services.forEach((s, k) => {
        const app = `fwtp-${s.port ?? 'any'}-${s.idleSeconds ?? 0}`;
        lines.push(`set applications application ${app} protocol ${s.protocol === 'udp' ? 'udp' : 'tcp'}${s.port !== null ? ` destination-port ${s.port}` : ''} inactivity-timeout ${Math.round(s.idleSeconds ?? 0)}`);
        if (s.address !== null) lines.push(`set security zones security-zone <to-zone> address-book address fwtp-dst-${k + 1} ${withPrefix(s.address)}`);
        lines.push(`set security policies from-zone <from-zone> to-zone <to-zone> policy fwtp-${k + 1} match source-address any destination-address ${s.address !== null ? `fwtp-dst-${k + 1}` : 'any'} application ${app}`,
          `set security policies from-zone <from-zone> to-zone <to-zone> policy fwtp-${k + 1} then permit`);
        back.push(`delete applications application ${app} inactivity-timeout`);
      });
      lines.push('commit');
      back.push('commit');
      return {
        apply: { title: 'Juniper SRX: application with its own inactivity-timeout', lines, notes: [NOT_RUN, 'Range 4..86400 s or never; insert the policy above the one that permits this traffic today. Applications with the same protocol and overlapping ports share the last configured timeout.'] },
        rollback: { title: 'back to the default timeout', lines: back, notes: [] },
        existingSessions: 'Whether existing sessions take the new timeout is unconfirmed: plan a reconnect of the affected pool to be sure.',
      };
    },
    dropLog: (e) => `no per-packet record by default; RT_FLOW_SESSION_CLOSE "session closed idle Timeout" for the aged session (${e.client} to ${e.server})`,
    watch: [
      'Sessions: show security flow session summary.',
      'RT_FLOW_SESSION_CLOSE records with reason idle Timeout for the services in the evidence.',
    ],
    limits: { minSeconds: 4, maxSeconds: 86400, perService: true, note: 'inactivity-timeout runs 4..86400 s (or never)' },
  },
  pf: {
    global: (p, c, protocol) => {
      const key = protocol === 'udp' ? 'udp.multiple' : 'tcp.established';
      return {
        apply: { title: 'pf, global (pf.conf)', lines: [`set timeout ${key} ${Math.round(p)}`, 'pfctl -f /etc/pf.conf'], notes: ['pf.conf(5) "set timeout".'] },
        rollback: { title: 'restore the current value', lines: [`set timeout ${key} ${Math.round(c)}`, 'pfctl -f /etc/pf.conf'], notes: [] },
        existingSessions: 'A state keeps the timeouts of the rule that created it; a global set timeout reaches states whose rule has none of its own (inferred from pf_state_expires).',
      };
    },
    perService: (services) => {
      const lines = services.map((s) => {
        const proto = s.protocol === 'udp' ? 'udp' : 'tcp';
        const to = s.address ?? 'any';
        const port = s.port !== null ? ` port ${s.port.replace('-', ':')}` : '';
        const opt = proto === 'udp' ? `udp.multiple ${Math.round(s.idleSeconds ?? 0)}` : `tcp.established ${Math.round(s.idleSeconds ?? 0)}`;
        return `pass in on $int_if proto ${proto} from any to ${to}${port}${proto === 'tcp' ? ' flags S/SA' : ''} keep state (${opt})`;
      });
      lines.push('pfctl -f /etc/pf.conf');
      return {
        apply: { title: 'pf: rule with its own state timeout (pf.conf)', lines, notes: ['pf.conf(5), STATEFUL TRACKING OPTIONS; place the rule where it matches before the rule that passes this traffic today (last match wins unless quick).'] },
        rollback: { title: 'remove the rule (or its timeout option) and reload', lines: ['pfctl -f /etc/pf.conf'], notes: ['Edit pf.conf back to the previous rule first.'] },
        existingSessions: 'Existing states keep the timeouts of the rule that created them: only connections opened after the reload get the new timeout; plan a reconnect.',
      };
    },
    dropLog: (e) => `a pflog record (tcpdump -n -e -tttt -S -i pflog0) "rule N/0(match): block in on <if>: ${e.src}.${e.sport} > ${e.dst}.${e.dport}: Flags [.]" (ACK without S), only if the block rule has log`,
    watch: [
      'States: pfctl -si (current entries, state-limit counter) and pfctl -sm (limits).',
      'Drop log: tcpdump -n -e -i pflog0 for blocked packets with Flags [.] (no S) from the services in the evidence.',
    ],
    limits: { minSeconds: 1, maxSeconds: Number.MAX_SAFE_INTEGER, perService: true, note: 'no documented maximum' },
  },
  'aws-nat-gateway': {
    global: (p, c) => ({
      apply: { title: 'AWS NAT Gateway: the 350 s idle timeout is fixed', lines: [],
        notes: ['It cannot be changed. Behind an NLB or GWLB the listener attribute goes to 6000 s at most:', `aws elbv2 modify-listener-attributes --listener-arn <arn> --attributes Key=tcp.idle_timeout.seconds,Value=${Math.min(6000, Math.round(p))}`, 'Otherwise make the endpoints send keep-alives below 350 s (TCP_KEEPIDLE, Oracle SQLNET.EXPIRE_TIME, the pool\'s keep-alive).'] },
      rollback: { title: 'the NLB/GWLB listener\'s previous value', lines: [`aws elbv2 modify-listener-attributes --listener-arn <arn> --attributes Key=tcp.idle_timeout.seconds,Value=${Math.round(c)}`], notes: ['Only where an NLB/GWLB listener was changed.'] },
      existingSessions: 'Unconfirmed for NLB/GWLB listeners.',
    }),
    perService: () => ({
      apply: { title: 'AWS NAT Gateway: no per-service timeout', lines: [], notes: ['The 350 s is fixed for every connection; make the endpoints send keep-alives below it instead (TCP_KEEPIDLE, Oracle SQLNET.EXPIRE_TIME, the pool\'s keep-alive).'] },
      rollback: { title: 'nothing to roll back', lines: [], notes: ['Nothing changes on the gateway.'] },
      existingSessions: 'Not applicable: nothing changes on the gateway.',
    }),
    dropLog: (e) => `VPC Flow Logs REJECT records from ${e.src} port ${e.sport} to ${e.dst} port ${e.dport} (aggregated; a bare ACK shows tcp-flags 0)`,
    watch: ['CloudWatch NAT Gateway metrics: IdleTimeoutCount, ActiveConnectionCount.', 'VPC Flow Logs: REJECT records for the services in the evidence.'],
    limits: { minSeconds: 350, maxSeconds: 350, perService: false, note: 'the NAT Gateway idle timeout is fixed at 350 s (NLB/GWLB listeners 60..6000 s)' },
  },
  azure: {
    global: (p, c) => ({
      apply: { title: 'Azure Load Balancer rule idle timeout (minutes)', lines: [`az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule> --idle-timeout ${Math.min(100, Math.max(4, Math.ceil(p / 60)))} --enable-tcp-reset true`],
        notes: [NOT_RUN, 'Load Balancer 4..100 min, NAT Gateway 4..120 min (per gateway), Azure Firewall north-south 4 min (15 by support request).'] },
      rollback: { title: 'restore the current value', lines: [`az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule> --idle-timeout ${Math.min(100, Math.max(4, Math.ceil(c / 60)))}`], notes: [] },
      existingSessions: 'Unconfirmed.',
    }),
    perService: (services) => ({
      apply: { title: 'Azure Load Balancer: the timeout belongs to the load-balancing rule', lines: services.map((s) => `az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule for ${s.label}> --idle-timeout ${Math.min(100, Math.max(4, Math.ceil((s.idleSeconds ?? 0) / 60)))} --enable-tcp-reset true`),
        notes: [NOT_RUN, 'At most 100 min (6000 s): longer idle periods need endpoint keep-alives below it.'] },
      rollback: { title: 'the rule\'s previous idle timeout', lines: ['az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule> --idle-timeout <previous minutes>'], notes: [] },
      existingSessions: 'Unconfirmed.',
    }),
    dropLog: (e) => `NSG or VNet flow log tuples "<time>,${e.src},${e.dst},${e.sport},${e.dport},T,I,D" (decision D, no TCP flags)`,
    watch: ['Flow logs: tuples with decision D for the services in the evidence.', 'Load Balancer / NAT Gateway connection metrics in Azure Monitor.'],
    limits: { minSeconds: 240, maxSeconds: 6000, perService: true, note: 'Load Balancer rules take 4..100 min (NAT Gateway up to 120 min, per gateway only)' },
  },
  'gcp-cloud-nat': {
    global: (p, c, protocol) => {
      const flag = protocol === 'udp' ? '--udp-idle-timeout' : '--tcp-established-idle-timeout';
      return {
        apply: { title: 'Google Cloud NAT, per gateway', lines: [`gcloud compute routers nats update <nat> --router=<router> --region=<region> ${flag}=${Math.round(p)}s`], notes: [NOT_RUN] },
        rollback: { title: 'restore the current value', lines: [`gcloud compute routers nats update <nat> --router=<router> --region=<region> ${flag}=${Math.round(c)}s`], notes: [] },
        existingSessions: 'Unconfirmed.',
      };
    },
    perService: () => ({
      apply: { title: 'Google Cloud NAT: no per-service timeout', lines: [], notes: ['Timeouts are per NAT gateway; the finest grain is a separate gateway for some source subnets. Otherwise make the endpoints send keep-alives below the gateway timeout.'] },
      rollback: { title: 'nothing to roll back', lines: [], notes: ['Nothing changes on the gateway.'] },
      existingSessions: 'Not applicable.',
    }),
    dropLog: (e) => `Cloud NAT log entries for dropped connections between ${e.client} and ${e.server}`,
    watch: ['Cloud NAT logging and the gateway\'s dropped-packet metrics for the services in the evidence.'],
    limits: { minSeconds: 1, maxSeconds: Number.MAX_SAFE_INTEGER, perService: false, note: 'Cloud NAT timeouts are per gateway, not per service' },
  },
};

function unknownPlatformConfig(name: string, change: ChangeRequest['change'], protocol: string): ChangeRequest['configuration'] {
  const what = change.scope === 'per-service'
    ? change.services.map((s) => `${s.label} ${s.idleSeconds ?? ''} s`).join(', ')
    : `${protocol} idle timeout ${change.proposedSeconds} s`;
  return {
    apply: { title: `No configuration template for platform ${name}`, lines: [], notes: [`Set ${what} with the device's own configuration; docs/PLATFORMS.md lists the knobs of the built-in platforms.`] },
    rollback: { title: 'restore the previous setting', lines: [], notes: [`Restore ${change.scope === 'per-service' ? 'the previous service settings' : `${change.currentSeconds} s`}.`] },
    existingSessions: 'Unknown for this platform: watch the sessions in the evidence after the change.',
  };
}

// ---------------------------------------------------------------------------------------------
// CSV: one row per candidate, the comparison columns (cells through csvCell).

const CSV_HEADER = ['role', 'scope', 'services', 'timeout_s', 'timeout', 'sessions_with_drops', 'dropped_keepalives', 'dropped_packets', 'broken_keepalive', 'broken_data', 'broken_close',
  'entries_mean', 'entries_peak', 'entries_p99', 'entries_at_end', 'memory_mean_bytes', 'memory_peak_bytes', 'headroom', 'growth_per_hour', 'extrapolated', 'most_affected', 'platform'];

export function changeRequestCsv(r: ChangeRequest): string {
  const lines = [CSV_HEADER.join(',')];
  for (const c of r.candidates) {
    const x = c.result;
    lines.push(csvLine([c.role, c.scope, c.services.join(' '), c.timeoutSeconds, formatDuration(c.timeoutSeconds), x.sessionsWithDrops, x.droppedKeepAlives, x.droppedPackets,
      x.brokenByKind.keepAlive, x.brokenByKind.data, x.brokenByKind.close, x.tableEntries.mean, x.tableEntries.peak, x.tableEntries.p99, x.tableEntries.atEnd,
      x.memoryBytes.mean, x.memoryBytes.peak, x.headroom, x.growthPerHour, x.extrapolated, x.affected[0]?.label ?? '', r.platform.name]));
  }
  return lines.join('\n') + '\n';
}

/** The JSON output: the change request as is. */
export function changeRequestJson(r: ChangeRequest): string {
  return JSON.stringify(r, null, 2) + '\n';
}

