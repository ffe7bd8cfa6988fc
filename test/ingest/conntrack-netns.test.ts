/**
 * The kernel as oracle: a network namespace with conntrack on, a few connections over loopback
 * between documentation addresses (RFC 5737 / RFC 3849), and the reader checked against
 * `conntrack -L`, `-o extended,id`, `-o xml`, /proc/net/nf_conntrack and `conntrack -E -o
 * timestamp,id` of that namespace. Needs root, ip, nft and conntrack; skips with a visible
 * message otherwise. The namespace is fwtp-ct-<pid>; it and the processes started in it are
 * removed afterwards.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conntrackFlows } from '../../src/flows/conntrack-flows.js';
import { ENDED_OPEN, ENDED_REMOVED, readConntrack, type ConntrackEntry, type ConntrackInput } from '../../src/ingest/conntrack.js';
import { FlowEnd } from '../../src/flows/types.js';
import { dumpTimeouts, entryAges } from '../../src/model/dump.js';
import { getPlatform } from '../../src/model/platforms.js';

const NS = `fwtp-ct-${process.pid}`;

const TRAFFIC = `
import net from 'node:net';
import dgram from 'node:dgram';
const listen = (host) => new Promise((r) => {
  const srv = net.createServer((s) => { s.on('data', (d) => s.write(d)); s.on('end', () => s.end()); s.on('error', () => {}); });
  srv.listen(1521, host, () => r(srv));
});
const connect = (host, localAddress) => new Promise((r) => {
  const c = net.connect({ host, port: 1521, localAddress }, () => { c.write('hello'); c.once('data', () => r(c)); });
});
await listen('198.51.100.24');
await listen('2001:db8:2::24');
const est4 = await connect('198.51.100.24', '192.0.2.10');
const est6 = await connect('2001:db8:2::24', '2001:db8:1::10');
const fin4 = await connect('198.51.100.24', '192.0.2.10');
const finPort = fin4.localPort;
await new Promise((r) => { fin4.on('close', r); fin4.end(); });
const dns = dgram.createSocket('udp4');
await new Promise((r) => dns.bind(53, '198.51.100.24', r));
dns.on('message', (m, from) => dns.send(m, from.port, from.address));
const client = dgram.createSocket('udp4');
await new Promise((r) => client.bind(0, '192.0.2.10', r));
await new Promise((r) => { client.once('message', r); client.send('q', 53, '198.51.100.24'); });
await new Promise((r) => client.send('q', 54, '198.51.100.24', r));
await new Promise((r) => setTimeout(r, 200));
console.log(JSON.stringify({ est4: est4.localPort, est6: est6.localPort, fin4: finPort, udp: client.address().port }));
setInterval(() => {}, 1000);
`;

let skipReason: string | null = null;
let workDir = '';
let traffic: ChildProcess | null = null;
let events: ChildProcess | null = null;
let eventsOut = '';
let ports: { est4: number; est6: number; fin4: number; udp: number } = { est4: 0, est6: 0, fin4: 0, udp: 0 };

function inNs(cmd: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, cmd, ...args], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

function probe(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  for (const tool of ['ip', 'nft', 'conntrack']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed`;
  }
  return null;
}

async function* once(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text, 'latin1');
}
const readText = (name: string, text: string): Promise<ConntrackInput> => readConntrack(name, once(text), { strict: true });

beforeAll(async () => {
  skipReason = probe();
  if (skipReason !== null) return;
  try {
    execFileSync('ip', ['netns', 'add', NS], { stdio: 'pipe' });
  } catch (err) {
    skipReason = `ip netns add failed: ${(err as Error).message.split('\n')[0]}`;
    return;
  }
  try {
    inNs('ip', ['link', 'set', 'lo', 'up']);
    for (const a of ['192.0.2.10/32', '198.51.100.24/32']) inNs('ip', ['addr', 'add', a, 'dev', 'lo']);
    for (const a of ['2001:db8:1::10/128', '2001:db8:2::24/128']) inNs('ip', ['addr', 'add', a, 'dev', 'lo', 'nodad']);
    // A rule that uses conntrack makes the namespace track connections.
    inNs('nft', ['add table inet fwtp; add chain inet fwtp out { type filter hook output priority 0; }; add rule inet fwtp out ct state new,established,related accept']);
    inNs('sysctl', ['-q', '-w', 'net.netfilter.nf_conntrack_acct=1', 'net.netfilter.nf_conntrack_timestamp=1']);
    workDir = mkdtempSync(join(tmpdir(), `fwtp-ct-${process.pid}-`));
    writeFileSync(join(workDir, 'traffic.mjs'), TRAFFIC);
    events = spawn('ip', ['netns', 'exec', NS, 'conntrack', '-E', '-o', 'timestamp,id'], { stdio: ['ignore', 'pipe', 'ignore'] });
    events.stdout!.setEncoding('latin1');
    events.stdout!.on('data', (d: string) => { eventsOut += d; });
    await new Promise((r) => setTimeout(r, 500));
    traffic = spawn('ip', ['netns', 'exec', NS, process.execPath, join(workDir, 'traffic.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('traffic generator did not report ready within 20 s')), 20000);
      traffic!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) { clearTimeout(timer); resolve(out.split('\n')[0]!); }
      });
      traffic!.on('exit', (code) => { clearTimeout(timer); reject(new Error(`traffic generator exited with ${code}`)); });
    });
    ports = JSON.parse(line) as typeof ports;
  } catch (err) {
    skipReason = `namespace setup failed: ${(err as Error).message.split('\n')[0]}`;
  }
}, 60000);

afterAll(async () => {
  for (const child of [traffic, events]) {
    if (child !== null && child.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
  }
  if (skipReason === null || skipReason.startsWith('namespace setup failed')) spawnSync('ip', ['netns', 'del', NS]);
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

function skipIfNeeded(ctx: { skip: (note?: string) => void }): void {
  if (skipReason !== null) {
    console.warn(`conntrack namespace test skipped: ${skipReason}`);
    ctx.skip(skipReason);
  }
}

/** The connections the generator made, as (protocol, state, client port, unreplied). */
function shape(entries: ConntrackEntry[]): string[] {
  return entries.map((e) => `${e.protoName} ${e.state ?? '-'} ${e.src} ${e.sport} -> ${e.dst} ${e.dport}${e.unreplied ? ' unreplied' : ''}`).sort();
}

