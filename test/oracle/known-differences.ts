// Per-file differences between `fwtp gaps --format json` and tshark 4.0 that
// are understood and accepted, read by test/oracle/tshark.test.ts.
// Key: the capture's path relative to ../shared/corpus/pcap
// (e.g. 'zeek-traces/vlan-collisions.pcap'); value: compared field -> why.
// Fields: 'packets' | 'tcpStreams' | 'keepAliveProbes' | 'keepAliveAcks'
// | 'exitCode' (fwtp rejects a file tshark reads) | 'json'.
// An entry whose field no longer differs fails the test: remove it.
// The rules being mirrored are in docs/WIRESHARK-RULES.md.

export type ComparedField = 'packets' | 'tcpStreams' | 'keepAliveProbes' | 'keepAliveAcks' | 'exitCode' | 'json';

export const KNOWN_DIFFERENCES: Readonly<Record<string, Partial<Record<ComparedField, string>>>> = {
  'tcpdump-tests/bgp-aigp.pcap': {
    tcpStreams: 'link type 178 (Juniper pseudo-header) is not decoded by fwtp: its one packet is counted and named in undecodedLinkTypes, so its TCP stream is not seen (tshark decodes the Juniper header)',
  },
  'tcpdump-tests/bigtcp-ipv6.pcap': {
    tcpStreams: 'a Linux BIG TCP segment: IPv6 payload length 0 with no jumbo option. tshark 4.0 takes the TCP payload as 0 bytes long and reads no TCP header (no tcp.stream); fwtp takes the datagram to the end of the frame, as the sending kernel meant, and counts the segment in its flow. fwtp is right for a firewall: the segment is real traffic of that connection',
  },
};
