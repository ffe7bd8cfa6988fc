/** The two ends of a drop-log example, from an AffectedService label. */

/** The two ends of the evidence's first pair, as the drop log templates write them. */
export interface Endpoints {
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
  return { proto: m[1]!, src: bare(m[2]!), sport: port(m[3]!), dst: bare(m[4]!), dport: port(m[5]!), client: srcIsClient ? src : dst, server: srcIsClient ? dst : src };
}
