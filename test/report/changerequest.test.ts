// The change request's data: the figures are exactly those of `fwtp plan` (in process and through
// the built CLI), the per-service proposal is `plan --service-timeout` at the current timeout,
// the configuration lines are docs/PLATFORMS.md's (only object names differ), and the usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plan } from '../../src/model/plan.js';
import { serviceChange } from '../../src/report/build-change-request.js';
import { changeRequestCsv } from '../../src/report/change-request-csv-json.js';
import { ipv4Mask } from '../../src/report/config/address.js';
import { asaDuration } from '../../src/report/config/cisco-asa.js';
import { endpointsOf } from '../../src/report/config/endpoints.js';
import { goDuration } from '../../src/report/config/linux.js';
import { readableDuration } from '../../src/report/prose-format.js';
import { parseServiceRule } from '../../src/model/policy.js';
import { ensureBuilt, ROOT, runCli } from '../helpers/cli.js';
import { readStory, storyOptions, storyReport } from './fixtures.js';

describe('the story: --current 3600 --proposed 9000', () => {
  it('states exactly the figures plan gives for those candidates', async () => {
    const r = await storyReport({ candidates: [7200, 14400] });
    const result = await readStory();
    const p = plan({ flows: result.flows, distribution: result.distribution }, { ...storyOptions(), timeouts: [3600, 9000, 7200, 14400], inputs: [] });
    expect(r.candidates.map((c) => [c.role, c.timeoutSeconds, c.scope])).toEqual([
      ['current', 3600, 'global'], ['proposed', 9000, 'global'], ['alternative', 7200, 'global'], ['alternative', 14400, 'global'],
    ]);
    expect(r.candidates[0]!.result).toEqual(p.candidates[0]);
    expect(r.candidates[1]!.result).toEqual(p.candidates[1]);
    expect(r.candidates[2]!.result).toEqual(p.candidates[2]);
    expect(r.candidates[3]!.result).toEqual(p.candidates[3]);
    // The README's figures for the story.
    const i = r.impact;
    expect(i.sessionsWithDrops).toEqual({ before: 15, after: 0, avoided: 15 });
    expect(i.droppedKeepAlives).toEqual({ before: 135, after: 0, avoided: 135 });
    expect(i.droppedPackets).toEqual({ before: 151, after: 0 });
    expect(i.brokenByKind).toEqual({ before: { keepAlive: 14, data: 1, close: 0 }, after: { keepAlive: 0, data: 0, close: 0 } });
    expect([i.tableEntries.before.peak, i.tableEntries.after.peak, i.tableEntries.before.atEnd, i.tableEntries.after.atEnd]).toEqual([22, 22, 1, 15]);
    expect(i.tableEntries.before.mean.toFixed(1)).toBe('4.2');
    expect(i.tableEntries.after.mean.toFixed(1)).toBe('16.4');
    expect(i.growthPerHour.before).toBeNull();
    expect(i.growthPerHour.after!.toFixed(2)).toBe('1.20');
    expect(i.tableMax).toBe(262144);
    // (262144 - 22) entries at the proposal's growth rate
    expect(i.hoursToTableMax).toBeCloseTo((262144 - 22) / i.growthPerHour.after!, 9);
    expect(r.evidence.current.map((a) => [a.label, a.sessions, a.kind])).toEqual([
      ['tcp 198.51.100.24:1521 -> 192.0.2.10:*', 14, 'keepAlive'],
      ['tcp 192.0.2.10:* -> 198.51.100.24:1521', 1, 'data'],
    ]);
    expect(r.evidence.proposed).toEqual([]);
    expect(r.coverage.flows).toBe(80);
    expect(r.coverage.extrapolated).toEqual([]);
    expect(r.coverage.keepalive.source).toBe('observed');
    expect(r.title).toBe('Change request: raise the TCP established idle timeout on linux from 1h to 2h30m');
    expect(r.summary).toContain('15 sessions lose their state while in use');
    expect(r.summary).toContain('135 keep-alive probes are dropped');
    expect(r.summary).toContain('at 2h30m, 0 sessions break and 0 keep-alive probes are dropped');
    // Entry memory apart from the fixed cost: 22 x 256 B = 5.50 KiB at peak; 16.4 x 256 B = 4.09 KiB and 4.2 x 256 B = 1.05 KiB on average.
    expect(r.summary).toContain("16.4 entries on average instead of 4.2 (peak unchanged at 22, <0.01% of the 262144-entry maximum), " +
      "entry memory 5.50 KiB at peak, 4.09 KiB on average instead of 1.05 KiB (the table's fixed 2.00 MiB on top)");
  });

  it('a per-service proposal is plan --service-timeout at the current timeout; --proposed becomes the global alternative', async () => {
    const rule = '198.51.100.24:1521=9000';
    const r = await storyReport({ rules: [rule], proposed: 9000 });
    const result = await readStory();
    const pinned = plan({ flows: result.flows, distribution: result.distribution }, { ...storyOptions('linux', [rule]), timeouts: [3600], inputs: [] });
    expect(r.change.scope).toBe('per-service');
    expect(r.change.proposedSeconds).toBe(3600);
    expect(r.candidates.map((c) => [c.role, c.timeoutSeconds, c.scope, c.services])).toEqual([
      ['current', 3600, 'global', []], ['proposed', 3600, 'per-service', [rule]], ['alternative', 9000, 'global', []],
    ]);
    expect(r.candidates[1]!.result).toEqual(pinned.candidates[0]);
    expect(r.impact.sessionsWithDrops).toEqual({ before: 15, after: 0, avoided: 15 });
    expect(r.change.services).toEqual([{ rule, protocol: 'tcp', address: '198.51.100.24', port: '1521', stateTimeouts: { established: 9000, udp_unreplied: 9000, udp_replied: 9000 }, idleSeconds: 9000, label: 'tcp 198.51.100.24:1521' }]);
    expect(r.summary).toContain('to 2h30m (9000 s) for tcp 198.51.100.24:1521 only (--service-timeout 198.51.100.24:1521=9000); every other connection keeps 1h (3600 s)');
  });

  it('CSV: one row per candidate with the comparison columns', async () => {
    const r = await storyReport({ candidates: [7200] });
    const lines = changeRequestCsv(r).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]!.split(',').slice(0, 8)).toEqual(['role', 'scope', 'services', 'timeout_s', 'timeout', 'sessions_with_drops', 'dropped_keepalives', 'dropped_packets']);
    expect(lines[1]!.split(',').slice(0, 11)).toEqual(['current', 'global', '', '3600', '1h', '15', '135', '151', '14', '1', '0']);
    expect(lines[2]!.split(',').slice(0, 11)).toEqual(['proposed', 'global', '', '9000', '2h30m', '0', '0', '0', '0', '0', '0']);
    expect(lines[3]!.split(',').slice(0, 4)).toEqual(['alternative', 'global', '', '7200']);
  });
});

