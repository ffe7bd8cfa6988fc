/**
 * `conntrack -L -o xml`: a small scanner for its fixed schema (libnetfilter_conntrack
 * src/conntrack/snprintf_xml.c), no XML dependency. conntrack prints one `<flow>` element per
 * line; a flow spread over several lines (pretty-printed) is gathered first.
 *
 *   <flow><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>..</src><dst>..</dst></layer3>
 *   <layer4 protonum="6" protoname="tcp"><sport>..</sport><dport>..</dport></layer4>
 *   <counters><packets>..</packets><bytes>..</bytes></counters></meta><meta direction="reply">...</meta>
 *   <meta direction="independent"><state>..</state><timeout>..</timeout><mark>..</mark><use>..</use>
 *   <id>..</id><assured/><unreplied/><deltatime>..</deltatime></meta></flow>
 *
 * ICMP flows carry no type, code or identifier in this form (the element is empty).
 */
import { ConntrackTable, ST_ASSURED, ST_HW_OFFLOAD, ST_OFFLOAD, ST_UNREPLIED, stateIndex } from './conntrack-table.js';

const TOKEN_RE = /<(\/?)([A-Za-z][A-Za-z0-9_-]*)((?:\s+[A-Za-z_:-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g;
const ATTR_RE = /([A-Za-z_:-]+)\s*=\s*"([^"]*)"/g;

function attr(attrs: string, name: string): string | null {
  ATTR_RE.lastIndex = 0;
  for (let m = ATTR_RE.exec(attrs); m !== null; m = ATTR_RE.exec(attrs)) if (m[1] === name) return m[2]!;
  return null;
}

function unescape(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

function uint(text: string, max: number): number {
  const t = text.trim();
  const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : -1;
  return v >= 0 && v <= max ? v : -1;
}

/**
 * Decodes one `<flow>...</flow>` element into a new row of `t`. Returns null when read, else why
 * not (the row is removed). An event element (`<flow type="new">`) is refused: fwtp reads
 * events from `conntrack -E -o timestamp`, whose times are exact.
 */
export function parseXmlFlow(xml: string, t: ConntrackTable, lineNo: number): string | null {
  const i = t.add(lineNo);
  const why = decodeFlow(xml, t, i);
  if (why !== null) t.dropLast();
  return why;
}

function decodeFlow(xml: string, t: ConntrackTable, i: number): string | null {
  let dir = -1; // 0 original, 1 reply, 2 independent
  let open = '';
  let inLayer4 = false;
  let inCounters = false;
  let tuples = 0;
  let ports = 0;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(xml); m !== null; m = TOKEN_RE.exec(xml)) {
    if (m[5] !== undefined) {
      const text = m[5];
      if (text.trim() === '' || open === '') continue;
      const why = value(open, unescape(text));
      if (why !== null) return why;
      continue;
    }
    const closing = m[1] === '/';
    const name = m[2]!;
    const selfClosing = m[4] === '/';
    if (closing) {
      if (name === 'layer4') inLayer4 = false;
      else if (name === 'counters') inCounters = false;
      else if (name === 'meta') dir = -1;
      open = '';
      continue;
    }
    open = selfClosing ? '' : name;
    switch (name) {
      case 'flow': {
        const type = attr(m[3]!, 'type');
        if (type !== null) return `an event (<flow type="${type}">): read events from conntrack -E -o timestamp instead of -o xml`;
        break;
      }
      case 'meta': {
        const d = attr(m[3]!, 'direction');
        dir = d === 'original' ? 0 : d === 'reply' ? 1 : d === 'independent' ? 2 : -1;
        if (dir < 0) return `unknown <meta direction="${d ?? ''}">`;
        if (dir < 2) tuples |= 1 << dir;
        break;
      }
      case 'layer3': {
        const n = uint(attr(m[3]!, 'protonum') ?? '', 255);
        if (n !== 2 && n !== 10) return `layer3 protonum ${attr(m[3]!, 'protonum') ?? '?'} is neither 2 (IPv4) nor 10 (IPv6)`;
        t.family[i] = n === 2 ? 4 : 6;
        break;
      }
      case 'layer4': {
        const n = uint(attr(m[3]!, 'protonum') ?? '', 255);
        if (n < 0) return 'layer4 without a protocol number';
        t.proto[i] = n;
        inLayer4 = !selfClosing;
        break;
      }
      case 'counters': inCounters = !selfClosing; break;
      case 'assured': t.status[i]! |= ST_ASSURED; break;
      case 'unreplied': t.status[i]! |= ST_UNREPLIED; break;
      case 'offload': t.status[i]! |= ST_OFFLOAD; break;
      case 'hw_offload': t.status[i]! |= ST_HW_OFFLOAD | ST_OFFLOAD; break;
      default: break;
    }
  }
  if ((tuples & 3) !== 3) return 'a flow without both the original and the reply tuple';
  const proto = t.proto[i];
  const needsPorts = proto === 6 || proto === 17 || proto === 136 || proto === 132 || proto === 33 || proto === 47;
  if (needsPorts && (ports & 1) === 0) return 'no ports in the original tuple';
  return null;

  function value(el: string, text: string): string | null {
    const orig = dir === 0;
    switch (el) {
      case 'src':
      case 'dst': {
        if (dir !== 0 && dir !== 1) return `<${el}> outside a tuple`;
        const id = t.addresses.internText(text.trim());
        if (id < 0) return `<${el}>${text.trim()}</${el}> is not an IPv4 or IPv6 address`;
        if (el === 'src') { if (orig) t.src[i] = id; else t.replySrc[i] = id; } else if (orig) t.dst[i] = id; else t.replyDst[i] = id;
        return null;
      }
      case 'sport':
      case 'dport':
      case 'srckey':
      case 'dstkey': {
        const v = uint(text, 65535);
        if (v < 0) return `bad <${el}>`;
        const src = el[0] === 's';
        if (orig) { if (src) t.sport[i] = v; else t.dport[i] = v; } else if (src) t.replySport[i] = v; else t.replyDport[i] = v;
        ports |= orig ? 1 : 2;
        return null;
      }
      case 'type':
      case 'code': {
        const v = uint(text, 255);
        if (v < 0) return `bad <${el}>`;
        if (orig) { if (el === 'type') t.icmpType[i] = v; else t.icmpCode[i] = v; }
        return null;
      }
      case 'packets':
      case 'bytes': {
        if (!inCounters) return null;
        const v = uint(text, Number.MAX_SAFE_INTEGER);
        if (v < 0) return `bad <${el}>`;
        if (el === 'packets') { if (orig) t.packetsOrig[i] = v; else t.packetsReply[i] = v; } else if (orig) t.bytesOrig[i] = v; else t.bytesReply[i] = v;
        return null;
      }
      case 'id': {
        const v = uint(text, 0xffffffff);
        if (v < 0) return 'bad <id>';
        if (inLayer4) {
          if (v > 65535) return 'bad ICMP <id>';
          if (orig) { t.sport[i] = v; t.dport[i] = v; } else { t.replySport[i] = v; t.replyDport[i] = v; }
        } else t.id[i] = v;
        return null;
      }
      case 'state': {
        const s = stateIndex(text.trim());
        if (s <= 0) return `unknown state "${text.trim()}"`;
        t.state[i] = s;
        return null;
      }
      case 'timeout': {
        const v = uint(text, Number.MAX_SAFE_INTEGER);
        if (v < 0) return 'bad <timeout>';
        t.timeout[i] = Math.min(v, 0x7fffffff);
        return null;
      }
      case 'mark': { const v = uint(text, 0xffffffff); if (v < 0) return 'bad <mark>'; t.mark[i] = v; return null; }
      case 'zone': { const v = uint(text, 65535); if (v < 0) return 'bad <zone>'; t.zone[i] = v; return null; }
      case 'use': { const v = uint(text, 0x7fffffff); if (v < 0) return 'bad <use>'; t.use[i] = v; return null; }
      case 'deltatime': { const v = uint(text, Number.MAX_SAFE_INTEGER); if (v < 0) return 'bad <deltatime>'; t.deltaSeconds[i] = v; return null; }
      case 'secctx': t.secctx.set(i, text.trim()); return null;
      default: return null; // secmark, helper, labels, timestamp start/stop (ns), when: not needed
    }
  }
}
