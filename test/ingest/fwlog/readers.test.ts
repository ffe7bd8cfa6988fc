// Per-vendor unit tests with hand-built lines (the story's lines from ../shared/reference/session-logs.md
// and drop-logs.md), plus the syslog framing, year inference and error fields.
import { describe, expect, it } from 'vitest';
import { FirewallLogReader, readFirewallLog, sniffFirewallLog, type DropRecord, type FwRecord, type SessionEndRecord, type SessionStartRecord } from '../../../src/ingest/fwlog/index.js';
import { parseZoneOffsetMinutes, SyslogClock, readSyslogHeader } from '../../../src/ingest/fwlog/syslog.js';
import { FwtpError } from '../../../src/util/errors.js';

const us = (iso: string): number => Date.parse(iso) * 1000;
const one = (text: string, opts = {}): FwRecord[] => readFirewallLog(text, { year: 2026, ...opts }).records;

describe('syslog framing', () => {
  it('reads BSD, BSD with year, RFC 5424 and ISO headers', () => {
    const c = new SyslogClock({ year: 2026 });
    expect(readSyslogHeader('Nov 25 10:15:07 fw kernel: x', c)).toMatchObject({ host: 'fw', app: 'kernel', time: { timeUs: us('2026-11-25T10:15:07Z'), yearInferred: true } });
    expect(readSyslogHeader('<134>1 2021-07-03T19:10:14.578288-05:00 pf filterlog 72237 - - 146,x', c)).toMatchObject({ rfc5424: true, host: 'pf', app: 'filterlog', time: { timeUs: us('2021-07-04T00:10:14.578Z') + 288 } });
    // Same clock: after a November line, a January line is the next year (the file went past new year).
    expect(readSyslogHeader('Jan  5 20:17:05 host kernel: y', c).time?.timeUs).toBe(us('2027-01-05T20:17:05Z'));
  });
  it('applies --tz to zoneless times and parses offsets', () => {
    const c = new SyslogClock({ year: 2026, tz: '+02:00' });
    expect(readSyslogHeader('Nov 25 10:15:07 fw kernel: x', c).time?.timeUs).toBe(us('2026-11-25T08:15:07Z'));
    expect(parseZoneOffsetMinutes('-0500')).toBe(-300);
    expect(parseZoneOffsetMinutes('EDT')).toBe(-240);
    expect(() => new SyslogClock({ tz: 'Mars/Base' })).toThrow(FwtpError);
  });
  it('infers the year from the file time and turns it at the new year', () => {
    const c = new SyslogClock({ fileTimeUs: us('2027-01-02T00:00:00Z') });
    expect(c.yearSource).toBe('file-time');
    expect(readSyslogHeader('Dec 31 23:59:59 h a: x', c).time?.timeUs).toBe(us('2026-12-31T23:59:59Z'));
    expect(readSyslogHeader('Jan  1 00:00:01 h a: x', c).time?.timeUs).toBe(us('2027-01-01T00:00:01Z'));
  });
});

