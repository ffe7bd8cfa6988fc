/**
 * The packet record: what the decoder (decode.ts) reads out of one frame, and the TCP flag bits in
 * it. The flow tracker (src/flows) reads it; only decode.ts fills it.
 */

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** The decoded packet. One instance is reused for every packet. */
export class Decoded {
  /**
   * Capture time, microseconds since the epoch (NaN when the container has none): set by the
   * capture reader (captures.ts) from the record header, not by decode(). It travels in the record
   * rather than as an argument: a double passed to a call V8 does not inline is boxed, a heap
   * number per packet.
   */
  tsUs = Number.NaN;
  family = 4;
  /** IPv4 addresses, or word 0..3 of the IPv6 addresses in src6/dst6. */
  src4 = 0;
  dst4 = 0;
  readonly src6 = new Uint32Array(4);
  readonly dst6 = new Uint32Array(4);
  proto = 0;
  /** Transport header present and complete enough for ports (and for TCP, seq/ack/flags/window). */
  hasPorts = false;
  sport = 0;
  dport = 0;
  /** IPv4/IPv6 fragment that is not the first: no transport header. */
  laterFragment = false;
  /** First fragment of a fragmented datagram (MF set, offset 0). */
  firstFragment = false;
  /** More fragments follow (MF set). */
  moreFragments = false;
  /** Where the IP header says the datagram ends (buffer offset, not clamped to the frame). */
  declaredEnd = 0;
  fragId = 0;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  /** TCP segment length from the IP lengths and the frame's original length (not the captured bytes). */
  segLen = 0;
  /** TCP: at least 16 header bytes readable (ports to window): Wireshark assigns a tcp.stream. */
  tcpStream = false;
  /** TCP: Wireshark runs its sequence analysis (not a fragment, reported length covers the header). */
  tcpAnalyse = false;
  /** TCP: the whole header was captured, so Wireshark shows the analysis flags (keep-alive ...). */
  tcpFlagsVisible = false;
  /** ICMP type/code; ports hold the echo identifier for echo messages. */
  icmpType = 0;
  icmpCode = 0;
}
