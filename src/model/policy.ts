/**
 * Per-service timeout policies: a timeout is a function of the flow (its service, its state),
 * not one global number. A policy is a platform profile, the candidate being swept, and rules
 * that pin some services to their own timeouts, as the firewall configurations in
 * docs/PLATFORMS.md ("Per-service timeouts") do: nftables `ct timeout`, an ASA MPF class,
 * a PAN-OS service override, a FortiGate custom service `session-ttl`, and so on.
 */
import { FLOW_STATE_NAMES, FlowState, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../util/protocols.js';
import { usageError } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import { ipv4Bytes as parseIPv4, ipv6Bytes as parseIPv6 } from '../util/ip-address.js';
import { normaliseStateName } from './platform-overrides.js';
import type { PlatformProfile } from './platforms.js';

export interface ServiceMatch {
  /** IP protocol number; any when absent. */
  proto?: number;
  /** Server address, exact (`198.51.100.24`, `2001:db8::1`) or CIDR (`198.51.100.0/24`); any when absent. */
  serverAddr?: string;
  /** Server port or inclusive range; any when absent. */
  serverPort?: number | [number, number];
}

export interface TimeoutRule {
  match: ServiceMatch;
  /** Seconds per FlowState name; states not given keep the platform's (or the candidate's) value. */
  stateTimeouts: Partial<Record<string, number>>;
  label?: string;
}

export interface TimeoutPolicy {
  platform: PlatformProfile;
  candidateSeconds: number;
  protocol: 'tcp' | 'udp';
  rules: TimeoutRule[];
}

const STATE_COUNT = FLOW_STATE_NAMES.length;

// ---------------------------------------------------------------------------------------------
// Addresses (the text forms are parsed by util/ip-address.ts)

/**
 * Parses an IPv4 or IPv6 address in text form into its bytes: 4 for IPv4, 16 for IPv6.
 * IPv4-mapped IPv6 (`::ffff:198.51.100.24`) is returned as IPv4 so that it matches IPv4 rules;
 * a zone (`fe80::1%eth0`) is ignored. Returns null when the text is not an address.
 */
export function parseIpAddress(text: string): Uint8Array | null {
  const t = text.trim();
  if (t.includes(':')) {
    const v6 = parseIPv6(t);
    if (v6 === null) return null;
    return isIPv4Mapped(v6) ? v6.slice(12) : v6;
  }
  return parseIPv4(t);
}

function isIPv4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

export interface Cidr {
  /** 4 or 16 bytes, host bits cleared. */
  bytes: Uint8Array;
  prefixBits: number;
}

/**
 * Parses `ADDR` or `ADDR/PREFIX` (IPv4 or IPv6); an address alone is a /32 (/128). Host bits
 * are cleared (`198.51.100.24/24` is `198.51.100.0/24`). An IPv4-mapped IPv6 prefix of at
 * least /96 becomes the IPv4 prefix (`::ffff:198.51.100.0/120` -> `198.51.100.0/24`).
 * Returns null when malformed.
 */
export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash >= 0 ? t.slice(0, slash) : t;
  let raw: Uint8Array | null;
  let prefixBits: number;
  if (addrText.includes(':')) {
    raw = parseIPv6(addrText);
    if (raw === null) return null;
    prefixBits = 128;
  } else {
    raw = parseIPv4(addrText);
    if (raw === null) return null;
    prefixBits = 32;
  }
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > raw.length * 8) return null;
    prefixBits = Number(p);
  }
  if (raw.length === 16 && isIPv4Mapped(raw) && prefixBits >= 96) {
    raw = raw.slice(12);
    prefixBits -= 96;
  }
  const bytes = raw.slice();
  for (let bit = prefixBits; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { bytes, prefixBits };
}

/** Whether `addr` (from parseIpAddress) lies in `cidr`; different families never match. */
export function cidrContains(cidr: Cidr, addr: Uint8Array): boolean {
  if (addr.length !== cidr.bytes.length) return false;
  const whole = cidr.prefixBits >> 3;
  for (let i = 0; i < whole; i++) if (addr[i] !== cidr.bytes[i]) return false;
  const rest = cidr.prefixBits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[whole]! & mask) === cidr.bytes[whole];
}

// ---------------------------------------------------------------------------------------------
// Policies

