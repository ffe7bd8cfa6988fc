/**
 * The timeout in force T that the join of firewall logs assumes (issue 13): `--current` where the
 * command has it, else the given platform profile's, else the profile of the log's own vendor
 * (an ASA log under the cisco-asa profile), said in the input summary.
 */
import type { FwVendor } from '../ingest/fwlog/types.js';
import type { LogTimeout } from '../read/firewall-logs.js';
import { getPlatform } from '../model/platforms.js';
import { parseDuration } from '../util/duration.js';
import { usageError } from '../util/errors.js';

const VENDOR_PLATFORM: Record<FwVendor, string> = {
  'cisco-asa': 'cisco-asa', panos: 'panos', fortigate: 'fortigate', 'juniper-srx': 'juniper-srx',
  checkpoint: 'checkpoint', 'linux-log': 'linux', 'pf-filterlog': 'pf',
};

/** Timeouts by protocol from a profile's state timeouts (seconds by state name). */
function byProtocol(state: Record<string, number>): (protocol: string) => number {
  return (p) => (p === 'tcp' ? state.established! : p === 'udp' ? state.udp_replied! : p === 'icmp' || p === 'ipv6-icmp' ? state.icmp! : state.other!);
}

export function logTimeoutFromArgs(args: { current?: unknown; platform?: unknown; 'platform-file'?: unknown; protocol?: unknown }, stateTimeouts?: Record<string, number>): (vendor: FwVendor) => LogTimeout {
  if (args.current !== undefined) {
    const s = parseDuration(String(args.current));
    if (!(s > 0)) throw usageError('CLI_INVALID_TIMEOUTS', `--current must be above zero (got "${String(args.current)}")`);
    // --current replaces the candidate's state (the established timeout, or UDP's with --protocol udp); the others stay the profile's.
    const others = stateTimeouts !== undefined ? byProtocol(stateTimeouts) : null;
    const proto = args.protocol === 'udp' ? 'udp' : 'tcp';
    return () => ({ seconds: (p) => (p === proto || others === null ? s : others(p)), source: `--current ${s} s` });
  }
  const explicit = args['platform-file'] !== undefined || (typeof args.platform === 'string' && args.platform !== 'linux');
  if (explicit && stateTimeouts !== undefined) {
    const name = args['platform-file'] !== undefined ? `--platform-file ${String(args['platform-file'])}` : `the ${String(args.platform)} profile`;
    return () => ({ seconds: byProtocol(stateTimeouts), source: name });
  }
  return (vendor) => {
    const name = VENDOR_PLATFORM[vendor];
    return { seconds: byProtocol(getPlatform(name).stateTimeouts), source: `the ${name} profile, from the log's vendor; --current sets it` };
  };
}
