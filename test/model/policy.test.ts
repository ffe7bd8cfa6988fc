import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlowState, PROTO_ICMP, PROTO_TCP, PROTO_UDP } from '../../src/util/protocols.js';
import { getPlatform } from '../../src/model/platforms.js';
import {
  cidrContains, makeTimeoutResolver, parseCidr, parseIpAddress, parseServiceRule, timeoutsFor, type TimeoutPolicy,
} from '../../src/model/policy.js';
import { FwtpError } from '../../src/util/errors.js';

function errorOf(fn: () => unknown): FwtpError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FwtpError);
    return err as FwtpError;
  }
  throw new Error('expected an FwtpError');
}

const LINUX = [120, 60, 432000, 120, 60, 30, 120, 10, 30, 120, 30, 600];

describe('addresses', () => {
  it.each([
    ['198.51.100.24', [198, 51, 100, 24]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['2001:db8:1:2:3:4:5:6', [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6]],
    ['fe80::1%eth0', [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', new Array(16).fill(0)],
    ['::ffff:198.51.100.24', [198, 51, 100, 24]],
    ['64:ff9b::198.51.100.24', [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 198, 51, 100, 24]],
  ])('%s', (text, bytes) => {
    expect(Array.from(parseIpAddress(text)!)).toEqual(bytes);
  });

  it.each(['', '1.2.3', '1.2.3.256', '1.2.3.4.5', 'a.b.c.d', '1::2::3', '12345::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '1:2:3:4:5:6:7::8'])(
    'rejects %j', (text) => {
      expect(parseIpAddress(text)).toBeNull();
    });

  it('CIDR parsing clears host bits and handles IPv4-mapped prefixes', () => {
    expect(parseCidr('198.51.100.24/24')).toEqual({ bytes: Uint8Array.of(198, 51, 100, 0), prefixBits: 24 });
    expect(parseCidr('198.51.100.24')).toEqual({ bytes: Uint8Array.of(198, 51, 100, 24), prefixBits: 32 });
    expect(parseCidr('10.1.2.3/12')).toEqual({ bytes: Uint8Array.of(10, 0, 0, 0), prefixBits: 12 });
    expect(parseCidr('::ffff:198.51.100.0/120')).toEqual({ bytes: Uint8Array.of(198, 51, 100, 0), prefixBits: 24 });
    expect(parseCidr('2001:db8:ffff::/33')!.bytes.slice(0, 6)).toEqual(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0x80, 0));
    expect(parseCidr('198.51.100.0/33')).toBeNull();
    expect(parseCidr('2001:db8::/129')).toBeNull();
    expect(parseCidr('198.51.100.0/')).toBeNull();
  });

  it('CIDR containment', () => {
    const net = parseCidr('198.51.100.0/24')!;
    expect(cidrContains(net, parseIpAddress('198.51.100.255')!)).toBe(true);
    expect(cidrContains(net, parseIpAddress('198.51.101.0')!)).toBe(false);
    expect(cidrContains(net, parseIpAddress('::ffff:198.51.100.7')!)).toBe(true);
    expect(cidrContains(net, parseIpAddress('2001:db8::1')!)).toBe(false);
    const odd = parseCidr('10.0.0.0/12')!; // 10.0.0.0 .. 10.15.255.255
    expect(cidrContains(odd, parseIpAddress('10.15.255.255')!)).toBe(true);
    expect(cidrContains(odd, parseIpAddress('10.16.0.0')!)).toBe(false);
    const v6 = parseCidr('2001:db8::/32')!;
    expect(cidrContains(v6, parseIpAddress('2001:db8:ffff::1')!)).toBe(true);
    expect(cidrContains(v6, parseIpAddress('2001:db9::1')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIpAddress('203.0.113.9')!)).toBe(true);
    expect(cidrContains(parseCidr('::/0')!, parseIpAddress('198.51.100.1')!)).toBe(false);
  });

  it('property: an IPv4 address is in its own /n prefix for every n, and the prefix check agrees with integer arithmetic', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, b, n) => {
      const text = (x: number): string => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
      const net = parseCidr(`${text(a)}/${n}`)!;
      expect(cidrContains(net, parseIpAddress(text(a))!)).toBe(true);
      const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
      expect(cidrContains(net, parseIpAddress(text(b))!)).toBe(((a & mask) >>> 0) === ((b & mask) >>> 0));
    }));
  });
});

