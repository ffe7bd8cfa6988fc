/**
 * Builds FlowSets by hand for model tests: each flow is described by its endpoints, times
 * and long gaps, in seconds; the helper packs them into the columnar form the model reads.
 */
import { FlowEnd, FlowStart, PacketKind, packGapInfo, type Direction, type FlowSet, type GapDistribution } from '../../src/flows/types.js';
import { FlowState, PROTO_TCP } from '../../src/util/protocols.js';

export interface GapSpec {
  start: number;
  end: number;
  state?: FlowState;
  kind?: PacketKind;
  dir?: Direction;
  retry?: boolean;
  retransmission?: boolean;
}

export interface FlowSpec {
  proto?: number;
  client?: string;
  clientPort?: number;
  server?: string;
  serverPort?: number;
  first: number;
  last: number;
  end?: FlowEnd;
  endState?: FlowState;
  start?: FlowStart;
  keepAlivesC2S?: number;
  keepAlivesS2C?: number;
  gaps?: GapSpec[];
}

export function buildFlowSet(flows: FlowSpec[], window: [number, number], gapFloorSeconds = 1): FlowSet {
  const n = flows.length;
  const addresses: string[] = [];
  const intern = (a: string): number => {
    let i = addresses.indexOf(a);
    if (i < 0) { i = addresses.length; addresses.push(a); }
    return i;
  };
  const gaps = flows.flatMap((f) => f.gaps ?? []);
  const fs: FlowSet = {
    count: n,
    proto: new Uint8Array(n), clientAddr: new Uint32Array(n), serverAddr: new Uint32Array(n),
    clientPort: new Uint16Array(n), serverPort: new Uint16Array(n), firstUs: new Float64Array(n), lastUs: new Float64Array(n),
    start: new Uint8Array(n), end: new Uint8Array(n), endState: new Uint8Array(n),
    packetsC2S: new Float64Array(n), packetsS2C: new Float64Array(n), bytesC2S: new Float64Array(n), bytesS2C: new Float64Array(n),
    keepAlivesC2S: new Uint32Array(n), keepAlivesS2C: new Uint32Array(n), keepAliveAcks: new Uint32Array(n),
    gapOffset: new Uint32Array(n + 1), gapStartUs: new Float64Array(gaps.length), gapEndUs: new Float64Array(gaps.length), gapInfo: new Uint16Array(gaps.length),
    addresses, gapFloorUs: gapFloorSeconds * 1e6, windowStartUs: window[0] * 1e6, windowEndUs: window[1] * 1e6,
  };
  let g = 0;
  flows.forEach((f, i) => {
    fs.proto[i] = f.proto ?? PROTO_TCP;
    fs.clientAddr[i] = intern(f.client ?? '192.0.2.10');
    fs.serverAddr[i] = intern(f.server ?? '198.51.100.24');
    fs.clientPort[i] = f.clientPort ?? 40000 + i;
    fs.serverPort[i] = f.serverPort ?? 1521;
    fs.firstUs[i] = f.first * 1e6;
    fs.lastUs[i] = f.last * 1e6;
    fs.start[i] = f.start ?? FlowStart.Syn;
    fs.end[i] = f.end ?? FlowEnd.Open;
    fs.endState[i] = f.endState ?? FlowState.Established;
    fs.packetsC2S[i] = 1;
    fs.packetsS2C[i] = 1;
    fs.keepAlivesC2S[i] = f.keepAlivesC2S ?? 0;
    fs.keepAlivesS2C[i] = f.keepAlivesS2C ?? 0;
    fs.gapOffset[i] = g;
    for (const gap of f.gaps ?? []) {
      fs.gapStartUs[g] = gap.start * 1e6;
      fs.gapEndUs[g] = gap.end * 1e6;
      fs.gapInfo[g] = packGapInfo(gap.state ?? FlowState.Established, gap.kind ?? PacketKind.Data, gap.dir ?? 0, gap.retry ?? false, gap.retransmission ?? false);
      g++;
    }
    fs.gapOffset[i + 1] = g;
  });
  return fs;
}

export function emptyDistribution(): GapDistribution {
  return { count: 0, exactSorted: new Float64Array(0), sketch: new Float64Array(2048), sketchBase: Math.pow(2, 1 / 32), censoredSeconds: new Float64Array(0) };
}
