/**
 * One conntrack entry line, decoded from bytes into a columnar table: the line layouts of
 * `conntrack -L` (plain and `-o extended`), `/proc/net/nf_conntrack` and the body of a
 * `conntrack -E` event line.
 *
 * The layout (libnetfilter_conntrack src/conntrack/snprintf_default.c, and the kernel's
 * ct_seq_show in net/netfilter/nf_conntrack_standalone.c for /proc):
 *
 *   [L3NAME L3NUM] L4NAME L4NUM [TIMEOUT] [STATE] src= dst= (sport= dport= | type= code= id= |
 *   srckey= dstkey=) [zone-orig=] [packets= bytes=] [UNREPLIED] src= dst= ... [zone-reply=]
 *   [packets= bytes=] [ASSURED|OFFLOAD|HW_OFFLOAD] [mark=] [secmark=] [secctx=] [zone=]
 *   [delta-time=] [[start=CTIME] [stop=CTIME]] [helper=] [use=] [id=] [labels=]
 *   ([USERSPACE] portid= [progname=] after an event a user-space request caused, conntrack-tools event_cb)
 *
 * TIMEOUT is missing on DESTROY events and, in /proc, on offloaded entries. The decoder runs per
 * line on the hot path: it reads the bytes in place (no split, no regular expression), interns
 * addresses to small ids and writes typed-array columns, so a line costs no object.
 */
import { ConntrackTable, ctProtoName, ST_ASSURED, ST_HW_OFFLOAD, ST_OFFLOAD, ST_UNREPLIED, ST_USERSPACE } from './conntrack-table.js';
import { bytesAre, parseKey, parseUint, stateFromBytes } from './conntrack-tokens.js';

const MAX_BARE = 6;
const bareStart = new Int32Array(MAX_BARE);
const bareEnd = new Int32Array(MAX_BARE);

/** Interprets the words before the first `src=`: [l3name l3num] l4name l4num [timeout] [state]. */
function readHead(b: Buffer, n: number, t: ConntrackTable, i: number): string | null {
  let k = 0;
  if (n >= 2 && (bytesAre(b, bareStart[0]!, bareEnd[0]!, 'ipv4') || bytesAre(b, bareStart[0]!, bareEnd[0]!, 'ipv6'))) {
    const l3 = parseUint(b, bareStart[1]!, bareEnd[1]!);
    if (l3 < 0) return 'layer 3 protocol number is not a number';
    k = 2;
  }
  if (n - k < 2) return 'missing protocol name and number before src=';
  const proto = parseUint(b, bareStart[k + 1]!, bareEnd[k + 1]!);
  if (proto < 0 || proto > 255) return 'protocol number is not 0..255';
  t.proto[i] = proto;
  k += 2;
  if (k < n) {
    const timeout = parseUint(b, bareStart[k]!, bareEnd[k]!);
    if (timeout >= 0) {
      t.timeout[i] = timeout > 0x7fffffff ? 0x7fffffff : timeout;
      k++;
    }
  }
  if (k < n) {
    const s = stateFromBytes(b, bareStart[k]!, bareEnd[k]!);
    if (s <= 0) return `unknown state "${latin1(b, bareStart[k]!, bareEnd[k]!)}"`;
    t.state[i] = s;
    k++;
  }
  if (k < n) return 'unexpected word before src=';
  return null;
}

/**
 * Decodes one entry from b[s..e) into a new row of `t`. Returns null when the line was read, or
 * why it could not be (the row is then removed).
 */
export function parseEntryLine(b: Buffer, s: number, e: number, t: ConntrackTable, lineNo: number): string | null {
  const i = t.add(lineNo);
  const why = decode(b, s, e, t, i);
  if (why !== null) t.dropLast();
  return why;
}

