/**
 * The exporter's inactive timeout for the warning every flow export gets: given, the exporter's
 * documented default, or bounded by the data (the smallest silence between two records of one
 * flow). Gaps shorter than it hide inside one record (docs/EXPORTS.md).
 */
import type { ExporterTimeouts } from '../ingest/flowexport/records.js';

/** How the inactive timeout was found. */
export type InactiveTimeoutSource = 'option' | 'exporter default' | 'data' | 'unknown';

export function inactiveTimeout(
  opts: { exportInactiveTimeoutSeconds?: number; exporter?: ExporterTimeouts }, minGapUs: { tcp: number; udp: number; other: number },
): { seconds: number | null; source: InactiveTimeoutSource; warning: string } {
  const hide = 'idle gaps shorter than that inside one record are invisible: the gap distribution holds only the silences between records';
  if (opts.exportInactiveTimeoutSeconds !== undefined) {
    const s = opts.exportInactiveTimeoutSeconds;
    return { seconds: s, source: 'option', warning: `exporter inactive timeout ${s} s (given): ${hide}` };
  }
  const ex = opts.exporter;
  const seen = Math.min(minGapUs.tcp, minGapUs.udp, minGapUs.other);
  if (ex !== undefined && (ex.tcpSeconds !== null || ex.udpSeconds !== null || ex.otherSeconds !== null)) {
    const parts: string[] = [];
    if (ex.tcpSeconds !== null && ex.tcpSeconds === ex.udpSeconds && ex.udpSeconds === ex.otherSeconds) parts.push(`${ex.tcpSeconds} s for every protocol`);
    else if (ex.tcpSeconds !== null) parts.push(`TCP ${ex.tcpSeconds} s`);
    if (parts.length === 0 || !parts[0]!.includes('every')) {
      if (ex.udpSeconds !== null) parts.push(`UDP ${ex.udpSeconds} s`);
      if (ex.otherSeconds !== null) parts.push(`other ${ex.otherSeconds} s`);
    }
    // The data can show the site lowered the default: a silence between two records of one
    // flow shorter than the default.
    const tcpLower = ex.kind === 'inactive' && ex.tcpSeconds !== null && minGapUs.tcp / 1e6 < ex.tcpSeconds;
    const udpLower = ex.kind === 'inactive' && ex.udpSeconds !== null && minGapUs.udp / 1e6 < ex.udpSeconds;
    const largest = Math.max(ex.tcpSeconds ?? 0, ex.udpSeconds ?? 0, ex.otherSeconds ?? 0);
    const what = ex.setting ?? (ex.kind === 'inactive' ? 'inactive timeout' : 'reporting interval');
    let warning = `${ex.name} hides short silences: its default ${what} is ${parts.join(', ')} (${ex.source}); ${hide}`;
    if (tcpLower || udpLower) {
      warning += `; the data has a gap of ${round3(seen / 1e6)} s between records of one flow, so this exporter ran with a shorter setting (pass --export-inactive-timeout to say which)`;
    }
    return { seconds: largest, source: 'exporter default', warning };
  }
  if (seen < Number.POSITIVE_INFINITY) {
    const s = round3(seen / 1e6);
    return {
      seconds: s, source: 'data',
      warning: `exporter inactive timeout not given: the smallest silence between two records of one flow is ${s} s, so the timeout is at most that; ${hide} (pass --export-inactive-timeout to set it)`,
    };
  }
  return {
    seconds: null, source: 'unknown',
    warning: `exporter inactive timeout unknown (no flow has two records); ${hide} (pass --export-inactive-timeout to set it)`,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