describe('cisco-asa', () => {
  const story = [
    'Nov 25 2026 09:12:31: %ASA-6-302013: Built outbound TCP connection 40017 for db:198.51.100.24/1521 (198.51.100.24/1521) to app:192.0.2.15/31578 (203.0.113.9/4711)',
    'Nov 25 2026 10:14:59: %ASA-6-302014: Teardown TCP connection 40017 for db:198.51.100.24/1521 to app:192.0.2.15/31578 duration 1:02:28 bytes 25630 Conn-timeout',
    'Nov 25 2026 10:15:07: %ASA-6-106015: Deny TCP (no connection) from 198.51.100.24/1521 to 192.0.2.15/31578 flags ACK  on interface db',
    '<166>Nov 25 2026 10:15:09 fw : %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:198.51.100.24/22 by access-group "outside_in" [0x0, 0x0]',
    'Nov 25 2026 10:15:10: %ASA-6-305011: Built dynamic TCP translation from app:192.0.2.15/31578 to outside:203.0.113.9/4711',
  ].join('\n');
  it('reads the story: built, teardown with NAT from the Built line, 106015 flags, 106023 acl', () => {
    const r = readFirewallLog(story, {}, 'asa.log');
    expect(r.vendor).toBe('cisco-asa');
    expect(r.notNeeded).toEqual({ 305011: 1 });
    const [b, t, d, a] = r.records as [SessionStartRecord, SessionEndRecord, DropRecord, DropRecord];
    expect(b).toMatchObject({ type: 'session-start', direction: 'outbound', initiator: 'dst', connectionId: '40017', natDst: { address: '203.0.113.9', port: 4711 } });
    expect(t).toMatchObject({
      type: 'session-end', timeUs: us('2026-11-25T10:14:59Z'), durationSeconds: 3748, bytes: 25630, endReason: 'idle-timeout', rawReason: 'Conn-timeout',
      src: { address: '198.51.100.24', port: 1521, iface: 'db' }, dst: { address: '192.0.2.15', port: 31578, iface: 'app' },
      natDst: { address: '203.0.113.9', port: 4711 }, initiator: 'dst', yearInferred: false,
    });
    expect(d).toMatchObject({ kind: 'no-connection', tcpFlags: ['ACK'], inInterface: 'db', src: { port: 1521 }, dst: { port: 31578 } });
    expect(a).toMatchObject({ kind: 'acl', rule: 'outside_in', host: 'fw', protocol: 'tcp', inInterface: 'outside', outInterface: 'inside' });
  });
  it('reads hours past 24, UDP teardowns without reason, FTD tags, interfaces with colons and spaces', () => {
    const recs = one([
      'Apr 27 2020 02:03:03 dev01: %FTD-4-302016: Teardown UDP connection 1 for OUTSIDE:67.43.156.13/500 to identity:216.160.83.61/500 duration 92:24:20 bytes 4671944',
      'LOCAL4.WARNING: fw-1 %ASA-4-106023: Deny udp src v1:outside:10.8.1.9/54864 dst inside:2001:db8::1/53 by access-group "acl" [0x0, 0x0]',
      'Oct 10 2018 12:34:56 h CiscoASA[999]: %ASA-6-302016: Teardown UDP connection 9 for outside:100.66.48.1/67 to NP Identity Ifc:255.255.255.255/68 duration 0:58:46 bytes 5',
    ].join('\n'));
    expect(recs[0]).toMatchObject({ durationSeconds: 92 * 3600 + 24 * 60 + 20, endReason: 'idle-timeout', rawReason: '' });
    expect(recs[1]).toMatchObject({ timeUs: null, src: { iface: 'v1:outside', address: '10.8.1.9' }, dst: { address: '2001:db8::1', port: 53 } });
    expect(recs[2]).toMatchObject({ dst: { iface: 'NP Identity Ifc', address: '255.255.255.255', port: 68 } });
  });
  it('counts an unreadable line with its number, and strict makes it fatal', () => {
    const text = 'Nov 25 2026 10:14:59: %ASA-6-302014: Teardown TCP connection 7 for db:1.2.3.4/1 to app:5.6.7.8/2 duration x bytes 1 TCP FINs\n';
    const r = readFirewallLog(text, {}, 'bad.log', 'cisco-asa');
    expect(r.unreadable).toEqual([expect.objectContaining({ line: 1 })]);
    try { readFirewallLog(text, { strict: true }, 'bad.log', 'cisco-asa'); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(FwtpError);
      expect(e).toMatchObject({ code: 'FWLOG_UNREADABLE_LINE', file: 'bad.log', line: 1, kind: 'input' });
    }
  });
  it('streams over chunks cut anywhere', () => {
    const r = new FirewallLogReader('cisco-asa', { year: 2026 });
    for (let i = 0; i < story.length; i += 7) r.push(story.slice(i, i + 7));
    const res = r.end();
    expect(res.recordCount).toBe(4);
    expect(res.linesRead).toBe(5);
  });
});

