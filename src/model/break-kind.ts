/** What kind of packet found no state: indices into brokenByKind and the affected-service tally. */
import { PacketKind } from '../flows/types.js';

export const KIND_KEEPALIVE = 0, KIND_DATA = 1, KIND_CLOSE = 2;
export function breakKind(kind: PacketKind): number {
  if (kind === PacketKind.KeepAliveProbe) return KIND_KEEPALIVE;
  if (kind === PacketKind.Fin || kind === PacketKind.Rst) return KIND_CLOSE;
  return KIND_DATA;
}
