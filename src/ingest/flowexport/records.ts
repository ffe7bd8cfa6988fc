/**
 * Flow records as the flow-export readers produce them (one line of a flow export: Zeek
 * conn.log, NetFlow/IPFIX via nfdump, Argus, AWS VPC flow logs, CICFlowMeter, any mapped CSV),
 * and what an exporter is known to hide. src/flows/records.ts turns them into flows.
 *
 * Records live in typed-array columns (struct of arrays) so a million of them cost ~100 bytes
 * each.
 */
import { AddressTable } from '../addresses.js';
import { growF64, growU16, growU32, growU8 } from '../../util/typed-arrays.js';
import { parseIPv4, parseIPv6 } from '../../util/ip-address.js';

/* Record flag bits (RecordTable.flags). */
/** The record includes the opening of the connection (a TCP SYN from its initiator). */
export const REC_OPENS = 0x01;
/** The record's source sent a FIN. */
export const REC_FIN_SRC = 0x02;
/** The record's destination sent a FIN. */
export const REC_FIN_DST = 0x04;
/** A RST was seen. */
export const REC_RST = 0x08;
/** The exporter says the connection was closed normally (Zeek SF, Argus FIN): both sides' FINs. */
export const REC_CLOSED = 0x10;
/** The record counts only packets from its source to its destination (NetFlow, VPC flow logs). */
export const REC_UNIDIRECTIONAL = 0x20;

/** `state` column value when the exporter gives no state. */
export const STATE_UNKNOWN = 255;


/**
 * Flow records, column by column. Unknown counters are NaN. `src` is the record's source: the
 * initiator for bidirectional exporters (Zeek orig, Argus saddr, CICFlowMeter forward), the
 * sender for unidirectional ones.
 */
export class RecordTable {
  count = 0;
  private cap: number;
  readonly addresses: AddressTable;
  startUs: Float64Array<ArrayBuffer>;
  endUs: Float64Array<ArrayBuffer>;
  proto: Uint8Array<ArrayBuffer>;
  srcAddr: Uint32Array<ArrayBuffer>;
  dstAddr: Uint32Array<ArrayBuffer>;
  srcPort: Uint16Array<ArrayBuffer>;
  dstPort: Uint16Array<ArrayBuffer>;
  packetsFwd: Float64Array<ArrayBuffer>;
  packetsBwd: Float64Array<ArrayBuffer>;
  bytesFwd: Float64Array<ArrayBuffer>;
  bytesBwd: Float64Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  /** FlowState after the record when the exporter says (Zeek conn_state, Argus state), else STATE_UNKNOWN. */
  state: Uint8Array<ArrayBuffer>;
  /** Line of the input the record came from (for messages and tests). */
  line: Uint32Array<ArrayBuffer>;
  /**
   * Idle periods inside the record as an exporter summarises them (CICFlowMeter "Idle Mean/Min/Max",
   * "Active Mean"), microseconds; null until a format sets them.
   */
  idle: { meanUs: Float64Array<ArrayBuffer>; minUs: Float64Array<ArrayBuffer>; maxUs: Float64Array<ArrayBuffer>; activeMeanUs: Float64Array<ArrayBuffer> } | null = null;

  constructor(initial = 1024, addresses = new AddressTable()) {
    this.cap = Math.max(16, initial);
    this.addresses = addresses;
    const n = this.cap;
    this.startUs = new Float64Array(n);
    this.endUs = new Float64Array(n);
    this.proto = new Uint8Array(n);
    this.srcAddr = new Uint32Array(n);
    this.dstAddr = new Uint32Array(n);
    this.srcPort = new Uint16Array(n);
    this.dstPort = new Uint16Array(n);
    this.packetsFwd = new Float64Array(n);
    this.packetsBwd = new Float64Array(n);
    this.bytesFwd = new Float64Array(n);
    this.bytesBwd = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.state = new Uint8Array(n);
    this.line = new Uint32Array(n);
  }