interface CompiledRule {
  proto: number; // -1 = any
  cidr: Cidr | null;
  portLo: number;
  portHi: number;
  /** Seconds per FlowState index, NaN = not overridden. */
  overrides: Float64Array;
}

interface CompiledPolicy {
  /** Timeouts before rules, by protocol class: 0 TCP, 1 UDP, 2 any other protocol. */
  bases: Float64Array[];
  rules: CompiledRule[];
}

function protoClass(proto: number): number {
  return proto === PROTO_TCP ? 0 : proto === PROTO_UDP ? 1 : 2;
}

function invalidRule(text: string, why: string): never {
  throw usageError('CLI_INVALID_SERVICE_RULE',
    `invalid service rule "${text}": ${why}; use [PROTO/][ADDR[/PREFIX]][:PORT[-PORT]]=DURATION or =STATE:DURATION,... e.g. 198.51.100.24:1521=9000, tcp/1521=2h30m, 198.51.100.0/24:1521=established:9000,time_wait:60`);
}

function compilePolicy(policy: TimeoutPolicy): CompiledPolicy {
  const candidate = policy.candidateSeconds;
  if (typeof candidate !== 'number' || !Number.isFinite(candidate) || candidate <= 0) {
    throw usageError('CLI_INVALID_TIMEOUTS', `invalid candidate timeout ${String(candidate)}: must be a finite number of seconds above zero`);
  }
  const base = new Float64Array(STATE_COUNT);
  for (let s = 0; s < STATE_COUNT; s++) base[s] = policy.platform.stateTimeouts[FLOW_STATE_NAMES[s]!]!;
  const tcp = base.slice();
  const udp = base.slice();
  if (policy.protocol === 'udp') {
    udp[FlowState.UdpUnreplied] = candidate;
    udp[FlowState.UdpReplied] = candidate;
  } else {
    tcp[FlowState.Established] = candidate;
  }
  const rules = policy.rules.map((rule) => compileRule(rule));
  return { bases: [tcp, udp, base], rules };
}

function compileRule(rule: TimeoutRule): CompiledRule {
  const label = rule.label ?? JSON.stringify(rule.match);
  const m = rule.match;
  let cidr: Cidr | null = null;
  if (m.serverAddr !== undefined) {
    cidr = parseCidr(m.serverAddr);
    if (cidr === null) invalidRule(label, `"${m.serverAddr}" is not an IPv4/IPv6 address or prefix`);
  }
  let portLo = 0;
  let portHi = 65535;
  if (m.serverPort !== undefined) {
    [portLo, portHi] = typeof m.serverPort === 'number' ? [m.serverPort, m.serverPort] : m.serverPort;
    if (!Number.isInteger(portLo) || !Number.isInteger(portHi) || portLo < 0 || portHi > 65535 || portLo > portHi) {
      invalidRule(label, `bad port ${JSON.stringify(m.serverPort)}`);
    }
  }
  const proto = m.proto ?? -1;
  if (m.proto !== undefined && (!Number.isInteger(m.proto) || m.proto < 0 || m.proto > 255)) invalidRule(label, `bad protocol ${m.proto}`);
  const overrides = new Float64Array(STATE_COUNT).fill(NaN);
  for (const [rawName, seconds] of Object.entries(rule.stateTimeouts)) {
    if (seconds === undefined) continue;
    const state = normaliseStateName(rawName);
    if (state === null) {
      throw usageError('CLI_UNKNOWN_STATE', `unknown state "${rawName}" in service rule "${label}": states are ${FLOW_STATE_NAMES.join(', ')}`);
    }
    if (!Number.isFinite(seconds) || seconds < 0) invalidRule(label, `bad timeout ${seconds} for ${state}`);
    overrides[FLOW_STATE_NAMES.indexOf(state)] = seconds;
  }
  return { proto, cidr, portLo, portHi, overrides };
}

/** Index of the first rule matching the service, or -1. */
function matchRule(rules: CompiledRule[], proto: number, serverAddr: string, serverPort: number): number {
  let addr: Uint8Array | null | undefined; // parsed on first need
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (rule.proto >= 0 && rule.proto !== proto) continue;
    if (serverPort < rule.portLo || serverPort > rule.portHi) continue;
    if (rule.cidr !== null) {
      if (addr === undefined) addr = parseIpAddress(serverAddr);
      if (addr === null || !cidrContains(rule.cidr, addr)) continue;
    }
    return r;
  }
  return -1;
}

