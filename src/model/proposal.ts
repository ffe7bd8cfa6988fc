/**
 * The exact fix (docs/MODEL.md, "The fix"): for every service whose sessions break at the current
 * timeout, the smallest timeout of its own that keeps them (an exact threshold from its flows plus
 * the timer margin), what that costs in table memory against raising the global timeout to the
 * same safety, and the endpoint keep-alive that would make the current timeout safe; the three
 * remedies ranked by the entry memory they add.
 */
import { type FlowSet } from '../flows/types.js';
import { PROTO_TCP, PROTO_UDP } from '../util/protocols.js';
import { selectFlows } from '../flows/select.js';
import { makePlanner, type PlanData, type PlanOptions } from './plan.js';
import type { TimeoutRule } from './policy.js';
import { breakpoints, smallestSafeTimeout } from './thresholds.js';
import { thresholdMargin, type ThresholdMargin } from './timer-slack.js';
import { timeoutCapability, type TimeoutCapability } from './capabilities.js';
import type { CandidateResult } from './types.js';

export interface ServiceKey {
  protocol: 'tcp' | 'udp';
  serverAddr: string;
  serverPort: number;
}

export interface SafeSetting {
  /** The breakpoint from the data: any timeout above it keeps the sessions (seconds). */
  thresholdSeconds: number;
  /** True when the window cannot show a safe value: the threshold is at least this. */
  lowerBound: boolean;
  margin: ThresholdMargin;
  /** Threshold plus margin, rounded up to whole seconds: the value to set. */
  timeoutSeconds: number;
}

export interface ServiceFix extends SafeSetting {
  service: ServiceKey;
  flows: number;
  brokenAtCurrent: number;
  /** The whole table with this service at its own timeout and everything else at the current one. */
  withFix: CandidateResult;
  /** False when the platform has no per-service timeout, or its limit is below the value. */
  possible: boolean;
  why: string | null;
}

export type RemedyKind = 'keepalive' | 'service' | 'global';

export interface Remedy {
  kind: RemedyKind;
  possible: boolean;
  why: string | null;
  /** Entry memory added against the current timeout (entries x bytes per entry), mean and peak. */
  addedEntryBytes: { mean: number; peak: number };
  sessionsWithDrops: number;
}

export interface FixProposal {
  currentSeconds: number;
  atCurrent: CandidateResult;
  capability: TimeoutCapability;
  global: (SafeSetting & { candidate: CandidateResult; possible: boolean; why: string | null }) | null;
  services: ServiceFix[];
  /** Every per-service fix applied together. */
  allServices: CandidateResult | null;
  remedies: Remedy[];
}

const PER_SERVICE_LIMIT = 10;

function serviceGroups(fs: FlowSet, proto: number): Map<string, { key: ServiceKey; flows: number[] }> {
  const groups = new Map<string, { key: ServiceKey; flows: number[] }>();
  for (let i = 0; i < fs.count; i++) {
    if (fs.proto[i] !== proto) continue;
    const addr = fs.addresses[fs.serverAddr[i]!]!;
    const port = fs.serverPort[i]!;
    const id = `${addr}|${port}`;
    let g = groups.get(id);
    if (g === undefined) { g = { key: { protocol: proto === PROTO_TCP ? 'tcp' : 'udp', serverAddr: addr, serverPort: port }, flows: [] }; groups.set(id, g); }
    g.flows.push(i);
  }
  return groups;
}

function settingOf(platformName: string, threshold: number, lowerBound: boolean): SafeSetting {
  const margin = thresholdMargin(platformName, threshold);
  return { thresholdSeconds: threshold, lowerBound, margin, timeoutSeconds: Math.ceil(threshold + margin.seconds) };
}

function serviceRule(s: ServiceKey, seconds: number, state: string): TimeoutRule {
  return { match: { proto: s.protocol === 'tcp' ? PROTO_TCP : PROTO_UDP, serverAddr: s.serverAddr, serverPort: s.serverPort }, stateTimeouts: { [state]: seconds } };
}

function addedBytes(c: CandidateResult, base: CandidateResult, bytesPerEntry: number): { mean: number; peak: number } {
  return { mean: (c.tableEntries.mean - base.tableEntries.mean) * bytesPerEntry, peak: (c.tableEntries.peak - base.tableEntries.peak) * bytesPerEntry };
}

export interface ProposalInput {
  data: PlanData;
  options: PlanOptions;
  currentSeconds: number;
  maxBroken: number;
  /** The keep-alive remedy evaluated at the current timeout, when one applies. */
  keepAlive: CandidateResult | null;
}