/** Hash of a field name as decode computes it while scanning (h = h * 31 + byte, 32-bit). */
function keyHash(name: string): number {
  let h = 0;
  for (let k = 0; k < name.length; k++) h = (Math.imul(h, 31) + name.charCodeAt(k)) | 0;
  return h;
}
const FIELD_NAMES = [
  'src', 'dst', 'sport', 'dport', 'packets', 'bytes', 'type', 'code', 'id', 'srckey', 'dstkey', 'mark', 'zone', 'use',
  'delta-time', 'secctx', 'zone-orig', 'zone-reply', 'secmark', 'helper', 'labels', 'portid', 'pid', 'progname',
] as const;
const [H_SRC, H_DST, H_SPORT, H_DPORT, H_PACKETS, H_BYTES, H_TYPE, H_CODE, H_ID, H_SRCKEY, H_DSTKEY, H_MARK, H_ZONE, H_USE,
  H_DELTA, H_SECCTX, H_ZONE_ORIG, H_ZONE_REPLY, H_SECMARK, H_HELPER, H_LABELS, H_PORTID, H_PID, H_PROGNAME] = FIELD_NAMES.map(keyHash);
if (new Set(FIELD_NAMES.map(keyHash)).size !== FIELD_NAMES.length) throw new Error('conntrack field hashes collide');

