import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FLOW_STATE_NAMES } from '../../src/util/protocols.js';
import { getPlatform, listPlatforms, PLATFORM_FIELDS, platformNames, toPlatformSetting } from '../../src/model/platforms.js';
import { applyOverrides, loadPlatformFile, parseStateTimeoutFlag } from '../../src/model/platform-overrides.js';
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

const ALL_NAMES = ['linux', 'kube-proxy', 'cisco-asa', 'panos', 'fortigate', 'checkpoint', 'juniper-srx', 'pf',
  'aws-nat-gateway', 'azure', 'gcp-cloud-nat'];

describe('built-in profiles', () => {
  it('has every profile the CLI offers', () => {
    expect(platformNames()).toEqual(ALL_NAMES);
    expect(listPlatforms().map((p) => p.name)).toEqual(ALL_NAMES);
  });

  it.each(ALL_NAMES)('%s: every state has a value >= 0 and a source; every field has a source; strict pickup', (name) => {
    const p = getPlatform(name);
    expect(Object.keys(p.stateTimeouts).sort()).toEqual([...FLOW_STATE_NAMES].sort());
    for (const s of FLOW_STATE_NAMES) {
      expect(Number.isFinite(p.stateTimeouts[s]) && p.stateTimeouts[s]! >= 0).toBe(true);
      expect(p.citations[s]?.length ?? 0).toBeGreaterThan(10);
    }
    for (const f of PLATFORM_FIELDS) expect(p.citations[f]?.length ?? 0).toBeGreaterThan(10);
    expect(p.pickup).toBe('strict');
    expect(p.bytesPerEntry).toBeGreaterThan(0);
  });

  it('linux: kernel 6.18 nf_conntrack defaults from the reference', () => {
    const p = getPlatform('linux');
    expect(p.stateTimeouts).toEqual({
      syn_sent: 120, syn_recv: 60, established: 432000, fin_wait: 120, close_wait: 60, last_ack: 30,
      time_wait: 120, close: 10, udp_unreplied: 30, udp_replied: 120, icmp: 30, other: 600,
    });
    expect(p.bytesPerEntry).toBe(256);
    expect(p.fixedBytes).toBe(2097152); // 262144 buckets x 8 bytes
    expect(p.tableMax).toBe(262144);
    expect(p.citations.pickup).toContain('nf_conntrack_tcp_loose');
  });

  const sysctlUrl = new URL('../../../shared/corpus/conntrack/kernel-6.18/sysctl-netfilter.txt', import.meta.url);
  const haveCorpus = existsSync(new URL('../../../shared/corpus', import.meta.url));
  if (!haveCorpus) console.warn('corpus absent (../shared/corpus): linux sysctl cross-check skipped');
  (haveCorpus ? it : it.skip)('linux values agree with the recorded sysctl of the corpus (except established, set to 600 there)', () => {
    const text = readFileSync(sysctlUrl, 'utf8');
    const sysctl = new Map(text.split('\n').filter((l) => l.includes(' = ')).map((l) => {
      const [k, v] = l.split(' = ') as [string, string];
      return [k.replace('net.netfilter.', ''), Number(v)] as const;
    }));
    const p = getPlatform('linux');
    const map: Record<string, string> = {
      syn_sent: 'nf_conntrack_tcp_timeout_syn_sent', syn_recv: 'nf_conntrack_tcp_timeout_syn_recv',
      fin_wait: 'nf_conntrack_tcp_timeout_fin_wait', close_wait: 'nf_conntrack_tcp_timeout_close_wait',
      last_ack: 'nf_conntrack_tcp_timeout_last_ack', time_wait: 'nf_conntrack_tcp_timeout_time_wait',
      close: 'nf_conntrack_tcp_timeout_close', udp_unreplied: 'nf_conntrack_udp_timeout',
      udp_replied: 'nf_conntrack_udp_timeout_stream', icmp: 'nf_conntrack_icmp_timeout', other: 'nf_conntrack_generic_timeout',
    };
    for (const [state, key] of Object.entries(map)) expect(p.stateTimeouts[state]).toBe(sysctl.get(key));
    expect(sysctl.get('nf_conntrack_tcp_timeout_established')).toBe(600);
    expect(p.tableMax).toBe(sysctl.get('nf_conntrack_max'));
    expect(p.fixedBytes).toBe(sysctl.get('nf_conntrack_buckets')! * 8);
    expect(sysctl.get('nf_conntrack_tcp_loose')).toBe(1);
  });

  it('kube-proxy: Linux with established 24h and close_wait 1h', () => {
    const p = getPlatform('kube-proxy');
    expect(p.stateTimeouts).toEqual({ ...getPlatform('linux').stateTimeouts, established: 86400, close_wait: 3600 });
    expect(p.citations.established).toContain('conntrack-tcp-timeout-established');
  });

  it.each([
    ['cisco-asa', { established: 3600, syn_sent: 30, fin_wait: 600, udp_replied: 120, icmp: 2 }],
    ['panos', { established: 3600, syn_sent: 5, syn_recv: 10, fin_wait: 120, time_wait: 15, udp_replied: 30, icmp: 6, other: 30 }],
    ['fortigate', { established: 3600, udp_replied: 180, time_wait: 1, fin_wait: 120 }],
    ['checkpoint', { established: 3600, syn_sent: 25, time_wait: 5, udp_replied: 40, icmp: 30, other: 60 }],
    ['juniper-srx', { established: 1800, syn_sent: 20, time_wait: 150, udp_replied: 60, icmp: 60, other: 1800 }],
    ['pf', { established: 86400, syn_sent: 120, syn_recv: 30, fin_wait: 900, time_wait: 45, close: 90, udp_unreplied: 60, udp_replied: 60, icmp: 20, other: 60 }],
    ['aws-nat-gateway', { established: 350, udp_replied: 350, icmp: 350 }],
    ['azure', { established: 240, udp_replied: 240 }],
    ['gcp-cloud-nat', { established: 1200, syn_sent: 30, time_wait: 120, udp_replied: 30, icmp: 30 }],
  ])('%s: reference values', (name, expected) => {
    const p = getPlatform(name);
    for (const [state, seconds] of Object.entries(expected)) expect([state, p.stateTimeouts[state]]).toEqual([state, seconds]);
  });

  it('generic values say so in sources', () => {
    expect(getPlatform('aws-nat-gateway').citations.icmp).toMatch(/^generic value/);
    expect(getPlatform('fortigate').citations.other).toMatch(/^generic value/);
    expect(getPlatform('cisco-asa').citations.bytesPerEntry).toMatch(/^assumption/);
    expect(getPlatform('panos').bytesPerEntry).toBe(512);
    expect(getPlatform('panos').tableMax).toBeNull();
    expect(getPlatform('pf').tableMax).toBe(100000);
  });

  it('returns copies: changing one does not change the next', () => {
    const a = getPlatform('linux');
    a.stateTimeouts.established = 1;
    a.citations.established = 'x';
    expect(getPlatform('linux').stateTimeouts.established).toBe(432000);
    expect(listPlatforms()[0]!.citations.established).not.toBe('x');
  });

  it('is case-insensitive and rejects unknown names with CLI_UNKNOWN_PLATFORM listing the names', () => {
    expect(getPlatform(' PANOS ').name).toBe('panos');
    const err = errorOf(() => getPlatform('sonicwall'));
    expect(err.code).toBe('CLI_UNKNOWN_PLATFORM');
    expect(err.kind).toBe('usage');
    for (const n of ALL_NAMES) expect(err.message).toContain(n);
  });
});

