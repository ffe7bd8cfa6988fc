/**
 * Shared by the report tests: the story sample read in process (as `fwtp report` reads it,
 * gap floor 1 s), the change request built from it, and a fake Planner whose labels carry
 * hostile text (for the escaping tests).
 */
import { fileURLToPath } from 'node:url';
import { readInputs, type ReadResult } from '../../src/read/inputs.js';
import { makePlanner, type PlanOptions } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { parseServiceRule } from '../../src/model/policy.js';
import type { CandidateResult, Planner } from '../../src/model/types.js';
import type { GapSummary } from '../../src/flows/types.js';
import { buildChangeRequest } from '../../src/report/build-change-request.js';
import type { ChangeRequest } from '../../src/report/change-request.js';

export const STORY = fileURLToPath(new URL('../../samples/oracle-pool.pcap', import.meta.url));

let cached: Promise<ReadResult> | null = null;
export function readStory(): Promise<ReadResult> {
  cached ??= readInputs([STORY], { gapFloorUs: 1e6 });
  return cached;
}

export function storyOptions(platform = 'linux', rules: string[] = []): PlanOptions {
  return { platform: getPlatform(platform), platformProvenance: {}, keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp', rules: rules.map(parseServiceRule) };
}

/** The change request `fwtp report STORY --current 3600 [--proposed P] [--service-timeout R]... --platform X` builds. */
export async function storyReport(opts: { proposed?: number | null; rules?: string[]; candidates?: number[]; platform?: string } = {}): Promise<ChangeRequest> {
  const result = await readStory();
  const data = { flows: result.flows, distribution: result.distribution };
  const rules = opts.rules ?? [];
  const platform = opts.platform ?? 'linux';
  return buildChangeRequest({
    planner: makePlanner(data, storyOptions(platform)),
    servicePlanner: rules.length > 0 ? makePlanner(data, storyOptions(platform, rules)) : null,
    rules: rules.map(parseServiceRule),
    platformTitle: getPlatform(platform).title,
    currentSeconds: 3600,
    currentSource: 'flag',
    proposedSeconds: opts.proposed === undefined ? 9000 : opts.proposed,
    candidateSeconds: opts.candidates ?? [],
    protocol: 'tcp',
    inputs: result.inputs.map((i) => ({ path: 'samples/oracle-pool.pcap', format: i.format, packets: i.packets })),
    flows: result.flows.count,
    gapFloorSeconds: 1,
    warnings: [],
  });
}

/** Text no renderer may pass through raw. */
export const HOSTILE = '<script>alert(1)</script> | *x* =cmd()';

function hostileCandidate(timeoutSeconds: number, broken: number): CandidateResult {
  return {
    timeoutSeconds,
    sessionsWithDrops: broken,
    droppedKeepAlives: broken * 9,
    droppedPackets: broken * 10,
    brokenByKind: { keepAlive: broken, data: 0, close: 0 },
    tableEntries: { mean: 2.5, peak: 4, p99: 4, atEnd: 1 },
    memoryBytes: { mean: 1280, peak: 2048 },
    headroom: null,
    growthPerHour: null,
    extrapolated: broken === 0,
    ...(broken === 0 ? { extrapolatedReason: `reason ${HOSTILE}` } : {}),
    series: [0, 1, 2, 4, 1],
    affected: broken === 0 ? [] : [
      { label: `=cmd() ${HOSTILE} -> 192.0.2.10:*`, sessions: broken, kind: 'keepAlive', idleSeconds: 7200 },
      { label: 'tcp 192.0.2.10:* -> 198.51.100.24:1521', sessions: 1, kind: 'data', idleSeconds: 5559.5 },
    ],
    warnings: [`warning ${HOSTILE}`],
  };
}

const HOSTILE_GAPS: GapSummary = {
  count: 4, p50: 1, p90: 7000, p99: 7200, max: 7200, censored: 1, exact: true,
  ecdf: [{ seconds: 0.01, fraction: 0.25 }, { seconds: 1, fraction: 0.5 }, { seconds: 3000, fraction: 0.75 }, { seconds: 7200, fraction: 1 }],
  histogram: [],
};

/** A Planner answering with fixed figures whose labels, sender and platform name are hostile. */
export function hostilePlanner(): Planner {
  const platform = getPlatform('linux');
  const planner: Planner = {
    platform: {
      name: `=HYPERLINK("x") ${HOSTILE}`, stateTimeouts: { ...platform.stateTimeouts }, pickup: 'strict', bytesPerEntry: 256, fixedBytes: 0, tableMax: null,
      sources: { time_wait: 'profile' },
    },
    keepalive: { profile: 'linux', schedule: { idleSeconds: 7200, intervalSeconds: 75, count: 9 }, source: 'observed', observed: [{ sender: `${HOSTILE}:1521`, idleSeconds: 7200, intervalSeconds: null, probes: 3 }] },
    window: { start: '2026-11-02T08:00:00.000Z', end: '2026-11-02T12:00:00.000Z', seconds: 14400 },
    gaps: HOSTILE_GAPS,
    evaluate: (t: number) => hostileCandidate(t, t < 7200 ? 3 : 0),
    evaluateAll: (ts: readonly number[]) => ts.map((t) => planner.evaluate(t)),
    withPlatform: () => planner,
    withKeepAlive: () => planner,
  };
  return planner;
}

export function hostileReport(): ChangeRequest {
  return buildChangeRequest({
    planner: hostilePlanner(),
    servicePlanner: null,
    rules: [],
    platformTitle: `title ${HOSTILE}`,
    currentSeconds: 3600,
    currentSource: 'flag',
    proposedSeconds: 9000,
    candidateSeconds: [7200],
    protocol: 'tcp',
    inputs: [{ path: `/tmp/${HOSTILE}.pcap`, format: 'pcap', packets: 10 }],
    flows: 2,
    gapFloorSeconds: 1,
    warnings: [`input warning ${HOSTILE}`],
  });
}