export function proposeFix(input: ProposalInput): FixProposal {
  const { data, options, currentSeconds, maxBroken } = input;
  const fs = data.flows;
  const platformName = options.platform.name;
  const capability = timeoutCapability(platformName);
  const bytesPerEntry = options.platform.bytesPerEntry;
  const state = options.protocol === 'tcp' ? 'established' : 'udp_replied';
  const floorSeconds = fs.gapFloorUs / 1e6;
  const planner = makePlanner(data, options);
  const atCurrent = planner.evaluate(currentSeconds);

  const safe = smallestSafeTimeout(planner, breakpoints(fs, planner, options.protocol), maxBroken, floorSeconds);
  let global: FixProposal['global'] = null;
  if (safe !== null) {
    const setting = settingOf(platformName, safe.seconds, safe.lowerBound);
    const over = capability.maxSeconds !== null && setting.timeoutSeconds > capability.maxSeconds;
    global = { ...setting, candidate: planner.evaluate(setting.timeoutSeconds), possible: !over, why: over ? `${platformName} accepts at most ${capability.maxSeconds} s` : null };
  }

  // Services whose sessions break at the current timeout, each planned on its own flows.
  const services: ServiceFix[] = [];
  if (atCurrent.sessionsWithDrops > 0) {
    const groups = [...serviceGroups(fs, options.protocol === 'tcp' ? PROTO_TCP : PROTO_UDP).values()];
    for (const g of groups) {
      const sub: PlanData = { flows: selectFlows(fs, g.flows), distribution: data.distribution };
      const subPlanner = makePlanner(sub, { ...options, serviceLimit: 0, currentSeconds });
      const broken = subPlanner.evaluate(currentSeconds).sessionsWithDrops;
      if (broken === 0) continue;
      const s = smallestSafeTimeout(subPlanner, breakpoints(sub.flows, subPlanner, options.protocol), 0, currentSeconds);
      if (s === null) continue;
      const setting = settingOf(platformName, s.seconds, s.lowerBound);
      const withFix = makePlanner(data, { ...options, rules: [...(options.rules ?? []), serviceRule(g.key, setting.timeoutSeconds, state)] }).evaluate(currentSeconds);
      const over = capability.maxSeconds !== null && setting.timeoutSeconds > capability.maxSeconds;
      const possible = capability.perService && !over;
      const why = !capability.perService ? (capability.note ?? `${platformName} has no per-service timeout`) : over ? `${platformName} accepts at most ${capability.maxSeconds} s` : null;
      services.push({ ...setting, service: g.key, flows: g.flows.length, brokenAtCurrent: broken, withFix, possible, why });
    }
    services.sort((a, b) => b.brokenAtCurrent - a.brokenAtCurrent || a.timeoutSeconds - b.timeoutSeconds);
    services.splice(PER_SERVICE_LIMIT);
  }
  const allServices = services.length === 0 ? null
    : makePlanner(data, { ...options, rules: [...(options.rules ?? []), ...services.map((s) => serviceRule(s.service, s.timeoutSeconds, state))] }).evaluate(currentSeconds);

  const remedies: Remedy[] = [];
  if (atCurrent.sessionsWithDrops > 0) {
    if (input.keepAlive !== null) remedies.push({ kind: 'keepalive', possible: true, why: null, addedEntryBytes: addedBytes(input.keepAlive, atCurrent, bytesPerEntry), sessionsWithDrops: input.keepAlive.sessionsWithDrops });
    if (allServices !== null) {
      const blocked = services.find((s) => !s.possible);
      remedies.push({ kind: 'service', possible: blocked === undefined, why: blocked?.why ?? null, addedEntryBytes: addedBytes(allServices, atCurrent, bytesPerEntry), sessionsWithDrops: allServices.sessionsWithDrops });
    }
    if (global !== null) remedies.push({ kind: 'global', possible: global.possible, why: global.why, addedEntryBytes: addedBytes(global.candidate, atCurrent, bytesPerEntry), sessionsWithDrops: global.candidate.sessionsWithDrops });
    // Possible remedies that keep sessions within the limit first, then by the memory they add; keep-alive first on ties.
    const rank = (r: Remedy): number => (r.possible && r.sessionsWithDrops <= maxBroken ? 0 : 1);
    const order: RemedyKind[] = ['keepalive', 'service', 'global'];
    remedies.sort((a, b) => rank(a) - rank(b) || a.addedEntryBytes.mean - b.addedEntryBytes.mean || order.indexOf(a.kind) - order.indexOf(b.kind));
  }
  return { currentSeconds, atCurrent, capability, global, services, allServices, remedies };
}