describe('the built command line', () => {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fwtp-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('report --format json has the candidates of plan --format json', () => {
    const p = runCli(['plan', 'samples/oracle-pool.pcap', '--timeouts', '3600,9000', '--format', 'json']);
    const r = runCli(['report', 'samples/oracle-pool.pcap', '--current', '3600', '--proposed', '2h30m', '--format', 'json']);
    expect(p.status).toBe(0);
    expect(r.status).toBe(0);
    const planned = JSON.parse(p.stdout);
    const report = JSON.parse(r.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.candidates.map((c: { result: unknown }) => c.result)).toEqual(planned.candidates);
    expect(report.coverage.inputs).toEqual([{ path: 'samples/oracle-pool.pcap', format: 'pcap', packets: 1479, truncated: false }]);
  });

  it('writes -o atomically, picks the format from the file name, and refuses an input as output', () => {
    const out = join(dir, 'change.html');
    const ok = runCli(['report', 'samples/oracle-pool.pcap', '--current', '3600', '--proposed', '9000', '-o', out]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('');
    expect(readFileSync(out, 'utf8').startsWith('<!DOCTYPE html>')).toBe(true);
    const same = runCli(['report', join(ROOT, 'samples/oracle-pool.pcap'), '--current', '3600', '--proposed', '9000', '-o', join(ROOT, 'samples/oracle-pool.pcap')]);
    expect(same.status).toBe(2);
    expect(same.stderr).toContain('[CLI_OUTPUT_IS_INPUT]');
  });

  it('usage errors: no proposal, a proposal equal to the current value, a bad duration', () => {
    const none = runCli(['report', 'samples/oracle-pool.pcap', '--current', '3600']);
    expect(none.status).toBe(2);
    expect(none.errLines).toHaveLength(1);
    expect(none.stderr).toContain('[CLI_REPORT_NO_PROPOSAL]');
    const same = runCli(['report', 'samples/oracle-pool.pcap', '--current', '1h', '--proposed', '3600']);
    expect(same.status).toBe(2);
    expect(same.stderr).toContain('[CLI_REPORT_SAME]');
    const bad = runCli(['report', 'samples/oracle-pool.pcap', '--current', '1x', '--proposed', '3600']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('[CLI_INVALID_DURATION]');
  });
});

/** The first fenced block after `marker` in docs/PLATFORMS.md. */
function docsBlock(marker: string): string[] {
  const text = readFileSync(join(ROOT, 'docs/PLATFORMS.md'), 'utf8');
  const at = text.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  const open = text.indexOf('```\n', at);
  const close = text.indexOf('\n```', open + 4);
  return text.slice(open + 4, close).split('\n');
}

describe('configuration lines: docs/PLATFORMS.md, with fwtp\'s object names', () => {
  const rule = ['198.51.100.24:1521=9000'];
  it('linux: the lab-tested nftables ct timeout', async () => {
    const r = await storyReport({ rules: rule, proposed: null });
    const docs = docsBlock('nftables (lab-tested exactly as written):').map((l) => l.replaceAll('ora-9000', 'fwtp-1521-9000'));
    expect(r.configuration.apply.lines).toEqual(docs);
    expect(r.configuration.rollback.lines).toEqual(['nft delete table inet fwtp']);
    expect(r.configuration.existingSessions).toContain('only connections opened after the rule');
  });

  it('cisco-asa, pf, checkpoint, juniper-srx, fortigate, panos', async () => {
    const asa = await storyReport({ rules: rule, proposed: null, platform: 'cisco-asa' });
    expect(asa.configuration.apply.lines).toEqual(docsBlock('### Cisco ASA (`cisco-asa`)').map((l) => l.replaceAll('ORA-LONG', 'FWTP-1')));
    expect(asa.configuration.rollback.lines).toEqual(['policy-map global_policy', ' no class FWTP-1', 'no class-map FWTP-1', 'no access-list FWTP-1 extended permit tcp any host 198.51.100.24 eq 1521']);
    const pf = await storyReport({ rules: rule, proposed: null, platform: 'pf' });
    expect(pf.configuration.apply.lines).toEqual([...docsBlock('### pf (`pf`)'), 'pfctl -f /etc/pf.conf']);
    const cp = await storyReport({ rules: rule, proposed: null, platform: 'checkpoint' });
    expect(cp.configuration.apply.lines).toEqual([...docsBlock('### Check Point (`checkpoint`)').map((l) => l.replaceAll('ora-1521-9000', 'fwtp-1521-9000')), 'mgmt_cli publish']);
    const srx = await storyReport({ rules: rule, proposed: null, platform: 'juniper-srx' });
    const srxDocs = docsBlock('### Juniper SRX (`juniper-srx`)');
    expect(srx.configuration.apply.lines[0]).toBe(srxDocs[0]!.replace('ora-9000', 'fwtp-1521-9000'));
    const fg = await storyReport({ rules: rule, proposed: null, platform: 'fortigate' });
    const fgDocs = docsBlock('### FortiGate (`fortigate`)').map((l) => l.replace('"db-oracle"', '"fwtp-dst-1"').replace('"ORA-1521-9000"', '"FWTP-1521-9000"').replace('"port2"', '"<srcintf>"').replace('"port3"', '"<dstintf>"'));
    expect(fg.configuration.apply.lines).toEqual(fgDocs);
    const pan = await storyReport({ rules: rule, proposed: null, platform: 'panos' });
    const panDocs = docsBlock('### Palo Alto PAN-OS (`panos`)');
    expect(pan.configuration.apply.lines.slice(0, 2)).toEqual(panDocs.slice(0, 2).map((l) => l.replace('db-oracle', 'fwtp-dst-1').replace('svc-ora-9000', 'fwtp-svc-1-9000')));
  });

  it('global changes and their rollback restore the current value', async () => {
    const linux = await storyReport();
    expect(linux.configuration.apply.lines).toEqual(['sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=9000']);
    expect(linux.configuration.rollback.lines).toEqual(['sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=3600']);
    const kube = await storyReport({ platform: 'kube-proxy' });
    expect(kube.configuration.apply.lines[0]).toBe('kube-proxy --conntrack-tcp-timeout-established=2h30m0s');
    expect(kube.configuration.rollback.lines[0]).toBe('kube-proxy --conntrack-tcp-timeout-established=1h0m0s');
    const asa = await storyReport({ platform: 'cisco-asa' });
    expect(asa.configuration.apply.lines).toEqual(['timeout conn 2:30:00']);
    expect(asa.configuration.rollback.lines).toEqual(['timeout conn 1:00:00']);
    const pf = await storyReport({ platform: 'pf' });
    expect(pf.configuration.rollback.lines[0]).toBe('set timeout tcp.established 3600');
  });

  it('platforms that cannot do it say so among the risks', async () => {
    const nat = await storyReport({ rules: rule, proposed: null, platform: 'aws-nat-gateway' });
    expect(nat.configuration.apply.lines).toEqual([]);
    expect(nat.risks.some((x) => x.startsWith('aws-nat-gateway has no per-service idle timeout'))).toBe(true);
    const azure = await storyReport({ platform: 'azure' });
    expect(azure.risks.some((x) => x.startsWith('9000 s is outside what azure accepts (240..6000 s)'))).toBe(true);
  });
});

describe('helpers', () => {
  it('durations and masks as the devices write them', () => {
    expect(asaDuration(9000)).toBe('2:30:00');
    expect(asaDuration(3600)).toBe('1:00:00');
    expect(asaDuration(90061)).toBe('25:01:01');
    expect(goDuration(9000)).toBe('2h30m0s');
    expect(ipv4Mask(24)).toBe('255.255.255.0');
    expect(ipv4Mask(32)).toBe('255.255.255.255');
    expect(ipv4Mask(0)).toBe('0.0.0.0');
    expect(ipv4Mask(23)).toBe('255.255.254.0');
    expect(readableDuration(7200.031)).toBe('2h');
    expect(readableDuration(5559.5)).toBe('1h32m40s');
    expect(readableDuration(35901.077)).toBe('9h58m21s');
    expect(readableDuration(0.0247771)).toBe('25ms');
    expect(readableDuration(1.5004)).toBe('1s500ms');
    expect(readableDuration(10 * 86400)).toBe('about 10 days');
    expect(readableDuration(365.25 * 86400 * 24.8)).toBe('about 24.8 years');
  });

  it('endpointsOf: the evidence pair as drop logs write it', async () => {
    expect(endpointsOf('tcp 198.51.100.24:1521 -> 192.0.2.10:*')).toEqual({ proto: 'tcp', src: '198.51.100.24', sport: '1521', dst: '192.0.2.10', dport: '<client port>', client: '192.0.2.10:*', server: '198.51.100.24:1521' });
    expect(endpointsOf('udp [2001:db8::1]:* -> [2001:db8::53]:53')).toMatchObject({ src: '2001:db8::1', sport: '<client port>', dst: '2001:db8::53', dport: '53', client: '[2001:db8::1]:*' });
    expect(endpointsOf(undefined).src).toBe('<source>');
    const linux = await storyReport();
    expect(linux.evidence.dropLog).toContain('SRC=198.51.100.24 DST=192.0.2.10 ... PROTO=TCP SPT=1521 DPT=<client port>');
    const asa = await storyReport({ platform: 'cisco-asa' });
    expect(asa.evidence.dropLog).toBe('%ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.10/<client port> flags ACK on interface <if>');
  });

  it('serviceChange: ranges, prefixes, protocols', () => {
    expect(serviceChange(parseServiceRule('udp/192.0.2.53:53=60'), 'tcp')).toMatchObject({ protocol: 'udp', address: '192.0.2.53', port: '53', idleSeconds: 60, label: 'udp 192.0.2.53:53' });
    expect(serviceChange(parseServiceRule('[2001:db8::/32]:1521-1530=1h'), 'tcp')).toMatchObject({ protocol: 'tcp', address: '2001:db8::/32', port: '1521-1530', idleSeconds: 3600, label: 'tcp [2001:db8::/32]:1521-1530' });
    expect(serviceChange(parseServiceRule('tcp/1521=established:9000,time_wait:60'), 'tcp')).toMatchObject({ address: null, port: '1521', stateTimeouts: { established: 9000, time_wait: 60 }, idleSeconds: 9000, label: 'tcp *:1521' });
  });
});
