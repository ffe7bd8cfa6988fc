/** An empty FlowSet of n flows and g gaps (every column zeroed), for the passes that fill one. */
import type { FlowSet } from './types.js';

/** An empty FlowSet with room for n flows and g gaps. */
export function allocateFlowSet(n: number, g: number, addresses: string[], gapFloorUs: number, windowStartUs: number, windowEndUs: number): FlowSet {
  return {
    count: n,
    proto: new Uint8Array(n),
    clientAddr: new Uint32Array(n),
    serverAddr: new Uint32Array(n),
    clientPort: new Uint16Array(n),
    serverPort: new Uint16Array(n),
    firstUs: new Float64Array(n),
    lastUs: new Float64Array(n),
    start: new Uint8Array(n),
    end: new Uint8Array(n),
    endState: new Uint8Array(n),
    packetsC2S: new Float64Array(n),
    packetsS2C: new Float64Array(n),
    bytesC2S: new Float64Array(n),
    bytesS2C: new Float64Array(n),
    keepAlivesC2S: new Uint32Array(n),
    keepAlivesS2C: new Uint32Array(n),
    keepAliveAcks: new Uint32Array(n),
    gapOffset: new Uint32Array(n + 1),
    gapStartUs: new Float64Array(g),
    gapEndUs: new Float64Array(g),
    gapInfo: new Uint16Array(g),
    addresses,
    gapFloorUs,
    windowStartUs,
    windowEndUs,
  };
}
