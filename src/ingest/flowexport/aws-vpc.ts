/**
 * AWS VPC flow logs.
 */
import { PROTO_TCP } from '../../util/protocols.js';
import { column, count, headerIndex, HeaderReader, missingColumns } from './columns.js';
import { parseEpochUs, parseProto } from './fields.js';
import { ReadContext } from './reader.js';
import { type ExporterTimeouts, REC_FIN_SRC, REC_OPENS, REC_RST, REC_UNIDIRECTIONAL, STATE_UNKNOWN } from './records.js';

/**
 * AWS VPC flow logs: space-separated, a header naming the fields (default format version 2:
 * `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start
 * end action log-status`). One record per direction and aggregation interval (600 s by default,
 * 60 s optional); `start`/`end` are whole seconds and may lag the packets by up to 60 s (AWS
 * "Flow log records", "Aggregation interval").
 */
export const AWS_EXPORTER: ExporterTimeouts = {
  name: 'AWS VPC flow logs', kind: 'interval', setting: 'aggregation interval', tcpSeconds: 600, udpSeconds: 600, otherSeconds: 600,
  source: 'default maximum aggregation interval of 10 minutes (1 minute if so configured); times are whole seconds',
};

export const AWS_DEFAULT_FIELDS = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export class AwsVpcReader extends HeaderReader {
  readonly format = 'aws-vpc' as const;
  readonly exporter = AWS_EXPORTER;
  private ix = { srcaddr: -1, dstaddr: -1, srcport: -1, dstport: -1, protocol: -1, packets: -1, bytes: -1, start: -1, end: -1, action: -1, logStatus: -1, tcpFlags: -1 };
  private need = 0;

  constructor(ctx: ReadContext, private readonly headerless: boolean) {
    super(ctx, ' ', false);
  }

  override row(f: string[], line: number): void {
    if (!this.seenHeader && this.headerless) {
      // CloudWatch Logs exports carry no header: the default format's fields in order.
      const names = AWS_DEFAULT_FIELDS.split(' ');
      this.header(headerIndex(names), names, line);
      this.seenHeader = true;
      this.width = names.length;
    }
    super.row(f, line);
  }

  protected lastColumn(): number {
    return Math.max(...Object.values(this.ix));
  }

  protected header(index: Map<string, number>, _f: string[], line: number): void {
    const ix = this.ix;
    ix.srcaddr = column(index, 'srcaddr');
    ix.dstaddr = column(index, 'dstaddr');
    ix.srcport = column(index, 'srcport');
    ix.dstport = column(index, 'dstport');
    ix.protocol = column(index, 'protocol');
    ix.packets = column(index, 'packets');
    ix.bytes = column(index, 'bytes');
    ix.start = column(index, 'start');
    ix.end = column(index, 'end');
    ix.action = column(index, 'action');
    ix.logStatus = column(index, 'log-status');
    ix.tcpFlags = column(index, 'tcp-flags');
    const missing = (['srcaddr', 'dstaddr', 'protocol', 'start', 'end'] as const).filter((k) => ix[k] < 0);
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'VPC flow log', missing);
    this.need = Math.max(ix.srcaddr, ix.dstaddr, ix.protocol, ix.start, ix.end) + 1;
  }

  protected record(f: string[], line: number): void {
    const ix = this.ix;
    const status = ix.logStatus >= 0 && ix.logStatus < f.length ? f[ix.logStatus] : 'OK';
    if (status === 'NODATA') { this.ctx.ignore('NODATA records (no traffic in the interval)'); return; }
    if (status === 'SKIPDATA') { this.ctx.ignore('SKIPDATA records (AWS skipped flow records in that interval: gaps there may be false)'); return; }
    if (this.short(f, line, this.need)) return;
    if (ix.action >= 0 && f[ix.action] === 'REJECT') { this.ctx.ignore('REJECT records (traffic the security group or network ACL dropped: no connection entry)'); return; }
    const proto = parseProto(f[ix.protocol]!);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(f[ix.protocol])} is not known`); return; }
    const t = this.ctx.table;
    const i = t.reserve();
    if (!this.fill(i, line, parseEpochUs(f[ix.start]!, 's'), parseEpochUs(f[ix.end]!, 's'), proto, f[ix.srcaddr]!, f[ix.dstaddr]!,
      ix.srcport < 0 ? '0' : f[ix.srcport]!, ix.dstport < 0 ? '0' : f[ix.dstport]!, { start: 'start', end: 'end' })) return;
    if (!this.counts(i, line, count(f, ix.packets), Number.NaN, count(f, ix.bytes), Number.NaN)) return;
    let flags = REC_UNIDIRECTIONAL;
    if (proto === PROTO_TCP && ix.tcpFlags >= 0) {
      // tcp-flags (format version 3+): OR of FIN 1, SYN 2, RST 4, SYN-ACK 18 over the interval.
      const bits = Number(f[ix.tcpFlags]);
      if (bits === bits) {
        if ((bits & 2) !== 0) flags |= REC_OPENS;
        if ((bits & 1) !== 0) flags |= REC_FIN_SRC;
        if ((bits & 4) !== 0) flags |= REC_RST;
      }
    }
    t.flags[i] = flags;
    t.state[i] = STATE_UNKNOWN;
  }
}
