/**
 * Listings as snapshots: `conntrack -L` (plain, `-o extended`), `/proc/net/nf_conntrack` and
 * `conntrack -L -o xml`, one snapshot per dump (a timestamp line, or a new XML document, begins
 * the next).
 */
import { inputError } from '../util/errors.js';
import type { ConntrackInput, ConntrackReadOptions, ConntrackSnapshot } from './conntrack-input.js';
import { parseEntryLine } from './conntrack-line.js';
import { firstNonBlank, isNoise, MAX_LINE_BYTES, timestampAt, type Sink, type Skip } from './conntrack-sink.js';
import { ConntrackTable } from './conntrack-table.js';
import { parseXmlFlow } from './conntrack-xml.js';

/** Starts a new snapshot at a timestamp line, or opens the first one without a time. */
function newSnapshot(input: ConntrackInput, atSeconds: number | null, line: number): ConntrackSnapshot {
  const snap: ConntrackSnapshot = { atSeconds, line, table: new ConntrackTable(input.addresses, 1024) };
  input.snapshots.push(snap);
  return snap;
}

function finishSnapshots(input: ConntrackInput, opts: ConntrackReadOptions): void {
  for (const s of input.snapshots) s.table.trim();
  const untimed = input.snapshots.filter((s) => s.atSeconds === null).length;
  if (untimed > 0 && input.snapshots.length > 1) {
    input.warnings.push(`${untimed} of ${input.snapshots.length} dumps have no timestamp line before them: they cannot be placed in time`);
  }
  if (opts.at !== undefined && input.snapshots.length > 0 && untimed === 0) {
    input.warnings.push('--at was not used: every dump has its own timestamp line');
  }
  for (let k = 1; k < input.snapshots.length; k++) {
    const a = input.snapshots[k - 1]!.atSeconds, b = input.snapshots[k]!.atSeconds;
    if (a !== null && b !== null && b < a) {
      input.warnings.push(`the timestamp at line ${input.snapshots[k]!.line} is earlier than the one before it: dumps are ordered by time, not by position`);
      break;
    }
  }
}

export function listSink(input: ConntrackInput, opts: ConntrackReadOptions, skip: Skip): Sink {
  let snap: ConntrackSnapshot | null = null;
  return {
    line(b, s, e, lineNo) {
      const p = firstNonBlank(b, s, e);
      const at = timestampAt(b, p, e);
      if (at !== null) {
        snap = newSnapshot(input, at, lineNo);
        return;
      }
      if (isNoise(b, p, e)) return;
      if (snap === null) snap = newSnapshot(input, opts.at ?? null, 0);
      const why = parseEntryLine(b, p, e, snap.table, lineNo);
      if (why !== null) {
        skip(lineNo, b[p] === 91 ? 'an event line (conntrack -E) in a listing' : why, b, s, e);
      }
    },
    finish() { finishSnapshots(input, opts); },
  };
}

export function xmlSink(input: ConntrackInput, opts: ConntrackReadOptions, skip: Skip): Sink {
  let snap: ConntrackSnapshot | null = null;
  let gathering: string | null = null; // a <flow> element spread over lines
  let gatherLine = 0;
  const flows = (text: string, lineNo: number, b: Buffer, s: number, e: number): void => {
    let pos = 0;
    for (;;) {
      const open = text.indexOf('<flow', pos);
      if (open < 0) return;
      const close = text.indexOf('</flow>', open);
      if (close < 0) {
        gathering = text.slice(open);
        gatherLine = lineNo;
        return;
      }
      if (snap === null) snap = newSnapshot(input, opts.at ?? null, 0);
      const why = parseXmlFlow(text.slice(open, close + 7), snap.table, lineNo);
      if (why !== null) skip(lineNo, why, b, s, e);
      pos = close + 7;
    }
  };
  return {
    line(b, s, e, lineNo) {
      const p = firstNonBlank(b, s, e);
      if (gathering !== null) {
        const text = gathering + b.toString('latin1', p, e);
        if (text.length > MAX_LINE_BYTES) throw inputError('CONNTRACK_LINE_TOO_LONG', `a <flow> element longer than ${MAX_LINE_BYTES} bytes`, { file: input.name, line: gatherLine });
        if (!text.includes('</flow>')) { gathering = text; return; }
        gathering = null;
        flows(text, gatherLine, b, s, e);
        return;
      }
      const at = timestampAt(b, p, e);
      if (at !== null) {
        snap = newSnapshot(input, at, lineNo);
        return;
      }
      if (p === e || isNoise(b, p, e)) return;
      const text = b.toString('latin1', p, e);
      if (text.startsWith('<?xml')) return;
      if (text.startsWith('<conntrack')) {
        // A second document without a timestamp line between: another dump of unknown time.
        if (snap !== null && snap.table.count > 0) snap = newSnapshot(input, null, lineNo);
        const rest = text.indexOf('<flow');
        if (rest >= 0) flows(text.slice(rest), lineNo, b, s, e);
        return;
      }
      if (text.startsWith('</conntrack>')) return;
      if (!text.startsWith('<flow')) {
        skip(lineNo, 'not a <flow> element', b, s, e);
        return;
      }
      flows(text, lineNo, b, s, e);
    },
    finish() {
      if (gathering !== null) skip(gatherLine, 'a <flow> element without </flow> at the end of the input', Buffer.alloc(0), 0, 0);
      finishSnapshots(input, opts);
    },
  };
}
