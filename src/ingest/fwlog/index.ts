/**
 * Firewall logs as evidence (issue 13): readers for Cisco ASA/FTD, PAN-OS, FortiGate, Juniper
 * SRX, Check Point, Linux kernel LOG / ulogd2 and pf filterlog, recognised by content.
 * docs/FIREWALL-LOGS.md: what each reads, the message ids, what durations cover, pitfalls.
 *
 * Streaming: `new FirewallLogReader(vendor, options, file)`, `.push(chunk)` per string chunk,
 * `.end()` for the result. Whole text: `readFirewallLog(text, options, file, vendor?)`.
 */
import { inputError, usageError } from '../../util/errors.js';
import { readCheckpointLine, sniffCheckpointLine } from './checkpoint.js';
import { createAsaReader, sniffCiscoAsaLine } from './cisco-asa.js';
import { readFortigateLine, sniffFortigateLine } from './fortigate.js';
import { readJuniperSrxLine, sniffJuniperSrxLine } from './juniper-srx.js';
import { createLinuxLogReader, sniffLinuxLogLine } from './linux-log.js';
import { readPanosLine, sniffPanosLine } from './panos.js';
import { readPfFilterlogLine, sniffPfFilterlogLine } from './pf-filterlog.js';
import { LineStream, ReadState, type LineReader } from './state.js';
import { FW_VENDORS, type FwLogOptions, type FwLogResult, type FwVendor } from './types.js';

export * from './types.js';
export { excerpt } from './state.js';

/** Line tests per vendor, most specific first (an ASA line may carry key=value user names ...). */
const LINE_SNIFFERS: ReadonlyArray<[FwVendor, (line: string) => boolean]> = [
  ['cisco-asa', sniffCiscoAsaLine],
  ['juniper-srx', sniffJuniperSrxLine],
  ['pf-filterlog', sniffPfFilterlogLine],
  ['checkpoint', sniffCheckpointLine],
  ['fortigate', sniffFortigateLine],
  ['panos', sniffPanosLine],
  ['linux-log', sniffLinuxLogLine],
];

/** Which vendor a line looks like, or null. */
export function sniffFirewallLogLine(line: string): FwVendor | null {
  for (const [v, test] of LINE_SNIFFERS) if (test(line)) return v;
  return null;
}

/**
 * Which firewall log `head` (the first kilobytes of the file as text) is: the vendor most of its
 * first 50 non-empty lines look like; null when none does (a capture, a conntrack dump ...).
 * A file mixing other programs' lines (OPNsense dhcpd next to filterlog) still sniffs by majority.
 */
export function sniffFirewallLog(head: string): FwVendor | null {
  const counts = new Map<FwVendor, number>();
  let seen = 0;
  const lines = head.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 1) lines.pop(); // may be cut
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (++seen > 50) break;
    const v = sniffFirewallLogLine(line);
    if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best: FwVendor | null = null, bestN = 0;
  for (const v of FW_VENDORS) { const n = counts.get(v) ?? 0; if (n > bestN) { best = v; bestN = n; } }
  return best;
}

/** A new line reader for a vendor (readers with cross-line state get their own context). */
export function lineReaderFor(vendor: FwVendor): LineReader {
  switch (vendor) {
    case 'cisco-asa': return createAsaReader();
    case 'panos': return readPanosLine;
    case 'fortigate': return readFortigateLine;
    case 'juniper-srx': return readJuniperSrxLine;
    case 'checkpoint': return readCheckpointLine;
    case 'linux-log': return createLinuxLogReader();
    case 'pf-filterlog': return readPfFilterlogLine;
    default: throw usageError('FWLOG_UNKNOWN_VENDOR', `unknown firewall log kind ${JSON.stringify(vendor)} (known: ${FW_VENDORS.join(', ')})`);
  }
}

/** Streaming reader over string chunks of one file. */
export class FirewallLogReader {
  private readonly stream: LineStream;

  constructor(readonly vendor: FwVendor, options: FwLogOptions = {}, readonly file = '-') {
    this.stream = new LineStream(new ReadState(vendor, file, options), lineReaderFor(vendor));
  }

  push(chunk: string): void { this.stream.push(chunk); }

  end(): FwLogResult { return this.stream.end(); }
}

/**
 * Reads a whole log held as text. The vendor is sniffed when not given; a text no reader
 * recognises is an input error (FWLOG_UNKNOWN_FORMAT, line of its first non-empty line).
 */
export function readFirewallLog(text: string, options: FwLogOptions = {}, file = '-', vendor?: FwVendor): FwLogResult {
  const v = vendor ?? sniffFirewallLog(text.slice(0, 65536));
  if (v === null) {
    const lineNo = text.split('\n').findIndex((l) => l.trim() !== '') + 1;
    inputErrorUnknown(file, lineNo);
  }
  const r = new FirewallLogReader(v, options, file);
  r.push(text);
  return r.end();
}

function inputErrorUnknown(file: string, line: number): never {
  throw inputError('FWLOG_UNKNOWN_FORMAT', `not a firewall log fwtp reads (${FW_VENDORS.join(', ')})`, { file, line: line > 0 ? line : undefined });
}