/** End of the value the last read* call consumed (a module variable: no object per call). */
let valueEnd = 0;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Unsigned decimal from b[s] up to a blank or the end; -1 when empty or followed by anything else. */
function readUint(b: Uint8Array, s: number, e: number): number {
  let n = 0, q = s;
  for (; q < e; q++) {
    const d = b[q]! - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  valueEnd = q;
  if (q === s || (q < e && !isBlank(b[q]!))) return -1;
  return n;
}

/** The rest of a word (a value not needed), up to a blank. */
function skipWord(b: Uint8Array, s: number, e: number): void {
  let q = s;
  while (q < e && !isBlank(b[q]!)) q++;
  valueEnd = q;
}

/** Raw IPv4 value of the last address readAddr interned (-1 for IPv6), to reuse ids in the reply tuple. */
let lastV4 = -1;

/**
 * An address value from b[s]: interned id, or -1. Sets lastFamily, lastV4 and valueEnd. When the
 * address equals an address of the original tuple (IPv4 value `reuseV4`, or IPv6 text at
 * b[reuseS..reuseE)), that tuple's id `reuseId` is returned without a lookup.
 */
function readAddr(b: Buffer, s: number, e: number, t: ConntrackTable, reuseV4: number, reuseId: number, reuseS: number, reuseE: number): number {
  // IPv4 while the bytes allow it; anything else is taken as IPv6.
  let a = 0, part = 0, digits = 0, dots = 0, q = s, v4 = true;
  for (; q < e; q++) {
    const c = b[q]!;
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
    } else if (c === 46) {
      if (digits === 0 || digits > 3 || part > 255) { v4 = false; break; }
      a = a * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (isBlank(c)) break;
    else { v4 = false; break; }
  }
  if (v4 && dots === 3 && digits > 0 && digits <= 3 && part <= 255) {
    valueEnd = q;
    lastFamily = 4;
    const v = a * 256 + part;
    lastV4 = v;
    return v === reuseV4 ? reuseId : t.addresses.internV4(v);
  }
  while (q < e && !isBlank(b[q]!)) q++;
  valueEnd = q;
  lastFamily = 6;
  lastV4 = -1;
  if (reuseId >= 0 && reuseV4 < 0 && reuseE - reuseS === q - s) {
    let same = true;
    for (let k = 0; k < q - s; k++) if (b[s + k] !== b[reuseS + k]) { same = false; break; }
    if (same) return reuseId;
  }
  return t.addresses.internV6Bytes(b, s, q);
}

function decode(b: Buffer, s: number, e: number, t: ConntrackTable, i: number): string | null {
  let p = s;
  let bare = 0;
  let tuple = 0; // 0 before the first src=, 1 in the original tuple, 2 in the reply tuple
  let icmpIdPending = false;
  let family = 0;
  let gotPorts = 0;
  let countersSeen = 0;
  // The original tuple's addresses, to reuse their ids for the (usually mirrored) reply tuple.
  let origSrcV4 = -1, origSrcId = -1, origDstV4 = -1, origDstId = -1;
  let origSrcS = 0, origSrcE = 0, origDstS = 0, origDstE = 0;
  while (p < e) {
    let c = b[p]!;
    if (isBlank(c)) { p++; continue; }
    const ts = p;
    if (c === 91) { // '['
      let close = p + 1;
      while (close < e && b[close] !== 93) close++;
      if (close >= e) return 'unclosed [';
      const ks = p + 1;
      if (bytesAre(b, ks, close, 'ASSURED')) t.status[i]! |= ST_ASSURED;
      else if (bytesAre(b, ks, close, 'UNREPLIED')) t.status[i]! |= ST_UNREPLIED;
      else if (bytesAre(b, ks, close, 'OFFLOAD')) t.status[i]! |= ST_OFFLOAD;
      else if (bytesAre(b, ks, close, 'HW_OFFLOAD')) t.status[i]! |= ST_HW_OFFLOAD | ST_OFFLOAD;
      else if (bytesAre(b, ks, close, 'USERSPACE')) t.status[i]! |= ST_USERSPACE;
      else if (close - ks > 6 && (bytesAre(b, ks, ks + 6, 'start=') || bytesAre(b, ks, ks + 5, 'stop='))) {
        // -o ktimestamp: ctime() in the local time zone of the machine that printed it; delta-time is used instead.
      } else return `unknown flag "${latin1(b, p, close + 1)}"`;
      p = close + 1;
      continue;
    }
    // A word: its name hashed up to '=' (a field) or a blank (a bare word).
    let h = 0;
    while (p < e) {
      c = b[p]!;
      if (c === 61 || isBlank(c)) break;
      h = (Math.imul(h, 31) + c) | 0;
      p++;
    }
    if (p === e || c !== 61) {
      if (tuple > 0) return `unexpected word "${latin1(b, ts, p)}" after src=`;
      if (bare === MAX_BARE) return 'too many words before src=';
      bareStart[bare] = ts;
      bareEnd[bare] = p;
      bare++;
      continue;
    }
    const vs = p + 1;
    let v: number;
    if (h === H_SRC) {
      if (tuple === 0) {
        const why = readHead(b, bare, t, i);
        if (why !== null) return why;
      }
      if (tuple === 2) return 'more than two src= fields';
      tuple++;
      icmpIdPending = false;
      if (tuple === 1) {
        v = readAddr(b, vs, e, t, -1, -1, 0, 0);
        if (v < 0) return 'src= is not an IPv4 or IPv6 address';
        family = lastFamily;
        t.src[i] = v;
        origSrcV4 = lastV4;
        origSrcId = v;
        origSrcS = vs;
        origSrcE = valueEnd;
      } else {
        v = readAddr(b, vs, e, t, origDstV4, origDstId, origDstS, origDstE);
        if (v < 0) return 'src= is not an IPv4 or IPv6 address';
        t.replySrc[i] = v;
      }
    } else if (h === H_DST) {
      if (tuple === 0) return 'dst= before src=';
      if (tuple === 1) {
        v = readAddr(b, vs, e, t, -1, -1, 0, 0);
        if (v < 0) return 'dst= is not an IPv4 or IPv6 address';
        t.dst[i] = v;
        origDstV4 = lastV4;
        origDstId = v;
        origDstS = vs;
        origDstE = valueEnd;
      } else {
        v = readAddr(b, vs, e, t, origSrcV4, origSrcId, origSrcS, origSrcE);
        if (v < 0) return 'dst= is not an IPv4 or IPv6 address';
        t.replyDst[i] = v;
      }
    } else if (h === H_SPORT || h === H_DPORT) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 65535 || tuple === 0) return 'bad port';
      if (tuple === 1) { if (h === H_SPORT) t.sport[i] = v; else t.dport[i] = v; } else if (h === H_SPORT) t.replySport[i] = v; else t.replyDport[i] = v;
      gotPorts |= tuple;
    } else if (h === H_PACKETS) {
      v = readUint(b, vs, e);
      if (v < 0) return 'packets= is not a number';
      if (tuple === 1) t.packetsOrig[i] = v; else if (tuple === 2) t.packetsReply[i] = v; else return 'packets= before src=';
      countersSeen++;
    } else if (h === H_BYTES) {
      v = readUint(b, vs, e);
      if (v < 0) return 'bytes= is not a number';
      if (tuple === 1) t.bytesOrig[i] = v; else if (tuple === 2) t.bytesReply[i] = v; else return 'bytes= before src=';
    } else if (h === H_MARK) {
      v = readUint(b, vs, e);
      if (v < 0) return 'mark= is not a number';
      t.mark[i] = v;
    } else if (h === H_USE) {
      v = readUint(b, vs, e);
      if (v < 0) return 'use= is not a number';
      t.use[i] = v > 0x7fffffff ? 0x7fffffff : v;
    } else if (h === H_DELTA) {
      v = readUint(b, vs, e);
      if (v < 0) return 'delta-time= is not a number';
      t.deltaSeconds[i] = v;
    } else if (h === H_ID) {
      v = readUint(b, vs, e);
      if (v < 0) return 'id= is not a number';
      if (icmpIdPending) {
        // The ICMP identifier of the tuple (it follows code=); the entry id comes last.
        if (v > 65535) return 'bad ICMP id';
        if (tuple === 1) { t.sport[i] = v; t.dport[i] = v; } else { t.replySport[i] = v; t.replyDport[i] = v; }
        gotPorts |= tuple;
        icmpIdPending = false;
      } else t.id[i] = v;
    } else if (h === H_TYPE) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 255) return 'bad ICMP type';
      if (tuple === 1) t.icmpType[i] = v;
    } else if (h === H_CODE) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 255) return 'bad ICMP code';
      if (tuple === 1) t.icmpCode[i] = v;
      icmpIdPending = true;
    } else if (h === H_SRCKEY || h === H_DSTKEY) {
      skipWord(b, vs, e);
      v = parseKey(b, vs, valueEnd);
      if (v < 0 || v > 65535 || tuple === 0) return 'bad GRE key';
      const src = h === H_SRCKEY;
      if (tuple === 1) { if (src) t.sport[i] = v; else t.dport[i] = v; } else if (src) t.replySport[i] = v; else t.replyDport[i] = v;
      gotPorts |= tuple;
    } else if (h === H_ZONE || h === H_ZONE_ORIG) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 65535) return 'bad zone';
      if (h === H_ZONE || t.zone[i]! < 0) t.zone[i] = v;
    } else if (h === H_SECCTX) {
      skipWord(b, vs, e);
      t.secctx.set(i, latin1(b, vs, valueEnd));
    } else if (h === H_ZONE_REPLY || h === H_SECMARK || h === H_HELPER || h === H_LABELS || h === H_PORTID || h === H_PID) {
      skipWord(b, vs, e); // printed by conntrack (portid/pid after [USERSPACE] on events), not needed for timeouts
    } else if (h === H_PROGNAME) {
      valueEnd = e; // the requesting program's name ends an event line and may hold blanks
    } else {
      return `unknown field "${latin1(b, ts, p)}="`;
    }
    p = valueEnd;
  }
  if (tuple === 0) return bare === 0 ? 'empty line' : 'no src= field';
  if (tuple === 1) return 'no reply tuple (second src=)';
  if (countersSeen === 1) return 'packets= in one direction only';
  const proto = t.proto[i];
  const needsPorts = proto === 6 || proto === 17 || proto === 136 || proto === 132 || proto === 33 || proto === 47;
  if (needsPorts && (gotPorts & 1) === 0) return `no ports in the original tuple of a ${ctProtoName(proto)} entry`;
  t.family[i] = family;
  return null;
}

/** Family of the address internAddr read last (a module variable: no object per call). */
let lastFamily = 4;

function latin1(b: Buffer, s: number, e: number): string {
  return b.toString('latin1', s, e);
}