describe('panos', () => {
  const line = 'Nov 25 10:15:02 pa-fw01 1,2026/11/25 10:15:02,012801000001,TRAFFIC,end,2817,2026/11/25 10:15:01,192.0.2.15,198.51.100.24,0.0.0.0,0.0.0.0,app-to-oracle,,,oracle,vsys1,app,db,ethernet1/2,ethernet1/3,to-siem,2026/11/25 10:15:01,118004,1,31578,1521,0,0,0x19,tcp,allow,25630,11020,14610,214,2026/11/25 09:12:31,148,any,,7310254892213,0x0,192.0.2.0-192.0.2.255,198.51.100.0-198.51.100.255,,104,110,aged-out,0,0,0,0,,pa-fw01,from-policy';
  it('reads the story end record: Generated time, Start + Elapsed (excludes the timeout), no NAT', () => {
    const [r] = one(line) as SessionEndRecord[];
    expect(r).toMatchObject({
      vendor: 'panos', type: 'session-end', timeUs: us('2026-11-25T10:15:01Z'), startUs: us('2026-11-25T09:12:31Z'), durationSeconds: 148,
      durationCovers: 'start-to-last-packet', endReason: 'idle-timeout', rawReason: 'aged-out', natSrc: null, natDst: null, connectionId: '118004',
      src: { address: '192.0.2.15', port: 31578 }, dst: { address: '198.51.100.24', port: 1521 }, host: 'pa-fw01', bytes: 25630,
    });
  });
});

describe('fortigate', () => {
  it('reads a timeout end with ns eventtime and a no-session-matched drop', () => {
    const recs = one([
      'date=2026-11-25 time=10:14:59 logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" eventtime=1795601699000000000 tz="+0000" srcip=192.0.2.15 srcport=31578 srcintf="port2" dstip=198.51.100.24 dstport=1521 dstintf="port3" sessionid=7108610 proto=6 action="timeout" policyid=48 service="tcp/1521" trandisp="noop" duration=3748 sentbyte=11020 rcvdbyte=14610 sentpkt=104 rcvdpkt=110',
      'date=2026-11-25 time=10:15:07 logid="0000000007" type="traffic" subtype="forward" level="warning" vd="root" eventtime=1795601707 srcip=198.51.100.24 srcport=1521 srcintf="port3" srcintfrole="undefined" dstip=192.0.2.15 dstport=31578 dstintf=unknown-0 proto=6 action="deny" policyid=0 trandisp="noop" duration=0 msg="no session matched"',
    ].join('\n'));
    expect(recs[0]).toMatchObject({ type: 'session-end', timeUs: 1795601699000000, durationSeconds: 3748, endReason: 'idle-timeout', bytes: 25630, protocol: 'tcp' });
    expect(recs[1]).toMatchObject({ type: 'drop', kind: 'no-connection', timeUs: 1795601707000000, src: { port: 1521 } });
  });
  it('uses date/time in tz= without eventtime and flags close as ambiguous', () => {
    const [r] = one('date=2026-11-25 time=12:00:00 logid="0000000013" type="traffic" subtype="forward" tz="+0200" srcip=10.0.0.1 srcport=1 dstip=10.0.0.2 dstport=2 proto=17 action="close" duration=5') as SessionEndRecord[];
    expect(r).toMatchObject({ timeUs: us('2026-11-25T10:00:00Z'), endReason: 'fin', reasonAmbiguous: true, protocol: 'udp' });
  });
});

describe('juniper-srx', () => {
  it('reads unstructured and structured CLOSE lines', () => {
    const recs = one([
      'Nov 25 10:14:59 srx-01 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed idle Timeout: 192.0.2.15/31578->198.51.100.24/1521 ora-9000 192.0.2.15/31578->198.51.100.24/1521 None None 6 app-to-oracle app db 40017 104(11020) 110(14610) 10948',
      '<14>1 2026-11-25T09:44:59.000Z srx-01 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason="idle Timeout" source-address="192.0.2.15" source-port="31578" destination-address="198.51.100.24" destination-port="1521" nat-source-address="203.0.113.9" nat-source-port="4711" nat-destination-address="198.51.100.24" nat-destination-port="1521" protocol-id="6" session-id-32="40017" bytes-from-client="11020" bytes-from-server="14610" elapsed-time="1948"]',
    ].join('\n')) as SessionEndRecord[];
    expect(recs[0]).toMatchObject({ endReason: 'idle-timeout', durationSeconds: 10948, bytes: 25630, connectionId: '40017', natSrc: null, yearInferred: true, src: { iface: 'app' } });
    expect(recs[1]).toMatchObject({ endReason: 'idle-timeout', durationSeconds: 1948, timeUs: us('2026-11-25T09:44:59Z'), natSrc: { address: '203.0.113.9', port: 4711 }, natDst: null });
  });
});

