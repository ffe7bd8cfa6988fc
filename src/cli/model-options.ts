/**
 * Options shared by the commands that run the model (plan, recommend, compare): the
 * platform profile and its overrides, endpoint keep-alive, per-service timeouts, candidates.
 */
import type { Argv } from 'yargs';
import { applyOverrides, loadPlatformFile, parseStateTimeoutFlag, type PlatformOverrides } from '../model/platform-overrides.js';
import { currentTimeoutSeconds, getPlatform, platformNames, type PlatformProfile } from '../model/platforms.js';
import { parseServiceRule, type TimeoutRule } from '../model/policy.js';
import { parseTimeouts } from '../util/duration.js';
import { usageError } from '../util/errors.js';
import { plan, type PlanOptions } from '../model/plan.js';
import { planDump, type ListingPlan } from '../model/dump.js';
import type { ReadResult } from '../read/inputs.js';
import type { PlanResult } from '../model/types.js';
import type { Source } from '../model/types.js';
import { withLogEvidence } from './log-timeout.js';
import { listingTimeoutsInForce } from '../flows/listing-ages.js';
import { FwtpError } from '../util/errors.js';

export interface ModelArgs {
  timeouts?: string;
  steps: number;
  platform: string;
  'platform-file'?: string;
  'state-timeout'?: string[];
  'bytes-per-entry'?: number;
  'table-max'?: number;
  pickup?: 'strict' | 'loose';
  protocol: 'tcp' | 'udp';
  keepalive?: string;
  'service-timeout'?: string[];
}

/** Candidates when none are given: 5 minutes to 1 day on a logarithmic grid, plus the platform's own value. */
export const DEFAULT_TIMEOUTS = '5m..1d';

export function modelOptions<T>(y: Argv<T>): Argv<T & ModelArgs> {
  return y
    .option('timeouts', { alias: 't', type: 'string', describe: `candidate timeouts: a list (3600,7200,9000; 90s, 60m, 2h30m, 1:00:00) or a range LO..HI on a log grid (default ${DEFAULT_TIMEOUTS} plus the platform's current value)` })
    .option('steps', { type: 'number', default: 12, describe: 'values in a --timeouts range' })
    .option('platform', { alias: 'p', type: 'string', default: 'linux', describe: `firewall profile: ${platformNames().join(', ')}` })
    .option('platform-file', { type: 'string', describe: 'JSON profile file ({"base": "linux", "stateTimeouts": {...}, "bytesPerEntry": ...})' })
    .option('state-timeout', { type: 'string', array: true, describe: 'override one state timeout, e.g. time_wait=120 (repeatable)' })
    .option('bytes-per-entry', { type: 'number', describe: 'memory per connection-table entry, bytes' })
    .option('table-max', { type: 'number', describe: 'connection-table maximum (entries)' })
    .option('pickup', { choices: ['strict', 'loose'] as const, describe: 'strict: only a SYN creates state (default); loose: mid-stream packets create state' })
    .option('protocol', { choices: ['tcp', 'udp'] as const, default: 'tcp' as const, describe: 'which established timeout the candidate replaces' })
    .option('keepalive', { alias: 'k', type: 'string', describe: 'endpoint keep-alive: linux, windows, macos, off or IDLE/INTERVAL/COUNT (7200/75/9); default: what the capture shows, else linux' })
    .option('service-timeout', { type: 'string', array: true, describe: 'per-service timeout kept apart from the candidate, e.g. 198.51.100.24:1521=9000 (repeatable)' }) as unknown as Argv<T & ModelArgs>;
}

export function resolvePlatform(args: ModelArgs): { platform: PlatformProfile; provenance: Partial<Record<string, Source>> } {
  let platform = args['platform-file'] !== undefined ? loadPlatformFile(args['platform-file']) : getPlatform(args.platform);
  const overrides: PlatformOverrides = {};
  const states: Record<string, number> = {};
  for (const flag of args['state-timeout'] ?? []) {
    const { state, seconds } = parseStateTimeoutFlag(String(flag));
    states[state] = seconds;
  }
  if (Object.keys(states).length > 0) overrides.stateTimeouts = states;
  if (args['bytes-per-entry'] !== undefined) {
    if (!(args['bytes-per-entry'] > 0)) throw usageError('CLI_INVALID_BYTES', `--bytes-per-entry must be above zero (got ${args['bytes-per-entry']})`);
    overrides.bytesPerEntry = args['bytes-per-entry'];
  }
  if (args['table-max'] !== undefined) {
    if (!(args['table-max'] > 0)) throw usageError('CLI_INVALID_TABLE_MAX', `--table-max must be above zero (got ${args['table-max']})`);
    overrides.tableMax = args['table-max'];
  }
  if (args.pickup !== undefined) overrides.pickup = args.pickup;
  if (Object.keys(overrides).length > 0) platform = applyOverrides(platform, overrides, 'flag');
  return { platform, provenance: {} };
}

