/**
 * Argus CSV (`ra -c ,`).
 */
import { FlowState, PROTO_TCP } from '../../util/protocols.js';
import { column, count, HeaderReader, missingColumns } from './columns.js';
import { parseEpochUs, parseProto } from './fields.js';
import { type ExporterTimeouts, REC_CLOSED, REC_OPENS, REC_RST, STATE_UNKNOWN } from './records.js';

/**
 * Argus: `ra -n -u -c , -L0 -s stime ltime proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state`.
 * Argus writes a status record per flow every status interval (ARGUS_FLOW_STATUS_INTERVAL, 5 s
 * by default in argus.conf), so no silence longer than that hides inside a record.
 */
export const ARGUS_EXPORTER: ExporterTimeouts = {
  name: 'Argus', kind: 'interval', setting: 'status interval', tcpSeconds: 5, udpSeconds: 5, otherSeconds: 5,
  source: 'ARGUS_FLOW_STATUS_INTERVAL in argus.conf',
};

/** Link-layer and other non-IP "protocols" Argus reports: not flows a firewall tracks. */
export const ARGUS_NON_IP = new Set(['arp', 'rarp', 'llc', 'ipx', 'stp', 'lldp', 'cdp', 'ieee8021q', 'lacp', 'eapol', 'mpls', 'ppp', 'isis', 'wlan']);

/** Argus TCP states (ra(1) "state"): flags and the state after the record. */
export const ARGUS_TCP_STATES: Record<string, { flags: number; state: number }> = {
  REQ: { flags: REC_OPENS, state: FlowState.SynSent },
  ACC: { flags: REC_OPENS, state: FlowState.SynRecv },
  CON: { flags: 0, state: FlowState.Established },
  CLO: { flags: REC_CLOSED, state: FlowState.TimeWait },
  FIN: { flags: REC_CLOSED, state: FlowState.TimeWait },
  RST: { flags: REC_RST, state: FlowState.Close },
  TIM: { flags: 0, state: FlowState.Established },
};

export class ArgusReader extends HeaderReader {
  readonly format = 'argus-csv' as const;
  readonly exporter = ARGUS_EXPORTER;
  private ix = { stime: -1, ltime: -1, dur: -1, proto: -1, saddr: -1, sport: -1, daddr: -1, dport: -1, spkts: -1, dpkts: -1, sbytes: -1, dbytes: -1, state: -1 };
  private need = 0;

  protected lastColumn(): number {
    return Math.max(...Object.values(this.ix));
  }

  protected header(index: Map<string, number>, _f: string[], line: number): void {
    const ix = this.ix;
    ix.stime = column(index, 'StartTime', 'stime');
    ix.ltime = column(index, 'LastTime', 'ltime');
    ix.dur = column(index, 'Dur', 'dur');
    ix.proto = column(index, 'Proto', 'proto');
    ix.saddr = column(index, 'SrcAddr', 'saddr');
    ix.sport = column(index, 'Sport', 'sport');
    ix.daddr = column(index, 'DstAddr', 'daddr');
    ix.dport = column(index, 'Dport', 'dport');
    ix.spkts = column(index, 'SrcPkts', 'spkts');
    ix.dpkts = column(index, 'DstPkts', 'dpkts');
    ix.sbytes = column(index, 'SrcBytes', 'sbytes');
    ix.dbytes = column(index, 'DstBytes', 'dbytes');
    ix.state = column(index, 'State', 'state');
    const missing: string[] = [];
    if (ix.stime < 0) missing.push('StartTime');
    if (ix.ltime < 0 && ix.dur < 0) missing.push('LastTime');
    if (ix.proto < 0) missing.push('Proto');
    if (ix.saddr < 0) missing.push('SrcAddr');
    if (ix.daddr < 0) missing.push('DstAddr');
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'Argus', missing);
    this.need = Math.max(ix.stime, ix.ltime, ix.dur, ix.proto, ix.saddr, ix.daddr) + 1;
  }

  protected record(f: string[], line: number): void {
    if (this.short(f, line, this.need)) return;
    const ix = this.ix;
    const protoText = f[ix.proto]!;
    if (protoText === 'man') { this.ctx.ignore('Argus management records (man)'); return; }
    const proto = parseProto(protoText);
    if (proto < 0) {
      if (ARGUS_NON_IP.has(protoText.toLowerCase())) { this.ctx.ignore(`non-IP records (${protoText.toLowerCase()})`); return; }
      this.ctx.skip(line, `protocol ${JSON.stringify(protoText)} is not known`);
      return;
    }
    const startUs = parseEpochUs(f[ix.stime]!, 's');
    const endUs = ix.ltime >= 0 ? parseEpochUs(f[ix.ltime]!, 's') : startUs + Math.round(Number(f[ix.dur]) * 1e6);
    const t = this.ctx.table;
    const i = t.reserve();
    if (!this.fill(i, line, startUs, endUs, proto, f[ix.saddr]!, f[ix.daddr]!, ix.sport < 0 ? '0' : f[ix.sport]!, ix.dport < 0 ? '0' : f[ix.dport]!,
      { start: 'StartTime (run ra with -u for epoch seconds)', end: 'LastTime' })) return;
    if (!this.counts(i, line, count(f, ix.spkts), count(f, ix.dpkts), count(f, ix.sbytes), count(f, ix.dbytes))) return;
    const st = ix.state >= 0 && proto === PROTO_TCP && Object.hasOwn(ARGUS_TCP_STATES, f[ix.state] ?? '') ? ARGUS_TCP_STATES[f[ix.state]!] : undefined;
    t.flags[i] = st === undefined ? 0 : st.flags;
    t.state[i] = st === undefined ? STATE_UNKNOWN : st.state;
  }
}
