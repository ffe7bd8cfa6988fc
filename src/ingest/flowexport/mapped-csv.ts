/**
 * Any CSV through --map: the columns named by the user.
 */
import { PROTO_ICMP } from '../../util/protocols.js';
import { count, HeaderReader, icmpFamily, missingColumns } from './columns.js';
import { type EpochUnit, normaliseHeader, parseAnyTimeUs, parseProto } from './fields.js';
import { ReadContext } from './reader.js';
import { REC_UNIDIRECTIONAL, STATE_UNKNOWN } from './records.js';

export { MAP_KEYS } from './column-map.js';

export class MappedReader extends HeaderReader {
  readonly format = 'csv' as const;
  readonly exporter = undefined;
  // Column positions as plain numeric fields (-1 = not mapped): this runs once per record.
  private start = -1; private end = -1; private duration = -1; private src = -1; private dst = -1;
  private sport = -1; private dport = -1; private proto = -1; private packets = -1; private bytes = -1;
  private rpackets = -1; private rbytes = -1;
  private need = 0;
  private unit: EpochUnit = 'auto';
  private unidirectional = true;

  constructor(ctx: ReadContext, delimiter: string, private readonly map: Record<string, string>) {
    super(ctx, delimiter, true);
  }

  protected lastColumn(): number {
    return this.need - 1;
  }

  protected header(index: Map<string, number>, f: string[], line: number): void {
    const missing: string[] = [];
    const at = (key: string): number => {
      const col = this.map[key];
      if (col === undefined) return -1;
      let i = f.indexOf(col);
      if (i < 0) i = index.get(normaliseHeader(col)) ?? -1;
      if (i < 0) missing.push(`${col} (for ${key})`);
      return i;
    };
    this.start = at('start'); this.end = at('end'); this.duration = at('duration');
    this.src = at('src'); this.dst = at('dst'); this.sport = at('sport'); this.dport = at('dport'); this.proto = at('proto');
    this.packets = at('packets'); this.bytes = at('bytes'); this.rpackets = at('rpackets'); this.rbytes = at('rbytes');
    if (missing.length > 0) missingColumns(this.ctx.name, line, 'CSV', missing);
    this.unit = (this.map.timeunit ?? 'auto') as EpochUnit;
    this.unidirectional = this.rpackets < 0 && this.rbytes < 0;
    this.need = Math.max(this.start, this.end, this.duration, this.src, this.dst, this.sport, this.dport, this.proto,
      this.packets, this.bytes, this.rpackets, this.rbytes) + 1;
  }

  protected record(f: string[], line: number): void {
    if (f.length < this.need) {
      this.ctx.skip(line, `${f.length} fields where the header names ${this.width}`);
      return;
    }
    const protoText = f[this.proto]!;
    const proto = parseProto(protoText);
    if (proto < 0) { this.ctx.skip(line, `protocol ${JSON.stringify(protoText)} is not known`); return; }
    const startUs = parseAnyTimeUs(f[this.start]!, this.unit);
    let endUs = startUs;
    if (this.end >= 0) endUs = parseAnyTimeUs(f[this.end]!, this.unit);
    else if (this.duration >= 0) endUs = startUs + Math.round(Number(f[this.duration]) * 1e6);
    const t = this.ctx.table;
    const i = t.reserve();
    if (!this.fill(i, line, startUs, endUs, proto, f[this.src]!, f[this.dst]!, this.sport < 0 ? '0' : f[this.sport]!,
      this.dport < 0 ? '0' : f[this.dport]!, { start: this.map.start!, end: this.map.end ?? this.map.duration ?? 'end' })) return;
    if (proto === PROTO_ICMP) t.proto[i] = icmpFamily(t, i, proto);
    if (!this.counts(i, line, count(f, this.packets), count(f, this.rpackets), count(f, this.bytes), count(f, this.rbytes))) return;
    t.flags[i] = this.unidirectional ? REC_UNIDIRECTIONAL : 0;
    t.state[i] = STATE_UNKNOWN;
  }
}
