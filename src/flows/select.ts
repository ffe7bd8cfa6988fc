/** A FlowSet of some flows of another (one service's, say), gaps and addresses kept as they are. */
import type { FlowSet } from './types.js';
import { allocateFlowSet } from './allocate.js';

/** The flows at `indices` (ascending), in that order; addresses and the window are shared with `fs`. */
export function selectFlows(fs: FlowSet, indices: ArrayLike<number>): FlowSet {
  const n = indices.length;
  let gapCount = 0;
  for (let j = 0; j < n; j++) { const i = indices[j]!; gapCount += fs.gapOffset[i + 1]! - fs.gapOffset[i]!; }
  const out = allocateFlowSet(n, gapCount, fs.addresses, fs.gapFloorUs, fs.windowStartUs, fs.windowEndUs);
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