describe('docs/PLATFORMS.md', () => {
  const doc = readFileSync(new URL('../../docs/PLATFORMS.md', import.meta.url), 'utf8');
  it.each(ALL_NAMES)('%s: the detail table holds every value of the profile', (name) => {
    const start = doc.indexOf(`### \`${name}\`:`);
    expect(start).toBeGreaterThan(0);
    const next = doc.indexOf('\n### ', start + 1);
    const section = doc.slice(start, next < 0 ? undefined : next);
    const p = getPlatform(name);
    for (const s of FLOW_STATE_NAMES) expect(section).toContain(`\n| ${s} | ${p.stateTimeouts[s]} |`);
    expect(section).toContain(`\n| bytesPerEntry | ${p.bytesPerEntry} |`);
    expect(section).toContain(`\n| fixedBytes | ${p.fixedBytes} |`);
    expect(section).toContain(`\n| tableMax | ${p.tableMax === null ? 'null' : p.tableMax} |`);
    expect(section).toContain(`\n| pickup | ${p.pickup} |`);
  });
});

describe('applyOverrides', () => {
  it('replaces values, records the origin, leaves the input alone', () => {
    const base = getPlatform('linux');
    const p = applyOverrides(base, {
      stateTimeouts: { established: 9000, 'TIME-WAIT': 60 }, bytesPerEntry: 320, tableMax: null, fixedBytes: 0, pickup: 'loose',
    });
    expect(p.stateTimeouts.established).toBe(9000);
    expect(p.stateTimeouts.time_wait).toBe(60);
    expect(p.stateTimeouts.syn_sent).toBe(120);
    expect(p.bytesPerEntry).toBe(320);
    expect(p.tableMax).toBeNull();
    expect(p.fixedBytes).toBe(0);
    expect(p.pickup).toBe('loose');
    expect(p.origins).toEqual({ established: 'flag', time_wait: 'flag', bytesPerEntry: 'flag', tableMax: 'flag', fixedBytes: 'flag', pickup: 'flag' });
    expect(base.stateTimeouts.established).toBe(432000);
    expect(base.origins).toBeUndefined();
  });

  it('rejects an unknown state with CLI_UNKNOWN_STATE and bad numbers with CLI_INVALID_OVERRIDE', () => {
    const base = getPlatform('linux');
    const err = errorOf(() => applyOverrides(base, { stateTimeouts: { establish: 10 } }));
    expect(err.code).toBe('CLI_UNKNOWN_STATE');
    expect(err.kind).toBe('usage');
    expect(errorOf(() => applyOverrides(base, { stateTimeouts: { close: -1 } })).code).toBe('CLI_INVALID_OVERRIDE');
    expect(errorOf(() => applyOverrides(base, { bytesPerEntry: Number.NaN })).code).toBe('CLI_INVALID_OVERRIDE');
    expect(errorOf(() => applyOverrides(base, { pickup: 'lax' as 'loose' })).code).toBe('CLI_INVALID_OVERRIDE');
  });
});