  /** Index of a new record; the caller fills every column (idle columns only if enableIdle()). */
  reserve(): number {
    if (this.count === this.cap) {
      const n = this.cap * 2;
      this.startUs = growF64(this.startUs, n);
      this.endUs = growF64(this.endUs, n);
      this.proto = growU8(this.proto, n);
      this.srcAddr = growU32(this.srcAddr, n);
      this.dstAddr = growU32(this.dstAddr, n);
      this.srcPort = growU16(this.srcPort, n);
      this.dstPort = growU16(this.dstPort, n);
      this.packetsFwd = growF64(this.packetsFwd, n);
      this.packetsBwd = growF64(this.packetsBwd, n);
      this.bytesFwd = growF64(this.bytesFwd, n);
      this.bytesBwd = growF64(this.bytesBwd, n);
      this.flags = growU8(this.flags, n);
      this.state = growU8(this.state, n);
      this.line = growU32(this.line, n);
      if (this.idle !== null) {
        this.idle = {
          meanUs: growF64(this.idle.meanUs, n), minUs: growF64(this.idle.minUs, n),
          maxUs: growF64(this.idle.maxUs, n), activeMeanUs: growF64(this.idle.activeMeanUs, n),
        };
      }
      this.cap = n;
    }
    const i = this.count++;
    if (this.idle !== null) {
      this.idle.meanUs[i] = 0; this.idle.minUs[i] = 0; this.idle.maxUs[i] = 0; this.idle.activeMeanUs[i] = 0;
    }
    return i;
  }

  /** Drop the record last reserved (a line that turned out unreadable after all). */
  unreserve(): void {
    if (this.count > 0) this.count--;
  }

  enableIdle(): NonNullable<RecordTable['idle']> {
    if (this.idle === null) {
      const n = this.cap;
      this.idle = { meanUs: new Float64Array(n), minUs: new Float64Array(n), maxUs: new Float64Array(n), activeMeanUs: new Float64Array(n) };
    }
    return this.idle;
  }

  /** Convenience for tests and small callers: add one record from plain values. */
  add(r: RecordInput): number {
    const i = this.reserve();
    this.startUs[i] = r.startUs;
    this.endUs[i] = r.endUs;
    this.proto[i] = r.proto;
    this.srcAddr[i] = internText(this.addresses, r.src);
    this.dstAddr[i] = internText(this.addresses, r.dst);
    this.srcPort[i] = r.sport ?? 0;
    this.dstPort[i] = r.dport ?? 0;
    this.packetsFwd[i] = r.packetsFwd ?? Number.NaN;
    this.packetsBwd[i] = r.packetsBwd ?? Number.NaN;
    this.bytesFwd[i] = r.bytesFwd ?? Number.NaN;
    this.bytesBwd[i] = r.bytesBwd ?? Number.NaN;
    this.flags[i] = r.flags ?? 0;
    this.state[i] = r.state ?? STATE_UNKNOWN;
    this.line[i] = r.line ?? 0;
    if (r.idle !== undefined) {
      const idle = this.enableIdle();
      idle.meanUs[i] = r.idle.meanUs; idle.minUs[i] = r.idle.minUs; idle.maxUs[i] = r.idle.maxUs; idle.activeMeanUs[i] = r.idle.activeMeanUs;
    }
    return i;
  }
}

export interface RecordInput {
  startUs: number;
  endUs: number;
  proto: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  packetsFwd?: number;
  packetsBwd?: number;
  bytesFwd?: number;
  bytesBwd?: number;
  flags?: number;
  state?: number;
  line?: number;
  idle?: { meanUs: number; minUs: number; maxUs: number; activeMeanUs: number };
}

const scratch6 = new Uint32Array(4);

/** Intern an address given as text; -1 if it is neither IPv4 nor IPv6. */
export function internAddress(table: AddressTable, text: string): number {
  const v4 = parseIPv4(text);
  if (v4 >= 0) return table.internV4(v4);
  if (text.indexOf(':') >= 0 && parseIPv6(text, scratch6)) return table.internV6(scratch6);
  return -1;
}

function internText(table: AddressTable, text: string): number {
  const id = internAddress(table, text);
  if (id < 0) throw new Error(`not an IP address: ${text}`);
  return id;
}

/** What an exporter is known to hide, from its documentation. */
export interface ExporterTimeouts {
  name: string;
  /**
   * 'inactive': the exporter closes a record after this much silence (Zeek, NetFlow), so every
   * silence between two records of one flow is at least that long. 'interval': it writes a record
   * per reporting interval whatever the traffic (Argus status records, VPC aggregation intervals),
   * so silences between records can be of any length but none longer than the interval hides.
   */
  kind: 'inactive' | 'interval';
  /** The exporter's name for the setting ('status interval', 'activity timeout' ...). */
  setting?: string;
  /** Gaps shorter than this may hide inside one record, per protocol class (seconds). */
  tcpSeconds: number | null;
  udpSeconds: number | null;
  otherSeconds: number | null;
  /** Where the numbers come from (shown in the warning). */
  source: string;
}
