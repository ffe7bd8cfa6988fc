/**
 * fwtp extract --shard I/N: which shard a packet's flow belongs to, the same on every machine
 * that reads the same packets.
 */
import type { Decoded } from '../ingest/packet.js';

/**
 * The shard of a packet's flow: a hash of the direction-independent key over the raw address
 * words (not interned ids, which differ between machines), so every machine that reads the
 * same packets puts a flow in the same shard. Later IP fragments carry no ports: they hash on
 * the addresses and protocol alone, as does every packet when ports are not used for the shard.
 */
export function shardOf(d: Decoded, count: number): number {
  let a0: number, b0: number, a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3: number, b3: number;
  if (d.family === 4) {
    a0 = 0; b0 = 0; a3 = d.src4; b3 = d.dst4;
  } else {
    a0 = d.src6[0]!; a1 = d.src6[1]!; a2 = d.src6[2]!; a3 = d.src6[3]!;
    b0 = d.dst6[0]!; b1 = d.dst6[1]!; b2 = d.dst6[2]!; b3 = d.dst6[3]!;
  }
  // Order-independent: combine the two endpoints symmetrically (xor and sum of their hashes).
  const ha = mixWords(a0, a1, a2, a3);
  const hb = mixWords(b0, b1, b2, b3);
  let h = (ha ^ hb) + Math.imul(ha + hb, 0x9e3779b1);
  h = Math.imul(h ^ d.proto, 0x85ebca6b);
  h ^= h >>> 16;
  return (h >>> 0) % count;
}

/**
 * The shard of a packet's address pair, whatever its protocol: the split of one file's packets
 * between the readers of a parallel read (src/read/capture-shard.ts). Every packet of a flow, and
 * every fragment of a datagram, shares the address pair, even IPv6 fragments whose next header
 * differs (RFC 8200 section 4.5), which shardOf's protocol could send to different shards.
 */
export function pairShardOf(d: Decoded, count: number): number {
  let ha: number, hb: number;
  if (d.family === 4) {
    ha = mixWords(0, 0, 0, d.src4);
    hb = mixWords(0, 0, 0, d.dst4);
  } else {
    ha = mixWords(d.src6[0]!, d.src6[1]!, d.src6[2]!, d.src6[3]!);
    hb = mixWords(d.dst6[0]!, d.dst6[1]!, d.dst6[2]!, d.dst6[3]!);
  }
  let h = (ha ^ hb) + Math.imul(ha + hb, 0x9e3779b1);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 16;
  return (h >>> 0) % count;
}

function mixWords(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x27d4eb2f, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ d, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}