describe('parseStateTimeoutFlag', () => {
  it.each([
    ['time_wait=120', 'time_wait', 120],
    ['established=2h30m', 'established', 9000],
    ['Established = 1:00:00', 'established', 3600],
    ['udp-replied=90s', 'udp_replied', 90],
  ])('%s', (text, state, seconds) => {
    expect(parseStateTimeoutFlag(text)).toEqual({ state, seconds });
  });

  it('errors', () => {
    expect(errorOf(() => parseStateTimeoutFlag('time_wait')).code).toBe('CLI_INVALID_STATE_TIMEOUT');
    expect(errorOf(() => parseStateTimeoutFlag('=120')).code).toBe('CLI_INVALID_STATE_TIMEOUT');
    expect(errorOf(() => parseStateTimeoutFlag('time_wait=')).code).toBe('CLI_INVALID_STATE_TIMEOUT');
    expect(errorOf(() => parseStateTimeoutFlag('tcp=120')).code).toBe('CLI_UNKNOWN_STATE');
    expect(errorOf(() => parseStateTimeoutFlag('close=soon')).code).toBe('CLI_INVALID_DURATION');
  });
});

describe('loadPlatformFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwtp-platforms-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a profile on a base, with durations, and marks the values as from the file', () => {
    const path = write('edge.json', JSON.stringify({
      base: 'linux', name: 'edge-fw', stateTimeouts: { established: '2h30m', time_wait: 60 }, bytesPerEntry: 320, tableMax: 524288, pickup: 'loose',
    }));
    const p = loadPlatformFile(path);
    expect(p.name).toBe('edge-fw');
    expect(p.stateTimeouts.established).toBe(9000);
    expect(p.stateTimeouts.time_wait).toBe(60);
    expect(p.stateTimeouts.close).toBe(10);
    expect(p.bytesPerEntry).toBe(320);
    expect(p.fixedBytes).toBe(2097152);
    expect(p.tableMax).toBe(524288);
    expect(p.pickup).toBe('loose');
    expect(p.citations.established).toBe(`profile file ${path}`);
    const setting = toPlatformSetting(p);
    expect(setting.sources.established).toBe('file');
    expect(setting.sources.time_wait).toBe('file');
    expect(setting.sources.close).toBe('profile');
    expect(setting.sources.fixedBytes).toBe('profile');
    expect(setting.sources.tableMax).toBe('file');
  });

  it('keeps the base name when none is given; tableMax may be null', () => {
    const p = loadPlatformFile(write('min.json', '{"base":"panos","tableMax":null}'));
    expect(p.name).toBe('panos');
    expect(p.tableMax).toBeNull();
    expect(p.stateTimeouts.established).toBe(3600);
  });

  it.each([
    ['bad.json', '{"base": "linux",', 'PROFILE_INVALID_JSON'],
    ['array.json', '[]', 'PROFILE_INVALID_FIELD'],
    ['nobase.json', '{"name":"x"}', 'PROFILE_INVALID_FIELD'],
    ['unknownbase.json', '{"base":"sonicwall"}', 'PROFILE_INVALID_FIELD'],
    ['state.json', '{"base":"linux","stateTimeouts":{"establishd":9000}}', 'PROFILE_INVALID_FIELD'],
    ['value.json', '{"base":"linux","stateTimeouts":{"established":-5}}', 'PROFILE_INVALID_FIELD'],
    ['duration.json', '{"base":"linux","stateTimeouts":{"established":"soon"}}', 'PROFILE_INVALID_FIELD'],
    ['bytes.json', '{"base":"linux","bytesPerEntry":"256"}', 'PROFILE_INVALID_FIELD'],
    ['pickup.json', '{"base":"linux","pickup":"lax"}', 'PROFILE_INVALID_FIELD'],
    ['field.json', '{"base":"linux","buckets":5}', 'PROFILE_INVALID_FIELD'],
  ])('%s -> %s, kind input, naming the file', (name, text, code) => {
    const path = write(name, text);
    const err = errorOf(() => loadPlatformFile(path));
    expect(err.code).toBe(code);
    expect(err.kind).toBe('input');
    expect(err.file).toBe(path);
  });

  it('a missing file is PROFILE_UNREADABLE', () => {
    const path = join(dir, 'missing.json');
    const err = errorOf(() => loadPlatformFile(path));
    expect([err.code, err.kind, err.file]).toEqual(['PROFILE_UNREADABLE', 'input', path]);
  });
});

describe('toPlatformSetting', () => {
  it('copies the values and gives every state and field a source', () => {
    const s = toPlatformSetting(getPlatform('cisco-asa'));
    expect(s).toEqual({
      name: 'cisco-asa',
      stateTimeouts: {
        syn_sent: 30, syn_recv: 30, established: 3600, fin_wait: 600, close_wait: 600, last_ack: 600,
        time_wait: 60, close: 60, udp_unreplied: 120, udp_replied: 120, icmp: 2, other: 3600,
      },
      pickup: 'strict',
      bytesPerEntry: 512,
      fixedBytes: 0,
      tableMax: null,
      sources: Object.fromEntries([...FLOW_STATE_NAMES, ...PLATFORM_FIELDS].map((k) => [k, 'profile'])),
    });
  });

  it('explicit sources win over recorded origins', () => {
    const p = applyOverrides(getPlatform('linux'), { stateTimeouts: { established: 9000 } });
    const s = toPlatformSetting(p, { established: 'observed', pickup: 'flag' });
    expect(s.sources.established).toBe('observed');
    expect(s.sources.pickup).toBe('flag');
    expect(s.sources.close).toBe('profile');
    expect(s.stateTimeouts.established).toBe(9000);
  });
});
