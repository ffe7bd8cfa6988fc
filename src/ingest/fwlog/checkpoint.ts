/**
 * Check Point Log Exporter syslog (`key:"value"; ...` inside `[...]`, RFC 5424 framing; Elastic
 * Filebeat Check Point module; drop-logs.md). action Drop / Reject -> drop records ('no-connection'
 * when the drop reason says the TCP packet is out of state, PhoneBoy FW-1 FAQ 0408; else
 * 'policy'); a `packets:"<src,sport,dst,dport,proto;iface> ..."` list gives one drop per packet.
 * action Accept -> session-start (the accept log is written when the connection matches; no
 * per-connection end record with a reason was found: session-logs.md).
 */
import { portOf, protocolOf, scanPairs } from './fields.js';
import type { ReadState } from './state.js';
import { readSyslogHeader } from './syslog.js';
import type { Endpoint } from './types.js';

export function sniffCheckpointLine(line: string): boolean {
  return (line.indexOf('CheckPoint') >= 0 || line.indexOf('loguid:"') >= 0) && line.indexOf(':"') >= 0;
}

export function readCheckpointLine(line: string, st: ReadState): void {
  const h = readSyslogHeader(line, st.clock);
  const open = line.indexOf('[', h.msgStart);
  if (open < 0) { st.bad('no [key:"value"] block'); return; }
  const kv = scanPairs(line, open + 1, 58, new Map());
  if (kv.size === 0) { st.bad('no key:"value" pairs'); return; }
  const action = kv.get('action') ?? '';
  const product = kv.get('product') ?? '';
  let timeUs = h.time === null ? null : h.time.timeUs;
  if (timeUs === null && /^\d{9,10}$/.test(kv.get('time') ?? '')) timeUs = Number(kv.get('time')) * 1e6;
  const ifdir = kv.get('ifdir');
  const direction = ifdir === 'inbound' || ifdir === 'outbound' ? ifdir : null;
  const iface = kv.get('ifname') ?? null;
  const common = { vendor: 'checkpoint' as const, line: st.lineNo, host: h.host, timeUs, yearInferred: false };
  if (action === 'Drop' || action === 'Reject') {
    const why = `${kv.get('drop_reason') ?? ''} ${kv.get('tcp_packet_out_of_state') ?? ''}`.toLowerCase();
    const kind = why.includes('out of state') || kv.has('tcp_packet_out_of_state') ? 'no-connection' as const : 'policy' as const;
    const flags = kv.get('tcp_flags');
    const tcpFlags = flags === undefined ? null : flags.split(/[\s,|]+/).filter((x) => x !== '').map((x) => x.toUpperCase());
    const rule = kv.get('rule_name') ?? kv.get('rule_uid') ?? null;
    const packets = kv.get('packets');
    const drop = (src: Endpoint, dst: Endpoint, proto: string, inIf: string | null): void => {
      const [protocol, protocolNumber] = protocolOf(proto);
      st.emit({
        type: 'drop', ...common, messageKind: `${product || 'no product'}/${action}`, protocol, protocolNumber, src, dst,
        kind, action, tcpFlags, payloadBytes: null, inInterface: inIf, outInterface: null, direction, rule,
      });
    };
    if (packets !== undefined && kv.get('src') === undefined) {
      // A summary of several dropped packets: ` <81.2.69.142,59912,81.2.69.144,1990,6;eth0> ...`
      let n = 0;
      for (let i = packets.indexOf('<'); i >= 0; i = packets.indexOf('<', i + 1)) {
        const close = packets.indexOf('>', i);
        if (close < 0) break;
        const [tuple = '', ifn] = packets.slice(i + 1, close).split(';');
        const f = tuple.split(',');
        if (f.length < 5) continue;
        drop({ address: f[0]!, port: portOf(f[1]), iface: ifn ?? null }, { address: f[2]!, port: portOf(f[3]), iface: null }, f[4]!, ifn ?? null);
        n++;
      }
      if (n === 0) st.bad('packets list without a readable packet');
      return;
    }
    if (kv.get('src') === undefined || kv.get('dst') === undefined) { st.skip(`${product || 'no product'}/${action} without addresses`); return; }
    drop({ address: kv.get('src')!, port: portOf(kv.get('s_port')), iface }, { address: kv.get('dst')!, port: portOf(kv.get('service')), iface: null }, kv.get('proto') ?? '', iface);
    return;
  }
  if (action === 'Accept' && kv.get('src') !== undefined && kv.get('dst') !== undefined) {
    const [protocol, protocolNumber] = protocolOf(kv.get('proto') ?? '');
    const natSrc: Endpoint | null = kv.get('xlatesrc') && kv.get('xlatesrc') !== '0.0.0.0' ? { address: kv.get('xlatesrc')!, port: portOf(kv.get('xlatesport')), iface } : null;
    const natDst: Endpoint | null = kv.get('xlatedst') && kv.get('xlatedst') !== '0.0.0.0' ? { address: kv.get('xlatedst')!, port: portOf(kv.get('xlatedport')), iface: null } : null;
    st.emit({
      type: 'session-start', ...common, messageKind: `${product || 'no product'}/Accept`, protocol, protocolNumber,
      src: { address: kv.get('src')!, port: portOf(kv.get('s_port')), iface }, dst: { address: kv.get('dst')!, port: portOf(kv.get('service')), iface: null },
      natSrc, natDst, initiator: 'src', connectionId: kv.get('loguid') ?? null, direction,
    });
    return;
  }
  st.skip(`${product || 'no product'}/${action || 'no action'}`);
}