function applyRule(base: Float64Array, rule: CompiledRule | undefined): Float64Array {
  const out = base.slice();
  if (rule) {
    for (let s = 0; s < STATE_COUNT; s++) if (!Number.isNaN(rule.overrides[s])) out[s] = rule.overrides[s]!;
  }
  return out;
}

/**
 * Timeouts in seconds indexed by FlowState (length 12) for one flow's service. The candidate
 * replaces `established` (with protocol 'udp': udp_replied and udp_unreplied) for TCP (UDP)
 * flows; rules (first match wins) override on top, so a rule's value beats the candidate.
 *
 * @example timeoutsFor({ platform: getPlatform('linux'), candidateSeconds: 3600, protocol: 'tcp',
 *   rules: [parseServiceRule('198.51.100.24:1521=9000')] }, 6, '198.51.100.24', 1521)[FlowState.Established] // => 9000
 */
export function timeoutsFor(policy: TimeoutPolicy, proto: number, serverAddr: string, serverPort: number): Float64Array {
  const c = compilePolicy(policy);
  const r = matchRule(c.rules, proto, serverAddr, serverPort);
  return applyRule(c.bases[protoClass(proto)]!, c.rules[r]);
}

/**
 * timeoutsFor with the policy compiled once and results cached per service
 * (protocol, server address, server port). Flows whose services end up with the same
 * timeouts share one array: treat the returned arrays as read-only.
 */
export function makeTimeoutResolver(policy: TimeoutPolicy): (proto: number, serverAddrText: string, serverPort: number) => Float64Array {
  const c = compilePolicy(policy);
  if (c.rules.length === 0) return (proto: number) => c.bases[protoClass(proto)]!;
  // One array per (protocol class, matching rule): at most 3 x (rules + 1) arrays.
  const shared: Array<Float64Array | undefined> = new Array(3 * (c.rules.length + 1));
  const byService = new Map<string, Float64Array>();
  return (proto: number, serverAddrText: string, serverPort: number): Float64Array => {
    const key = `${proto}|${serverPort}|${serverAddrText}`;
    const hit = byService.get(key);
    if (hit !== undefined) return hit;
    const r = matchRule(c.rules, proto, serverAddrText, serverPort);
    const cls = protoClass(proto);
    const slot = cls * (c.rules.length + 1) + r + 1;
    let arr = shared[slot];
    if (arr === undefined) {
      arr = applyRule(c.bases[cls]!, c.rules[r]);
      shared[slot] = arr;
    }
    byService.set(key, arr);
    return arr;
  };
}

// ---------------------------------------------------------------------------------------------
// Rule text

const PROTO_NAMES: Record<string, number> = {
  tcp: PROTO_TCP, udp: PROTO_UDP, icmp: PROTO_ICMP, icmpv6: PROTO_ICMPV6, 'ipv6-icmp': PROTO_ICMPV6, sctp: 132,
};

function parsePorts(text: string, ruleText: string): number | [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!m) invalidRule(ruleText, `"${text}" is not a port or port range`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || lo > hi) invalidRule(ruleText, `port range ${text} outside 0..65535 or reversed`);
  return m[2] === undefined ? lo : [lo, hi];
}

function checkAddress(text: string, ruleText: string): string {
  if (parseCidr(text) === null) invalidRule(ruleText, `"${text}" is not an IPv4/IPv6 address or prefix`);
  return text;
}

function ruleDuration(text: string, ruleText: string): number {
  try {
    return parseDuration(text);
  } catch {
    return invalidRule(ruleText, `"${text}" is not a duration (3600, 2h30m, 1:00:00)`);
  }
}

/** The states a bare `=DURATION` sets: the idle state(s) of the rule's protocol. */
function idleStatesFor(proto: number | undefined): string[] {
  if (proto === PROTO_TCP) return ['established'];
  if (proto === PROTO_UDP) return ['udp_unreplied', 'udp_replied'];
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) return ['icmp'];
  if (proto === undefined) return ['established', 'udp_unreplied', 'udp_replied'];
  return ['other'];
}

