/** A FlowSet of some flows of another (one service's, say), gaps and addresses kept as they are. */
import type { FlowSet } from './types.js';

/** The flows at `indices` (ascending), in that order; addresses and the window are shared with `fs`. */
export function selectFlows(fs: FlowSet, indices: ArrayLike<number>): FlowSet {
  const n = indices.length;
  let gapCount = 0;
  for (let j = 0; j < n; j++) { const i = indices[j]!; gapCount += fs.gapOffset[i + 1]! - fs.gapOffset[i]!; }
  const out: FlowSet = {
    count: n,
    proto: new Uint8Array(n), clientAddr: new Uint32Array(n), serverAddr: new Uint32Array(n),
    clientPort: new Uint16Array(n), serverPort: new Uint16Array(n), firstUs: new Float64Array(n), lastUs: new Float64Array(n),
    start: new Uint8Array(n), end: new Uint8Array(n), endState: new Uint8Array(n),
    packetsC2S: new Float64Array(n), packetsS2C: new Float64Array(n), bytesC2S: new Float64Array(n), bytesS2C: new Float64Array(n),
    keepAlivesC2S: new Uint32Array(n), keepAlivesS2C: new Uint32Array(n), keepAliveAcks: new Uint32Array(n),
    gapOffset: new Uint32Array(n + 1), gapStartUs: new Float64Array(gapCount), gapEndUs: new Float64Array(gapCount), gapInfo: new Uint16Array(gapCount),
    addresses: fs.addresses, gapFloorUs: fs.gapFloorUs, windowStartUs: fs.windowStartUs, windowEndUs: fs.windowEndUs,
  };
  const columns = ['proto', 'clientAddr', 'serverAddr', 'clientPort', 'serverPort', 'firstUs', 'lastUs', 'start', 'end', 'endState',
    'packetsC2S', 'packetsS2C', 'bytesC2S', 'bytesS2C', 'keepAlivesC2S', 'keepAlivesS2C', 'keepAliveAcks'] as const;
  let g = 0;
  for (let j = 0; j < n; j++) {
    const i = indices[j]!;
    for (const c of columns) out[c][j] = fs[c][i]!;
    out.gapOffset[j] = g;
    const g0 = fs.gapOffset[i]!;
    const g1 = fs.gapOffset[i + 1]!;
    out.gapStartUs.set(fs.gapStartUs.subarray(g0, g1), g);
    out.gapEndUs.set(fs.gapEndUs.subarray(g0, g1), g);
    out.gapInfo.set(fs.gapInfo.subarray(g0, g1), g);
    g += g1 - g0;
  }
  out.gapOffset[n] = g;
  return out;
}