describe('parseServiceRule', () => {
  it.each([
    ['198.51.100.24:1521=9000', { serverAddr: '198.51.100.24', serverPort: 1521 }, { established: 9000, udp_unreplied: 9000, udp_replied: 9000 }],
    ['tcp/1521=2h30m', { proto: 6, serverPort: 1521 }, { established: 9000 }],
    ['tcp/198.51.100.24:1521=2:30:00', { proto: 6, serverAddr: '198.51.100.24', serverPort: 1521 }, { established: 9000 }],
    ['198.51.100.0/24:1521=established:9000,time_wait:60', { serverAddr: '198.51.100.0/24', serverPort: 1521 }, { established: 9000, time_wait: 60 }],
    ['udp/53=60', { proto: 17, serverPort: 53 }, { udp_unreplied: 60, udp_replied: 60 }],
    ['UDP=2m', { proto: 17 }, { udp_unreplied: 120, udp_replied: 120 }],
    ['icmp/=10', { proto: 1 }, { icmp: 10 }],
    ['47/=1h', { proto: 47 }, { other: 3600 }],
    ['[2001:db8::/32]:443=1h', { serverAddr: '2001:db8::/32', serverPort: 443 }, { established: 3600, udp_unreplied: 3600, udp_replied: 3600 }],
    ['2001:db8::5=1h', { serverAddr: '2001:db8::5' }, { established: 3600, udp_unreplied: 3600, udp_replied: 3600 }],
    ['*:1521-1530=1h', { serverPort: [1521, 1530] }, { established: 3600, udp_unreplied: 3600, udp_replied: 3600 }],
    ['tcp/:1521=1h', { proto: 6, serverPort: 1521 }, { established: 3600 }],
    ['tcp/*=established:1h', { proto: 6 }, { established: 3600 }],
    ['198.51.100.24=close_wait:0:01:00', { serverAddr: '198.51.100.24' }, { close_wait: 60 }],
  ])('%s', (text, match, stateTimeouts) => {
    expect(parseServiceRule(text)).toEqual({ match, stateTimeouts, label: text });
  });

  it.each([
    ['198.51.100.24:1521', 'CLI_INVALID_SERVICE_RULE'],
    ['=9000', 'CLI_INVALID_SERVICE_RULE'],
    ['tcp/1521=', 'CLI_INVALID_SERVICE_RULE'],
    ['tcp/1521=soon', 'CLI_INVALID_SERVICE_RULE'],
    ['tcp/70000=1h', 'CLI_INVALID_SERVICE_RULE'],
    ['tcp/2000-1000=1h', 'CLI_INVALID_SERVICE_RULE'],
    ['gre/=1h', 'CLI_INVALID_SERVICE_RULE'],
    ['300/=1h', 'CLI_INVALID_SERVICE_RULE'],
    ['198.51.100.300:1521=1h', 'CLI_INVALID_SERVICE_RULE'],
    ['[2001:db8::1:1521=1h', 'CLI_INVALID_SERVICE_RULE'],
    ['tcp/1521=establishd:9000', 'CLI_UNKNOWN_STATE'],
    ['tcp/1521=established:9000,time_wait', 'CLI_INVALID_SERVICE_RULE'],
  ])('rejects %j with %s', (text, code) => {
    const err = errorOf(() => parseServiceRule(text));
    expect(err.code).toBe(code);
    expect(err.kind).toBe('usage');
  });
});

describe('timeoutsFor', () => {
  const linux = getPlatform('linux');
  const policy: TimeoutPolicy = {
    platform: linux,
    candidateSeconds: 3600,
    protocol: 'tcp',
    rules: [
      parseServiceRule('tcp/198.51.100.24:1521=9000'),
      parseServiceRule('198.51.100.0/24:1521=established:7200,time_wait:60'),
      parseServiceRule('udp/53=10'),
    ],
  };

  it('no rule matches: the platform with the candidate as established (TCP)', () => {
    const t = timeoutsFor(policy, PROTO_TCP, '192.0.2.10', 443);
    expect(Array.from(t)).toEqual([120, 60, 3600, 120, 60, 30, 120, 10, 30, 120, 30, 600]);
  });

  it('the first matching rule wins and beats the candidate', () => {
    expect(timeoutsFor(policy, PROTO_TCP, '198.51.100.24', 1521)[FlowState.Established]).toBe(9000);
    expect(timeoutsFor(policy, PROTO_TCP, '198.51.100.24', 1521)[FlowState.TimeWait]).toBe(120);
    const neighbour = timeoutsFor(policy, PROTO_TCP, '198.51.100.25', 1521);
    expect(Array.from(neighbour)).toEqual([120, 60, 7200, 120, 60, 30, 60, 10, 30, 120, 30, 600]);
    // IPv4-mapped form of the same server
    expect(timeoutsFor(policy, PROTO_TCP, '::ffff:198.51.100.24', 1521)[FlowState.Established]).toBe(9000);
  });

  it('the TCP candidate does not touch UDP or ICMP flows', () => {
    expect(Array.from(timeoutsFor(policy, PROTO_UDP, '192.0.2.53', 5353))).toEqual(LINUX);
    expect(Array.from(timeoutsFor(policy, PROTO_ICMP, '192.0.2.53', 0))).toEqual(LINUX);
    const dns = timeoutsFor(policy, PROTO_UDP, '192.0.2.53', 53);
    expect([dns[FlowState.UdpUnreplied], dns[FlowState.UdpReplied], dns[FlowState.Established]]).toEqual([10, 10, 432000]);
  });

  it("protocol 'udp': the candidate replaces both UDP states of UDP flows only", () => {
    const udpPolicy: TimeoutPolicy = { ...policy, protocol: 'udp', candidateSeconds: 300 };
    const u = timeoutsFor(udpPolicy, PROTO_UDP, '192.0.2.9', 4500);
    expect(Array.from(u)).toEqual([120, 60, 432000, 120, 60, 30, 120, 10, 300, 300, 30, 600]);
    expect(Array.from(timeoutsFor(udpPolicy, PROTO_TCP, '192.0.2.9', 443))).toEqual(LINUX);
    expect(timeoutsFor(udpPolicy, PROTO_UDP, '192.0.2.9', 53)[FlowState.UdpReplied]).toBe(10);
  });

  it('rejects a bad candidate and bad rules', () => {
    expect(errorOf(() => timeoutsFor({ ...policy, candidateSeconds: 0 }, PROTO_TCP, '192.0.2.1', 1)).code).toBe('CLI_INVALID_TIMEOUTS');
    expect(errorOf(() => timeoutsFor({ ...policy, rules: [{ match: {}, stateTimeouts: { nope: 1 } }] }, PROTO_TCP, '192.0.2.1', 1)).code)
      .toBe('CLI_UNKNOWN_STATE');
    expect(errorOf(() => timeoutsFor({ ...policy, rules: [{ match: { serverAddr: 'db' }, stateTimeouts: {} }] }, PROTO_TCP, '192.0.2.1', 1)).code)
      .toBe('CLI_INVALID_SERVICE_RULE');
    expect(errorOf(() => timeoutsFor({ ...policy, rules: [{ match: { serverPort: [10, 5] }, stateTimeouts: {} }] }, PROTO_TCP, '192.0.2.1', 1)).code)
      .toBe('CLI_INVALID_SERVICE_RULE');
  });

  it('an unparsable flow address matches only rules without an address', () => {
    const p: TimeoutPolicy = { ...policy, rules: [parseServiceRule('198.51.100.0/24=1h'), parseServiceRule('tcp/*=2h')] };
    expect(timeoutsFor(p, PROTO_TCP, 'not-an-address', 1)[FlowState.Established]).toBe(7200);
  });
});

