/**
 * Builds the change request (change-request.ts) from the planners: the candidates, the impact,
 * the coverage, the configuration lines of the platform (config/) and the prose
 * (change-request-prose.ts). The proposal's usage checks (CLI_REPORT_*) are the CLI's, before
 * any input is read (checkProposal in src/cli/report.ts).
 */
import { gapFloorWarnings } from '../model/plan.js';
import { idleStateOf } from '../model/platforms.js';
import type { TimeoutRule } from '../model/policy.js';
import { formatDuration } from '../util/duration.js';
import { protoName } from '../util/protocols.js';
import type { ChangeRequest, ChangeRequestInput, Coverage, Impact, ReportCandidate, ServiceChange } from './change-request.js';
import { assumptions, changeTitle, risks, summaryText, watchList } from './change-request-prose.js';
import { endpointsOf } from './config/endpoints.js';
import { platformConfig } from './config/index.js';
import { unknownPlatformConfig } from './config/unknown.js';

function protocolName(proto: number | undefined): string | null {
  return proto === undefined ? null : protoName(proto);
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
  const idleState = idleStateOf(proto);
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

/** Builds the change request (the CLI's checkProposal first: a proposal that changes something). */
export function buildChangeRequest(input: ChangeRequestInput): ChangeRequest {
  const { planner, rules, protocol } = input;
  const perService = rules.length > 0;
  if (!perService && input.proposedSeconds === null) throw new Error('buildChangeRequest: a global proposal needs proposedSeconds');
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
  const cfg = platformConfig(platformName);
  const known = cfg !== null;
  const direction: ChangeRequest['change']['direction'] = perService
    ? (services.some((s) => s.idleSeconds !== null && s.idleSeconds > input.currentSeconds) ? 'raise' : services.every((s) => s.idleSeconds === input.currentSeconds) ? 'keep' : 'lower')
    : proposedGlobal > input.currentSeconds ? 'raise' : 'lower';
  const change: ChangeRequest['change'] = { scope: perService ? 'per-service' : 'global', direction, currentSeconds: input.currentSeconds, currentSource: input.currentSource, proposedSeconds: proposedGlobal, services };

  const warnings = [...input.warnings];
  warnings.push(...gapFloorWarnings(candidates.map((c) => c.timeoutSeconds), planner.platform.stateTimeouts, input.gapFloorSeconds));
  for (const c of candidates) for (const w of c.result.warnings) warnings.push(`at ${formatDuration(c.timeoutSeconds)}${c.scope === 'per-service' ? ' with the per-service rules' : ''}: ${w}`);

  const coverage: Coverage = {
    window: planner.window,
    inputs: input.inputs,
    flows: input.flows,
    censoredFlows: planner.gaps.censored,
    gaps: { count: planner.gaps.count, p50: planner.gaps.p50, p90: planner.gaps.p90, p99: planner.gaps.p99, max: planner.gaps.max, exact: planner.gaps.exact },
    gapFloorSeconds: input.gapFloorSeconds,
    extrapolated: candidates.filter((c) => c.result.extrapolated).map((c) => ({ timeoutSeconds: c.timeoutSeconds, role: c.role, reason: c.result.extrapolatedReason ?? 'beyond the capture window' })),
    keepalive: planner.keepalive,
    platform: planner.platform,
    warnings,
  };

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
    evidence: {
      current: before.affected, proposed: after.affected,
      dropLog: cfg !== null ? cfg.dropLog(endpointsOf(before.affected[0]?.label)) : 'the firewall\'s log of packets dropped for want of a session (see docs/PLATFORMS.md)',
      ...(input.loggedDrops !== undefined && input.loggedDrops !== null ? { loggedDrops: input.loggedDrops } : {}),
    },
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