describe('checkpoint', () => {
  it('reads an out-of-state drop with flags', () => {
    const [r] = one('<134>1 2026-11-25T10:15:07Z gw-01 CheckPoint 2210 - [action:"Drop"; ifdir:"inbound"; ifname:"eth2"; src:"198.51.100.24"; s_port:"1521"; dst:"192.0.2.15"; service:"31578"; proto:"6"; tcp_flags:"ACK"; tcp_packet_out_of_state:"First packet isn\'t SYN"]') as DropRecord[];
    expect(r).toMatchObject({ kind: 'no-connection', tcpFlags: ['ACK'], direction: 'inbound', inInterface: 'eth2', protocol: 'tcp', timeUs: us('2026-11-25T10:15:07Z'), src: { port: 1521 }, dst: { port: 31578 } });
  });
});

describe('linux-log', () => {
  it('reads dmesg, syslog, LOGEMU and ulogd JSON forms', () => {
    const text = [
      '<4>[  375.392291] fwtp-drop: IN=f0 OUT=f1 MAC=22:98:2f:88:84:30:ae:fe:11:22:94:50:08:00 SRC=198.51.100.24 DST=192.0.2.15 LEN=40 TOS=0x00 PREC=0x00 TTL=63 ID=4660 DF PROTO=TCP SPT=1521 DPT=31578 WINDOW=64240 RES=0x00 ACK URGP=0',
      'Nov 25 09:56:08 vm fwtp-drop IN=f0 OUT=f1 SRC=198.51.100.24 DST=192.0.2.15 LEN=40 TOS=00 PREC=0x00 TTL=63 ID=4660 DF PROTO=TCP SPT=1521 DPT=31578 SEQ=1000001 ACK=2000001 WINDOW=64240 ACK PSH URGP=0 MARK=0x0',
      '{"timestamp": "2026-11-25T09:56:09.001468+0000", "dvc": "Netfilter", "oob.prefix": "fwtp-drop", "oob.in": "f0", "oob.out": "f1", "ip.protocol": 6, "src_ip": "198.51.100.24", "dest_ip": "192.0.2.15", "src_port": 1521, "dest_port": 31578, "tcp.ack": 1, "tcp.syn": 0}',
      'Jan  5 20:17:05 fw kernel: [LAN]IN=eth0 OUT= SRC=192.168.48.137 DST=81.2.69.143 LEN=540 TTL=64 ID=1 PROTO=UDP SPT=48689 DPT=53 LEN=520',
    ].join('\n');
    expect(sniffFirewallLog(text + '\n')).toBe('linux-log');
    const recs = one(text) as DropRecord[];
    expect(recs[0]).toMatchObject({ kind: 'logged', timeUs: null, rule: 'fwtp-drop', tcpFlags: ['ACK'], ipLengthBytes: 40, inInterface: 'f0' });
    expect(recs[1]).toMatchObject({ timeUs: us('2026-11-25T09:56:08Z'), tcpFlags: ['ACK', 'PSH'], rule: 'fwtp-drop', host: 'vm' });
    expect(recs[2]).toMatchObject({ timeUs: us('2026-11-25T09:56:09Z') + 1468, tcpFlags: ['ACK'], src: { port: 1521 } });
    expect(recs[3]).toMatchObject({ protocol: 'udp', payloadBytes: 512, rule: '[LAN]', tcpFlags: null });
  });
});

describe('pf-filterlog', () => {
  it('reads a block line as a drop and counts pass lines', () => {
    const r = readFirewallLog([
      '<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,12617,0,DF,6,tcp,60,10.170.12.50,1.1.1.1,49724,853,0,S,1891286705,,64240,,mss',
      '<134>Jul  3 19:10:30 filterlog[72237]: 176,,,1520797901,igb1.27,match,pass,in,4,0xb8,,64,58355,0,none,17,udp,76,10.170.27.27,216.229.4.66,123,123,56',
    ].join('\n'), { year: 2026 });
    expect(r.records[0]).toMatchObject({ kind: 'policy', tcpFlags: ['SYN'], payloadBytes: 0, direction: 'inbound', inInterface: 'igb1.12', ipLengthBytes: 60, dst: { port: 853 } });
    expect(r.notNeeded).toEqual({ 'filterlog pass': 1 });
  });
});

describe('sniffFirewallLog', () => {
  it('names no vendor for other text', () => {
    expect(sniffFirewallLog('ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2\n')).toBeNull();
    expect(() => readFirewallLog('hello\n')).toThrow(FwtpError);
  });
});
