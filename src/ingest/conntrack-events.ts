/**
 * `conntrack -E` event streams (with or without `-o timestamp`): one row per entry with its first
 * and last events, its DESTROY and how it ended (ConntrackLifetimes).
 */
import { CLOSE_NONE, closingOf, ENDED_CLOSE, ENDED_OPEN, ENDED_REMOVED, ENDED_TIMEOUT } from './conntrack-closing.js';
import type { ConntrackInput } from './conntrack-input.js';
import { parseEntryLine } from './conntrack-line.js';
import { firstNonBlank, isNoise, type Sink, type Skip } from './conntrack-sink.js';
import { ConntrackTable, ST_USERSPACE } from './conntrack-table.js';

const EV_NEW = 0, EV_UPDATE = 1, EV_DESTROY = 2;

/** Whether b[s..e) spells `text` (ASCII), without making a string. */
function spells(b: Buffer, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> { const b = new Float64Array(n); b.set(a); return b; }
function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> { const b = new Uint8Array(n); b.set(a); return b; }
function growU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> { const b = new Uint32Array(n); b.set(a); return b; }

/** Copies row i of `from` over row j of `to` (same AddressBook). */
function copyRow(from: ConntrackTable, i: number, to: ConntrackTable, j: number): void {
  to.line[j] = from.line[i]!;
  to.family[j] = from.family[i]!;
  to.proto[j] = from.proto[i]!;
  to.timeout[j] = from.timeout[i]!;
  to.state[j] = from.state[i]!;
  to.status[j] = from.status[i]!;
  to.src[j] = from.src[i]!;
  to.dst[j] = from.dst[i]!;
  to.replySrc[j] = from.replySrc[i]!;
  to.replyDst[j] = from.replyDst[i]!;
  to.sport[j] = from.sport[i]!;
  to.dport[j] = from.dport[i]!;
  to.replySport[j] = from.replySport[i]!;
  to.replyDport[j] = from.replyDport[i]!;
  to.icmpType[j] = from.icmpType[i]!;
  to.icmpCode[j] = from.icmpCode[i]!;
  to.packetsOrig[j] = from.packetsOrig[i]!;
  to.bytesOrig[j] = from.bytesOrig[i]!;
  to.packetsReply[j] = from.packetsReply[i]!;
  to.bytesReply[j] = from.bytesReply[i]!;
  to.mark[j] = from.mark[i]!;
  to.zone[j] = from.zone[i]!;
  to.use[j] = from.use[i]!;
  to.id[j] = from.id[i]!;
  to.deltaSeconds[j] = from.deltaSeconds[i]!;
  const ctx = from.secctx.get(i);
  if (ctx !== undefined) to.secctx.set(j, ctx);
}

/** `[1795550609.927337]` at b[p]: seconds, or NaN when malformed. Sets `tsEnd` past the `]`. */
let tsEnd = 0;
function eventTime(b: Buffer, p: number, e: number): number {
  const close = b.indexOf(93, p);
  if (close < 0 || close >= e) return NaN;
  tsEnd = close + 1;
  let sec = 0, frac = 0, scale = 1, dot = false, digits = 0;
  for (let q = p + 1; q < close; q++) {
    const c = b[q]!;
    if (c === 46 && !dot) { dot = true; continue; }
    if (c < 48 || c > 57) return NaN;
    digits++;
    if (dot) { frac = frac * 10 + (c - 48); scale *= 10; } else sec = sec * 10 + (c - 48);
  }
  return digits === 0 ? NaN : sec + frac / scale;
}

export function eventSink(input: ConntrackInput, skip: Skip): Sink {
  const scratch = new ConntrackTable(input.addresses, 1);
  const entries = new ConntrackTable(input.addresses, 1024);
  let cap = 1024;
  let firstSeconds = new Float64Array(cap);
  let lastEventSeconds = new Float64Array(cap);
  let destroySeconds = new Float64Array(cap);
  let newSeen = new Uint8Array(cap);
  let firstState = new Uint8Array(cap);
  let closing = new Uint8Array(cap);
  let eventCount = new Uint32Array(cap);
  let fate = new Uint8Array(cap); // 0 live, 1 destroyed, 2 superseded by a NEW on the same key, 3 removed
  const byId = new Map<number, number>();
  const byTuple = new Map<string, number>();
  const counts = { new: 0, update: 0, destroy: 0 };
  let timed = 0, untimed = 0;
  let first = NaN, last = NaN;
  let reused = 0;

  const tupleKey = (t: ConntrackTable, i: number): string =>
    `${t.proto[i]}|${t.src[i]}|${t.dst[i]}|${t.sport[i]}|${t.dport[i]}|${t.icmpType[i]}|${t.zone[i]}`;

  return {
    line(b, s, e, lineNo) {
      let p = firstNonBlank(b, s, e);
      if (isNoise(b, p, e)) return;
      let when = NaN;
      if (b[p] === 91 && p + 1 < e && b[p + 1]! >= 48 && b[p + 1]! <= 57) {
        when = eventTime(b, p, e);
        if (Number.isNaN(when)) { skip(lineNo, 'malformed [timestamp]', b, s, e); return; }
        p = firstNonBlank(b, tsEnd, e);
      }
      let type: number;
      if (b[p] === 91) {
        let close = p + 1;
        while (close < e && b[close] !== 93) close++;
        type = spells(b, p + 1, close, 'NEW') ? EV_NEW : spells(b, p + 1, close, 'UPDATE') ? EV_UPDATE
          : spells(b, p + 1, close, 'DESTROY') ? EV_DESTROY : -1;
        if (close >= e || type < 0) { skip(lineNo, `unknown event type ${b.toString('latin1', p, Math.min(close + 1, e))}`, b, s, e); return; }
        p = close + 1;
      } else {
        skip(lineNo, 'no [NEW], [UPDATE] or [DESTROY]: a listing line in an event stream?', b, s, e);
        return;
      }
      scratch.count = 0;
      scratch.secctx.clear();
      const why = parseEntryLine(b, p, e, scratch, lineNo);
      if (why !== null) { skip(lineNo, why, b, s, e); return; }
      if (Number.isNaN(when)) untimed++;
      else {
        timed++;
        if (Number.isNaN(first) || when < first) first = when;
        if (Number.isNaN(last) || when > last) last = when;
      }
      if (type === EV_NEW) counts.new++; else if (type === EV_UPDATE) counts.update++; else counts.destroy++;

      const id = scratch.id[0]!;
      const key = Number.isNaN(id) ? tupleKey(scratch, 0) : null;
      let row = key === null ? byId.get(id) : byTuple.get(key);
      if (row !== undefined && type === EV_NEW) {
        // A NEW for a key still live: its DESTROY was lost (or the id was reused); start afresh.
        reused++;
        fate[row] = 2;
        row = undefined;
      }
      if (row === undefined) {
        row = entries.add(lineNo);
        if (row === cap) {
          cap *= 2;
          firstSeconds = growF64(firstSeconds, cap);
          lastEventSeconds = growF64(lastEventSeconds, cap);
          destroySeconds = growF64(destroySeconds, cap);
          newSeen = growU8(newSeen, cap);
          firstState = growU8(firstState, cap);
          closing = growU8(closing, cap);
          eventCount = growU32(eventCount, cap);
          fate = growU8(fate, cap);
        }
        copyRow(scratch, 0, entries, row);
        firstSeconds[row] = when;
        lastEventSeconds[row] = when;
        destroySeconds[row] = NaN;
        newSeen[row] = type === EV_NEW ? 1 : 0;
        firstState[row] = scratch.state[0]!;
        closing[row] = CLOSE_NONE;
        eventCount[row] = 0;
        fate[row] = 0;
        if (key === null) byId.set(id, row); else byTuple.set(key, row);
      } else {
        // The latest view of the entry; a DESTROY prints no timeout, keep the last one shown.
        const timeout = entries.timeout[row]!;
        copyRow(scratch, 0, entries, row);
        if (scratch.timeout[0]! < 0) entries.timeout[row] = timeout;
      }
      eventCount[row]!++;
      const c = closingOf(scratch.proto[0]!, scratch.state[0]!);
      if (c > closing[row]!) closing[row] = c;
      if (type === EV_DESTROY) {
        destroySeconds[row] = when;
        // A DESTROY that user space caused, or that still shows time left, did not time out.
        fate[row] = (scratch.status[0]! & ST_USERSPACE) !== 0 || scratch.timeout[0]! > 0 ? 3 : 1;
        if (key === null) byId.delete(id); else byTuple.delete(key);
      } else lastEventSeconds[row] = when;
    },
    finish() {
      const n = entries.count;
      entries.trim();
      const endedBy = new Uint8Array(n);
      for (let r = 0; r < n; r++) {
        // A DESTROY after a close state (or in one) is a close; one without is a timeout, or a removal.
        endedBy[r] = fate[r] !== 1 && fate[r] !== 3 ? ENDED_OPEN : closing[r] !== CLOSE_NONE ? ENDED_CLOSE
          : fate[r] === 3 ? ENDED_REMOVED : ENDED_TIMEOUT;
      }
      input.events = {
        timestamps: timed > 0,
        counts,
        firstSeconds: first,
        lastSeconds: last,
        lifetimes: {
          entries,
          firstSeconds: firstSeconds.slice(0, n),
          lastEventSeconds: lastEventSeconds.slice(0, n),
          destroySeconds: destroySeconds.slice(0, n),
          newSeen: newSeen.slice(0, n),
          firstState: firstState.slice(0, n),
          closing: closing.slice(0, n),
          endedBy,
          eventCount: eventCount.slice(0, n),
        },
      };
      if (timed > 0 && untimed > 0) input.warnings.push(`${untimed} events have no [timestamp] while ${timed} do: the stream mixes outputs`);
      if (timed === 0 && counts.new + counts.update + counts.destroy > 0) {
        input.warnings.push('the events carry no times (conntrack -E without -o timestamp): they show how entries ended, not when; use conntrack -E -o timestamp');
      }
      if (reused > 0) input.warnings.push(`${reused} NEW events arrived for entries still live (a lost DESTROY, or a reused id): each began a new entry`);
    },
  };
}
