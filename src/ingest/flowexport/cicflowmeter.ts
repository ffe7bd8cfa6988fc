/**
 * CICFlowMeter CSV, with its per-record idle summaries.
 */
import { PROTO_TCP } from '../../util/protocols.js';
import { column, count, HeaderReader, icmpFamily, missingColumns } from './columns.js';
import { parseAnyTimeUs, parseProto } from './fields.js';
import { type ExporterTimeouts, REC_CLOSED, REC_FIN_SRC, REC_OPENS, REC_RST, STATE_UNKNOWN } from './records.js';

/**
 * CICFlowMeter (Java, "Flow ID,Src IP,Src Port,...,Idle Min,Label"; the CIC-IDS2017 names
 * "Source IP", " Flow Duration"...; the Python port's src_ip, flow_duration ...). Durations and
 * idle statistics in microseconds. Defaults: flow timeout 120 s, activity timeout 5 s (a silence
 * longer than that counts as an idle period in Idle Mean/Min/Max).
 */
export const CIC_EXPORTER: ExporterTimeouts = {
  name: 'CICFlowMeter', kind: 'interval', setting: 'activity timeout', tcpSeconds: 5, udpSeconds: 5, otherSeconds: 5,
  source: 'activity timeout 5 s (shorter silences are not idle periods), flow timeout 120 s',
};

export class CicReader extends HeaderReader {
  readonly format = 'cicflowmeter' as const;
  readonly exporter = CIC_EXPORTER;
  private ix = {
    src: -1, dst: -1, sport: -1, dport: -1, proto: -1, ts: -1, dur: -1, fwdPkts: -1, bwdPkts: -1, fwdBytes: -1, bwdBytes: -1,
    fin: -1, syn: -1, rst: -1, activeMean: -1, idleMean: -1, idleMax: -1, idleMin: -1,
  };
  private need = 0;

  protected lastColumn(): number {
    return Math.max(...Object.values(this.ix));
  }

  protected header(index: Map<string, number>, _f: string[], line: number): void {
    const ix = this.ix;
    ix.src = column(index, 'Src IP', 'Source IP');
    ix.dst = column(index, 'Dst IP', 'Destination IP');
    ix.sport = column(index, 'Src Port', 'Source Port');
    ix.dport = column(index, 'Dst Port', 'Destination Port');
    ix.proto = column(index, 'Protocol');
    ix.ts = column(index, 'Timestamp');
    ix.dur = column(index, 'Flow Duration');
    ix.fwdPkts = column(index, 'Total Fwd Packet', 'Total Fwd Packets', 'Tot Fwd Pkts');
    ix.bwdPkts = column(index, 'Total Bwd packets', 'Total Backward Packets', 'Tot Bwd Pkts');
    ix.fwdBytes = column(index, 'Total Length of Fwd Packet', 'Total Length of Fwd Packets', 'TotLen Fwd Pkts');
    ix.bwdBytes = column(index, 'Total Length of Bwd Packet', 'Total Length of Bwd Packets', 'TotLen Bwd Pkts');
    ix.fin = column(index, 'FIN Flag Count', 'FIN Flag Cnt');
    ix.syn = column(index, 'SYN Flag Count', 'SYN Flag Cnt');
    ix.rst = column(index, 'RST Flag Count', 'RST Flag Cnt');
    ix.activeMean = column(index, 'Active Mean');
    ix.idleMean = column(index, 'Idle Mean');
    ix.idleMax = column(index, 'Idle Max');
    ix.idleMin = column(index, 'Idle Min');
    const missing: string[] = [];
    if (ix.src < 0) missing.push('Src IP');
    if (ix.dst < 0) missing.push('Dst IP');
    if (ix.proto < 0) missing.push('Protocol');
    if (ix.ts < 0) missing.push('Timestamp');
    if (ix.dur < 0) missing.push('Flow Duration');
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'CICFlowMeter', missing);
    this.need = Math.max(ix.src, ix.dst, ix.proto, ix.ts, ix.dur) + 1;
    if (ix.idleMax >= 0 && ix.idleMean >= 0) this.ctx.table.enableIdle();
  }

  protected record(f: string[], line: number): void {
    if (this.short(f, line, this.need)) return;
    const ix = this.ix;
    const proto = parseProto(f[ix.proto]!);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(f[ix.proto])} is not known`); return; }
    const startUs = parseAnyTimeUs(f[ix.ts]!, 'us');
    const durUs = Number(f[ix.dur]);
    const t = this.ctx.table;
    const i = t.reserve();
    if (!(durUs >= 0)) {
      t.unreserve();
      this.ctx.skip(line, `Flow Duration ${JSON.stringify(f[ix.dur])} is not a duration`);
      return;
    }
    if (!this.fill(i, line, startUs, startUs + durUs, proto, f[ix.src]!, f[ix.dst]!, ix.sport < 0 ? '0' : f[ix.sport]!, ix.dport < 0 ? '0' : f[ix.dport]!,
      { start: 'Timestamp', end: 'Flow Duration' })) return;
    t.proto[i] = icmpFamily(t, i, proto);
    if (!this.counts(i, line, count(f, ix.fwdPkts), count(f, ix.bwdPkts), count(f, ix.fwdBytes), count(f, ix.bwdBytes))) return;
    let flags = 0;
    if (proto === PROTO_TCP) {
      if (count(f, ix.syn) > 0) flags |= REC_OPENS;
      const fins = count(f, ix.fin);
      if (fins >= 2) flags |= REC_CLOSED; else if (fins === 1) flags |= REC_FIN_SRC;
      if (count(f, ix.rst) > 0) flags |= REC_RST;
    }
    t.flags[i] = flags;
    t.state[i] = STATE_UNKNOWN;
    const idle = t.idle;
    if (idle !== null) {
      const mx = count(f, ix.idleMax), mn = count(f, ix.idleMin), mean = count(f, ix.idleMean), act = count(f, ix.activeMean);
      idle.maxUs[i] = mx > 0 ? mx : 0;
      idle.minUs[i] = mn > 0 ? mn : 0;
      idle.meanUs[i] = mean > 0 ? mean : 0;
      idle.activeMeanUs[i] = act > 0 ? act : 0;
    }
  }
}