export function resolveTimeouts(args: ModelArgs, platform: PlatformProfile): number[] {
  if (args.timeouts !== undefined) return parseTimeouts(String(args.timeouts), args.steps);
  const current = currentTimeoutSeconds(platform, args.protocol);
  return [...new Set([...parseTimeouts(DEFAULT_TIMEOUTS, args.steps), current])].sort((a, b) => a - b);
}

export function resolveModel(args: ModelArgs): { options: PlanOptions; timeouts: number[] } {
  const { platform, provenance } = resolvePlatform(args);
  const rules: TimeoutRule[] = (args['service-timeout'] ?? []).map((r) => parseServiceRule(String(r)));
  const options: PlanOptions = {
    platform,
    platformProvenance: provenance,
    keepalive: args.keepalive ?? 'linux',
    keepaliveSource: args.keepalive !== undefined ? 'flag' : 'profile',
    protocol: args.protocol,
    rules,
  };
  return { options, timeouts: resolveTimeouts(args, platform) };
}

/** A plan, with the analysis of each single conntrack listing among the inputs. */
export type PlanWithListings = PlanResult & { listings?: ListingPlan[] };

/**
 * Plan what readInputs gave: the flows, and for each single conntrack listing its analysis
 * (entry ages, not gaps; src/model/dump.ts), which stands for the candidates when there are no
 * flows. `currentSeconds` (--current) is the established timeout the listings were taken under;
 * without it, or a sysctl input, a listing stops the run (CONNTRACK_TIMEOUTS_UNKNOWN).
 */
export function planFromRead(result: ReadResult, options: PlanOptions, timeouts: number[], currentSeconds?: number): PlanWithListings {
  const r: PlanWithListings = plan(
    { flows: result.flows, distribution: result.distribution },
    { ...withLogEvidence(options, result), timeouts, inputs: result.inputs.map((i) => ({ path: i.path, format: i.format })), warnings: [...result.warnings] });
  for (const dump of result.dumps) {
    const d = planDump(dump, options.platform, timeouts, {
      ...(result.sysctl !== null ? { sysctl: result.sysctl } : {}), ...(currentSeconds !== undefined ? { currentSeconds } : {}),
    });
    if (result.flows.count === 0 && result.dumps.length === 1) r.candidates = d.candidates;
    r.warnings.push(...d.listing.warnings.map((w) => `${dump.name}: ${w}`));
    r.listings = [...(r.listings ?? []), d.listing];
  }
  return r;
}

/**
 * recommend, report and compare plan from flows; a single conntrack listing holds entry ages
 * (each a lower bound of a gap still running), which `gaps` and `plan` show. As there, its ages
 * need the timeout in force (else CONNTRACK_TIMEOUTS_UNKNOWN, exit 2). With no flows besides
 * the listings the command has nothing to plan from and stops (LISTING_ONLY, exit 2) rather than
 * recommend from an empty set; with flows, a warning says the listings were left out.
 */
export function checkListings(result: ReadResult, command: string, currentSeconds?: number): void {
  if (result.dumps.length === 0) return;
  for (const d of result.dumps) listingTimeoutsInForce(d.name, result.sysctl, currentSeconds, d.snapshots[d.snapshots.length - 1]);
  const names = result.dumps.map((d) => d.name).join(', ');
  const show = `\`fwtp gaps\` and \`fwtp plan\` show what ${result.dumps.length > 1 ? 'they hold' : 'it holds'} (entry ages and the sessions at risk per candidate)`;
  if (result.flows.count === 0) {
    throw new FwtpError('LISTING_ONLY', 'usage',
      `a single conntrack listing holds entry ages, not idle gaps: ${command} has no flows to plan from; ${show}, ` +
      'and a series of listings (timestamp lines between them) or an event stream (conntrack -E -o timestamp) gives flows', { file: names });
  }
  result.warnings.push(`${names}: a single conntrack listing holds entry ages, not idle gaps: ${command} plans from the other inputs' flows only; ${show}`);
}