describe('makeTimeoutResolver', () => {
  const policy: TimeoutPolicy = {
    platform: getPlatform('cisco-asa'),
    candidateSeconds: 5400,
    protocol: 'tcp',
    rules: [parseServiceRule('tcp/198.51.100.24:1521=9000')],
  };

  it('agrees with timeoutsFor and shares arrays between services with the same timeouts', () => {
    const resolve = makeTimeoutResolver(policy);
    const db = resolve(PROTO_TCP, '198.51.100.24', 1521);
    expect(Array.from(db)).toEqual(Array.from(timeoutsFor(policy, PROTO_TCP, '198.51.100.24', 1521)));
    expect(db[FlowState.Established]).toBe(9000);
    expect(resolve(PROTO_TCP, '198.51.100.24', 1521)).toBe(db);
    const web1 = resolve(PROTO_TCP, '192.0.2.1', 443);
    const web2 = resolve(PROTO_TCP, '192.0.2.2', 80);
    expect(web1).toBe(web2);
    expect(web1[FlowState.Established]).toBe(5400);
    expect(web1[FlowState.FinWait]).toBe(600);
    expect(resolve(PROTO_UDP, '192.0.2.1', 443)[FlowState.UdpReplied]).toBe(120);
  });

  it('without rules it returns one array per protocol class', () => {
    const resolve = makeTimeoutResolver({ ...policy, rules: [] });
    expect(resolve(PROTO_TCP, '192.0.2.1', 1)).toBe(resolve(PROTO_TCP, '2001:db8::1', 2));
    expect(resolve(PROTO_TCP, '192.0.2.1', 1)[FlowState.Established]).toBe(5400);
    expect(resolve(PROTO_UDP, '192.0.2.1', 1)[FlowState.Established]).toBe(3600);
  });

  it('property: resolver == timeoutsFor for random services', () => {
    const p: TimeoutPolicy = {
      platform: getPlatform('pf'),
      candidateSeconds: 7200,
      protocol: 'tcp',
      rules: ['198.51.100.0/25:1000-2000=1h', 'udp/53=5', '[2001:db8::/48]=established:100,close:1', 'tcp/1521=2h30m'].map(parseServiceRule),
    };
    const resolve = makeTimeoutResolver(p);
    const addr = fc.oneof(
      fc.tuple(fc.constant(198), fc.constant(51), fc.constant(100), fc.nat({ max: 255 })).map((a) => a.join('.')),
      fc.nat({ max: 0xffff }).map((x) => `2001:db8:${x.toString(16)}::1`),
    );
    fc.assert(fc.property(fc.constantFrom(1, 6, 17, 47), addr, fc.constantFrom(53, 443, 1000, 1521, 2000, 2001), (proto, a, port) => {
      expect(Array.from(resolve(proto, a, port))).toEqual(Array.from(timeoutsFor(p, proto, a, port)));
    }));
  });
});
