/**
 * The column map of `--map` for any CSV/TSV: its keys, and the parse of the option. Apart from the
 * readers (mapped-csv.ts uses the keys) so that parsing the command line loads no reader.
 */
import { usageError } from '../../util/errors.js';

/** Keys of --map and what they name. */
export const MAP_KEYS: Readonly<Record<string, string>> = {
  start: 'column with the record start time (epoch s, ms, us or ISO 8601)',
  end: 'column with the record end time',
  duration: 'column with the record duration in seconds (instead of end)',
  src: 'column with the source address',
  dst: 'column with the destination address',
  sport: 'column with the source port',
  dport: 'column with the destination port',
  proto: 'column with the protocol (number or name)',
  packets: 'column with packets from source to destination',
  bytes: 'column with bytes from source to destination',
  rpackets: 'column with packets from destination to source',
  rbytes: 'column with bytes from destination to source',
  timeunit: 'not a column: unit of numeric times, auto (default), s, ms or us',
};

/**
 * `--map start=ts,end=te,src=sa,...` into a map from field to column name. Keys are those of
 * MAP_KEYS; start, src, dst and proto are required; timeunit takes auto, s, ms or us.
 */
export function parseColumnMap(text: string): Record<string, string> {
  const bad = (why: string): never => { throw usageError('CLI_INVALID_MAP', `--map ${JSON.stringify(text)}: ${why}`); };
  const map: Record<string, string> = {};
  if (text.trim().length === 0) bad('empty');
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) bad(`${JSON.stringify(part)} is not key=column`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!Object.prototype.hasOwnProperty.call(MAP_KEYS, key)) bad(`unknown key ${JSON.stringify(key)} (known: ${Object.keys(MAP_KEYS).join(', ')})`);
    if (value.length === 0) bad(`no column for ${key}`);
    if (map[key] !== undefined) bad(`${key} given twice`);
    map[key] = value;
  }
  for (const k of ['start', 'src', 'dst', 'proto']) if (map[k] === undefined) bad(`${k}= is required`);
  if (map.end !== undefined && map.duration !== undefined) bad('give end= or duration=, not both');
  if (map.timeunit !== undefined && !['auto', 's', 'ms', 'us'].includes(map.timeunit)) bad('timeunit= takes auto, s, ms or us');
  return map;
}