describe('conntrack of a live namespace', () => {
  const expected = (): string[] => [
    `tcp ESTABLISHED 192.0.2.10 ${ports.est4} -> 198.51.100.24 1521`,
    `tcp ESTABLISHED 2001:db8:1::10 ${ports.est6} -> 2001:db8:2::24 1521`,
    `tcp TIME_WAIT 192.0.2.10 ${ports.fin4} -> 198.51.100.24 1521`,
    `udp - 192.0.2.10 ${ports.udp} -> 198.51.100.24 53`,
    `udp - 192.0.2.10 ${ports.udp} -> 198.51.100.24 54 unreplied`,
  ].sort();

  it('conntrack -L, -o extended,id, -o xml and /proc agree with the connections made', async (ctx) => {
    skipIfNeeded(ctx);
    const plain = await readText('conntrack -L', inNs('conntrack', ['-L']));
    const ext = await readText('conntrack -L -o extended,id', inNs('conntrack', ['-L', '-o', 'extended,id']));
    const xml = await readText('conntrack -L -o xml', inNs('conntrack', ['-L', '-o', 'xml']));
    const proc = await readText('/proc/net/nf_conntrack', inNs('cat', ['/proc/net/nf_conntrack']));
    expect([plain.format, ext.format, xml.format, proc.format]).toEqual(['conntrack-list', 'conntrack-list', 'conntrack-xml', 'conntrack-list']);
    for (const input of [plain, ext, xml, proc]) expect(shape(input.snapshots[0]!.table.entries())).toEqual(expected());
    // XML and extended,id: the same entries by id, with the same counters; timeouts a second apart at most.
    const byId = new Map(ext.snapshots[0]!.table.entries().map((e) => [e.id, e]));
    for (const x of xml.snapshots[0]!.table.entries()) {
      const e = byId.get(x.id)!;
      expect(e).toBeDefined();
      expect([x.packets, x.bytes, x.state, x.src, x.dst, x.sport, x.dport, x.replySrc, x.replyDst]).toEqual([e.packets, e.bytes, e.state, e.src, e.dst, e.sport, e.dport, e.replySrc, e.replyDst]);
      expect(Math.abs(x.timeoutSeconds! - e.timeoutSeconds!)).toBeLessThanOrEqual(1);
    }
    expect(proc.snapshots[0]!.table.entries().every((e) => e.zone === 0)).toBe(true);
    // Fresh entries under the namespace's default timeouts: every age is a few seconds at most.
    const ages = [...entryAges(ext.snapshots[0]!, dumpTimeouts(getPlatform('linux')))];
    expect(ages.every((a) => a >= 0 && a <= 10)).toBe(true);
  });

  it('conntrack -E -o timestamp,id: NEW for each entry, DESTROY for a deleted one', async (ctx) => {
    skipIfNeeded(ctx);
    inNs('conntrack', ['-D', '-p', 'udp', '--orig-port-dst', '53']);
    await new Promise((r) => setTimeout(r, 500));
    const input = await readText('conntrack -E', eventsOut);
    const ev = input.events!;
    expect(ev.timestamps).toBe(true);
    expect(ev.counts.new).toBe(5);
    expect(ev.counts.destroy).toBe(1);
    const L = ev.lifetimes;
    expect(L.entries.count).toBe(5);
    const deleted = [...L.destroySeconds.keys()].filter((r) => !Number.isNaN(L.destroySeconds[r]));
    expect(deleted.map((r) => L.entries.entry(r).dport)).toEqual([53]);
    // conntrack -D: the DESTROY ends with [USERSPACE] portid=N and still shows time left: removed, not timed out.
    expect(L.entries.entry(deleted[0]!).userspace).toBe(true);
    expect(L.endedBy[deleted[0]!]).toBe(ENDED_REMOVED);
    expect([...L.endedBy].filter((x) => x === ENDED_OPEN)).toHaveLength(4);
    const flows = conntrackFlows([input], getPlatform('linux').stateTimeouts);
    expect(flows.flows.count).toBe(5);
    expect([...flows.flows.end].filter((x) => x === FlowEnd.Evicted)).toHaveLength(1);
  });
});