/**
 * Parses a `--service-timeout` rule: `SERVICE=TIMEOUTS`.
 *
 * SERVICE is `[PROTO/][ADDR[/PREFIX]][:PORT[-PORT]]`: PROTO a name (tcp, udp, icmp, icmpv6,
 * sctp) or number; ADDR IPv4, or IPv6 in brackets when a port follows (`[2001:db8::/32]:1521`);
 * `*` or nothing for any address; a bare number after `PROTO/` is a port (`tcp/1521`).
 *
 * TIMEOUTS is either one duration, which sets the idle state of the protocol (TCP:
 * established; UDP: udp_unreplied and udp_replied; ICMP: icmp; no protocol given: established
 * and both UDP states), or `STATE:DURATION,...` (`established:9000,time_wait:60`).
 *
 * Errors: CLI_INVALID_SERVICE_RULE, CLI_UNKNOWN_STATE (usage).
 *
 * @example parseServiceRule('198.51.100.24:1521=9000')
 *   // => { match: { serverAddr: '198.51.100.24', serverPort: 1521 },
 *   //      stateTimeouts: { established: 9000, udp_unreplied: 9000, udp_replied: 9000 }, label: '198.51.100.24:1521=9000' }
 */
export function parseServiceRule(text: string): TimeoutRule {
  const t = String(text).trim();
  const eq = t.indexOf('=');
  if (eq < 0) invalidRule(t, 'missing "="');
  let service = t.slice(0, eq).trim();
  const value = t.slice(eq + 1).trim();
  if (service === '') invalidRule(t, 'no service before "=" (use * for every service)');
  if (value === '') invalidRule(t, 'no timeout after "="');

  const match: ServiceMatch = {};
  const protoOnly = service.toLowerCase();
  const protoSlash = /^([a-z][a-z0-9-]*|\d{1,3})\/(.*)$/i.exec(service);
  let protoText: string | null = null;
  if (protoSlash) {
    protoText = protoSlash[1]!;
    service = protoSlash[2]!.trim();
  } else if (Object.hasOwn(PROTO_NAMES, protoOnly)) {
    protoText = protoOnly;
    service = '';
  }
  if (protoText !== null) {
    const p = /^\d+$/.test(protoText) ? Number(protoText)
      : Object.hasOwn(PROTO_NAMES, protoText.toLowerCase()) ? PROTO_NAMES[protoText.toLowerCase()] : undefined;
    if (p === undefined || p > 255) invalidRule(t, `unknown protocol "${protoText}" (tcp, udp, icmp, icmpv6, sctp or a number 0..255)`);
    match.proto = p;
  }

  if (service === '' || service === '*') {
    // any address, any port
  } else if (/^\d+(-\d+)?$/.test(service)) {
    match.serverPort = parsePorts(service, t);
  } else if (service.startsWith(':') || service.startsWith('*:')) {
    match.serverPort = parsePorts(service.slice(service.indexOf(':') + 1), t);
  } else if (service.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.+))?$/.exec(service);
    if (!m) invalidRule(t, `"${service}" is not [IPv6]:PORT`);
    match.serverAddr = checkAddress(m[1]!, t);
    if (m[2] !== undefined) match.serverPort = parsePorts(m[2], t);
  } else if (service.includes('.') && (service.match(/:/g) ?? []).length <= 1) {
    const colon = service.indexOf(':');
    match.serverAddr = checkAddress(colon >= 0 ? service.slice(0, colon) : service, t);
    if (colon >= 0) match.serverPort = parsePorts(service.slice(colon + 1), t);
  } else {
    match.serverAddr = checkAddress(service, t);
  }

  const stateTimeouts: Record<string, number> = {};
  if (/^[a-z_][a-z_-]*\s*:/i.test(value)) {
    for (const item of value.split(',')) {
      const colon = item.indexOf(':');
      if (colon <= 0) invalidRule(t, `"${item.trim()}" is not STATE:DURATION`);
      const rawState = item.slice(0, colon).trim();
      const state = normaliseStateName(rawState);
      if (state === null) {
        throw usageError('CLI_UNKNOWN_STATE', `unknown state "${rawState}" in service rule "${t}": states are ${FLOW_STATE_NAMES.join(', ')}`);
      }
      stateTimeouts[state] = ruleDuration(item.slice(colon + 1), t);
    }
  } else {
    const seconds = ruleDuration(value, t);
    for (const state of idleStatesFor(match.proto)) stateTimeouts[state] = seconds;
  }
  return { match, stateTimeouts, label: t };
}
