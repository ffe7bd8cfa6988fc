// Crafted TCP exchanges, each isolating one rule of docs/WIRESHARK-RULES.md,
// with what tshark 4.0.17 reports per frame (frame numbers are 1-based).
// test/oracle/wireshark-rules.test.ts checks the expectations against tshark;
// a flow-tracking test can replay the same segments (craftPcap) through fwtp
// and assert the same streams and flags without tshark.

import { ACK, FIN, PSH, RST, SYN } from './pcap-craft.mjs';

/**
 * @typedef {object} RuleCase
 * @property {string} rule                       the rule exercised, as worded in the doc
 * @property {import('./pcap-craft.mjs').Segment[]} segments
 * @property {(number|null)[]} streams           tcp.stream per frame (null: no TCP stream)
 * @property {number[]} keepAlive                frames flagged tcp.analysis.keep_alive
 * @property {number[]} keepAliveAck             frames flagged tcp.analysis.keep_alive_ack
 */

/** Client 10.0.0.1:40000 (ISN 1000) to server 10.0.0.2:22 (ISN 5000). */
const handshake = [
  { t: 0, from: 'a', seq: 1000, flags: SYN },
  { t: 0.1, from: 'b', seq: 5000, ack: 1001, flags: SYN | ACK },
  { t: 0.2, from: 'a', seq: 1001, ack: 5001, flags: ACK },
];

const zeros = (n) => new Array(n).fill(0);

/** @type {Record<string, RuleCase>} */
export const RULE_CASES = {
  basic_ka: {
    rule: 'keep-alive at nextSeq-1 with 0 or 1 byte; keep-alive ACK repeats window/seq/ack; a changed window is a window update',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1001, ack: 5001, flags: ACK | PSH, len: 10 },
      { t: 1.1, from: 'b', seq: 5001, ack: 1011, flags: ACK },
      { t: 100, from: 'a', seq: 1010, ack: 5001, flags: ACK },
      { t: 100.1, from: 'b', seq: 5001, ack: 1011, flags: ACK },
      { t: 200, from: 'a', seq: 1010, ack: 5001, flags: ACK, len: 1 },
      { t: 200.1, from: 'b', seq: 5001, ack: 1011, flags: ACK, win: 999 },
      { t: 300, from: 'a', seq: 1010, ack: 5001, flags: ACK },
      { t: 300.1, from: 'b', seq: 5001, ack: 1011, flags: ACK, win: 999 },
    ],
    streams: zeros(11),
    keepAlive: [6, 8, 10],
    keepAliveAck: [7, 11],
  },
  ka_right_after_handshake: {
    rule: 'SYN counts one sequence number: an ACK at the ISN is a keep-alive',
    segments: [
      ...handshake,
      { t: 100, from: 'a', seq: 1000, ack: 5001, flags: ACK },
      { t: 100.1, from: 'b', seq: 5001, ack: 1001, flags: ACK },
    ],
    streams: zeros(5),
    keepAlive: [4],
    keepAliveAck: [5],
  },
  first_packet_ffffffff: {
    rule: 'nextSeq 0 means unknown, and 0-1 = 0xFFFFFFFF: a first segment at seq 0xFFFFFFFF is a keep-alive',
    segments: [
      { t: 0, from: 'a', seq: 0xffffffff, ack: 7, flags: ACK },
      { t: 1, from: 'b', seq: 7, ack: 0, flags: ACK },
      { t: 2, from: 'a', seq: 0xffffffff, ack: 7, flags: ACK },
    ],
    streams: zeros(3),
    keepAlive: [1],
    keepAliveAck: [],
  },
  midstream_no_handshake: {
    rule: 'no keep-alive ACK from a direction with no earlier analysed segment (window still 0xFFFFFFFF)',
    segments: [
      { t: 0, from: 'a', seq: 2000, ack: 9000, flags: ACK, len: 5 },
      { t: 1, from: 'a', seq: 2004, ack: 9000, flags: ACK },
      { t: 1.1, from: 'b', seq: 9000, ack: 2005, flags: ACK },
    ],
    streams: zeros(3),
    keepAlive: [2],
    keepAliveAck: [],
  },
  syn_same_seq_after_rst: {
    rule: 'tshark 4.0: a SYN with the same ISN after a RST stays in the stream',
    segments: [...handshake, { t: 1, from: 'a', seq: 1001, ack: 5001, flags: RST | ACK }, { t: 2, from: 'a', seq: 1000, flags: SYN }],
    streams: zeros(5),
    keepAlive: [],
    keepAliveAck: [],
  },
  syn_same_seq_after_fin: {
    rule: 'tshark 4.0: a SYN with the same ISN after FINs stays in the stream',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1001, ack: 5001, flags: FIN | ACK },
      { t: 1.1, from: 'b', seq: 5001, ack: 1002, flags: FIN | ACK },
      { t: 1.2, from: 'a', seq: 1002, ack: 5002, flags: ACK },
      { t: 2, from: 'a', seq: 1000, flags: SYN },
    ],
    streams: zeros(7),
    keepAlive: [],
    keepAliveAck: [],
  },
  syn_diff_seq_after_fin: {
    rule: 'a pure SYN whose seq differs from the direction\'s baseSeq opens a new stream; its SYN/ACK follows it',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1001, ack: 5001, flags: FIN | ACK },
      { t: 1.1, from: 'b', seq: 5001, ack: 1002, flags: FIN | ACK },
      { t: 1.2, from: 'a', seq: 1002, ack: 5002, flags: ACK },
      { t: 2, from: 'a', seq: 3000, flags: SYN },
      { t: 2.1, from: 'b', seq: 7000, ack: 3001, flags: SYN | ACK },
    ],
    streams: [0, 0, 0, 0, 0, 0, 1, 1],
    keepAlive: [],
    keepAliveAck: [],
  },
  syn_retrans: {
    rule: 'retransmitted SYNs (same seq) stay in the stream',
    segments: [
      { t: 0, from: 'a', seq: 1000, flags: SYN },
      { t: 1, from: 'a', seq: 1000, flags: SYN },
      { t: 3, from: 'a', seq: 1000, flags: SYN },
    ],
    streams: zeros(3),
    keepAlive: [],
    keepAliveAck: [],
  },
  syn_from_other_side: {
    rule: 'a pure SYN from the former server (seq != its baseSeq) opens a new stream',
    segments: [...handshake, { t: 5, from: 'b', seq: 8000, flags: SYN }],
    streams: [0, 0, 0, 1],
    keepAlive: [],
    keepAliveAck: [],
  },
  synack_diff_seq: {
    rule: 'a SYN/ACK never opens a stream, whatever its seq',
    segments: [...handshake, { t: 5, from: 'b', seq: 8000, ack: 1001, flags: SYN | ACK }],
    streams: zeros(4),
    keepAlive: [],
    keepAliveAck: [],
  },
  syn_after_midstream: {
    rule: 'baseSeq of a direction first seen without SYN is seq-1: SYN at seq-1 stays, any other SYN splits',
    segments: [
      { t: 0, from: 'a', seq: 2000, ack: 9000, flags: ACK, len: 5 },
      { t: 1, from: 'a', seq: 1999, flags: SYN },
      { t: 2, from: 'a', seq: 1998, flags: SYN },
    ],
    streams: [0, 0, 1],
    keepAlive: [],
    keepAliveAck: [],
  },
  syn_after_reverse_ack: {
    rule: 'baseSeq can come from the other side\'s first ACK (ack-1)',
    segments: [
      { t: 0, from: 'b', seq: 9000, ack: 2000, flags: ACK, len: 5 },
      { t: 1, from: 'a', seq: 1999, flags: SYN },
      { t: 2, from: 'a', seq: 2000, flags: SYN },
    ],
    streams: [0, 0, 1],
    keepAlive: [],
    keepAliveAck: [],
  },
  vlan_same_tuple: {
    rule: 'the stream key has no VLAN: the same tuple on two VLANs is one stream',
    segments: [
      { t: 0, from: 'a', seq: 1000, flags: SYN, vlan: 10 },
      { t: 0.1, from: 'a', seq: 1000, flags: SYN, vlan: 20 },
      { t: 0.2, from: 'b', seq: 5000, ack: 1001, flags: SYN | ACK, vlan: 20 },
      { t: 0.3, from: 'a', seq: 1001, ack: 5001, flags: ACK, vlan: 10 },
      { t: 9, from: 'a', seq: 1000, ack: 5001, flags: ACK, vlan: 20 },
    ],
    streams: zeros(5),
    keepAlive: [5],
    keepAliveAck: [],
  },
  zwp: {
    rule: 'a zero-window probe (1 byte at nextSeq, other window 0) is not a keep-alive and does not advance nextSeq; no keep-alive ACK with window 0',
    segments: [
      ...handshake,
      { t: 1, from: 'b', seq: 5001, ack: 1001, flags: ACK, win: 0 },
      { t: 2, from: 'a', seq: 1001, ack: 5001, flags: ACK, len: 1 },
      { t: 2.1, from: 'b', seq: 5001, ack: 1001, flags: ACK, win: 0 },
      { t: 3, from: 'a', seq: 1001, ack: 5001, flags: ACK, len: 1 },
      { t: 4, from: 'a', seq: 1000, ack: 5001, flags: ACK },
      { t: 4.1, from: 'b', seq: 5001, ack: 1001, flags: ACK, win: 0 },
    ],
    streams: zeros(9),
    keepAlive: [8],
    keepAliveAck: [],
  },
  ka_after_fin: {
    rule: 'FIN counts one sequence number: an ACK at the FIN\'s seq is a keep-alive; RST is never one',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1001, ack: 5001, flags: FIN | ACK },
      { t: 2, from: 'a', seq: 1001, ack: 5001, flags: ACK },
      { t: 3, from: 'a', seq: 1001, ack: 5001, flags: RST },
    ],
    streams: zeros(6),
    keepAlive: [5],
    keepAliveAck: [],
  },
  retrans_1byte_tail: {
    rule: 'a 1-byte segment at nextSeq-1 is a keep-alive even if it is retransmitted data; 2+ bytes there are new data',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1001, ack: 5001, flags: ACK | PSH, len: 10 },
      { t: 2, from: 'a', seq: 1010, ack: 5001, flags: ACK | PSH, len: 1 },
      { t: 3, from: 'a', seq: 1009, ack: 5001, flags: ACK | PSH, len: 2 },
      { t: 4, from: 'a', seq: 1010, ack: 5001, flags: ACK | PSH, len: 2 },
      { t: 5, from: 'a', seq: 1011, ack: 5001, flags: ACK },
    ],
    streams: zeros(8),
    keepAlive: [5, 8],
    keepAliveAck: [],
  },
  ooo_does_not_move_nextseq: {
    rule: 'nextSeq jumps over a gap and does not move back for out-of-order data',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1011, ack: 5001, flags: ACK | PSH, len: 10 },
      { t: 1.001, from: 'a', seq: 1001, ack: 5001, flags: ACK | PSH, len: 10 },
      { t: 5, from: 'a', seq: 1020, ack: 5001, flags: ACK },
      { t: 6, from: 'a', seq: 1010, ack: 5001, flags: ACK },
    ],
    streams: zeros(7),
    keepAlive: [6],
    keepAliveAck: [],
  },
  kaack_zero_window: {
    rule: 'no keep-alive ACK when the window is 0',
    segments: [
      ...handshake,
      { t: 1, from: 'b', seq: 5001, ack: 1001, flags: ACK, win: 0 },
      { t: 2, from: 'a', seq: 1000, ack: 5001, flags: ACK },
      { t: 2.1, from: 'b', seq: 5001, ack: 1001, flags: ACK, win: 0 },
    ],
    streams: zeros(6),
    keepAlive: [5],
    keepAliveAck: [],
  },
  kaack_after_other_packet: {
    rule: 'keep-alive ACK needs the other side\'s most recent segment to be the keep-alive',
    segments: [
      ...handshake,
      { t: 2, from: 'a', seq: 1000, ack: 5001, flags: ACK },
      { t: 2.05, from: 'a', seq: 1001, ack: 5001, flags: ACK, win: 2000 },
      { t: 2.1, from: 'b', seq: 5001, ack: 1001, flags: ACK },
    ],
    streams: zeros(6),
    keepAlive: [4],
    keepAliveAck: [],
  },
  kaack_ack_changed: {
    rule: 'keep-alive ACK needs the same ack as this side\'s previous segment',
    segments: [...handshake, { t: 2, from: 'a', seq: 1000, ack: 5001, flags: ACK }, { t: 2.1, from: 'b', seq: 5001, ack: 1002, flags: ACK }],
    streams: zeros(5),
    keepAlive: [4],
    keepAliveAck: [],
  },
  ka_with_data_2: {
    rule: 'a 2-byte segment at nextSeq-1 is not a keep-alive',
    segments: [...handshake, { t: 2, from: 'a', seq: 1000, ack: 5001, flags: ACK, len: 2 }],
    streams: zeros(4),
    keepAlive: [],
    keepAliveAck: [],
  },
  ka_fin_flag: {
    rule: 'a FIN at nextSeq-1 is not a keep-alive',
    segments: [...handshake, { t: 2, from: 'a', seq: 1000, ack: 5001, flags: ACK | FIN }],
    streams: zeros(4),
    keepAlive: [],
    keepAliveAck: [],
  },
  ka_ack_flag_absent: {
    rule: 'the ACK bit is not required for a keep-alive',
    segments: [...handshake, { t: 2, from: 'a', seq: 1000, ack: 0, flags: 0 }, { t: 3, from: 'a', seq: 1000, ack: 0, flags: PSH }],
    streams: zeros(5),
    keepAlive: [4, 5],
    keepAliveAck: [],
  },
  trailer_padding: {
    rule: 'segment length ends at the IP datagram: Ethernet trailer bytes are not payload',
    segments: [
      ...handshake,
      { t: 2, from: 'a', seq: 1000, ack: 5001, flags: ACK, trailerBytes: 6 },
      { t: 2.1, from: 'b', seq: 5001, ack: 1001, flags: ACK, trailerBytes: 6 },
    ],
    streams: zeros(5),
    keepAlive: [4],
    keepAliveAck: [5],
  },
  snap_truncated: {
    rule: 'segment length uses the original length; <16 captured TCP bytes: no stream; 16-19: stream but no flags shown',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1001, ack: 5001, flags: ACK | PSH, len: 100, capturedBytes: 54 },
      { t: 2, from: 'a', seq: 1100, ack: 5001, flags: ACK, len: 1, capturedBytes: 54 },
      { t: 3, from: 'a', seq: 1100, ack: 5001, flags: ACK, capturedBytes: 40 },
      { t: 4, from: 'a', seq: 1100, ack: 5001, flags: ACK, capturedBytes: 49 },
      { t: 5, from: 'a', seq: 1100, ack: 5001, flags: ACK, capturedBytes: 50 },
    ],
    streams: [0, 0, 0, 0, 0, null, null, 0],
    keepAlive: [5],
    keepAliveAck: [],
  },
  short_header_state: {
    rule: 'a header cut at 16-19 bytes is analysed (its keep-alive state counts) but shows no flag',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1000, ack: 5001, flags: ACK, capturedBytes: 50 },
      { t: 1.1, from: 'b', seq: 5001, ack: 1001, flags: ACK },
    ],
    streams: zeros(5),
    keepAlive: [],
    keepAliveAck: [5],
  },
  iplen_bogus: {
    rule: 'IP length beyond the frame is clamped; shorter than the headers: no TCP; IPv4 length 0 (TSO) means to the frame end',
    segments: [
      ...handshake,
      { t: 1, from: 'a', seq: 1001, ack: 5001, flags: ACK, ipTotalLength: 60 },
      { t: 2, from: 'a', seq: 1000, ack: 5001, flags: ACK, ipTotalLength: 30 },
      { t: 3, from: 'a', seq: 1000, ack: 5001, flags: ACK, ipTotalLength: 0 },
    ],
    streams: [0, 0, 0, 0, null, 0],
    keepAlive: [6],
    keepAliveAck: [],
  },
  seq_wrap_nextseq_zero: {
    rule: 'seq+len wrapping to exactly 0 makes nextSeq "unknown" again',
    segments: [
      { t: 0, from: 'a', seq: 0xfffffff0, ack: 1, flags: ACK, len: 16 },
      { t: 1, from: 'a', seq: 0xffffffff, ack: 1, flags: ACK },
      { t: 2, from: 'a', seq: 0, ack: 1, flags: ACK, len: 4 },
      { t: 3, from: 'a', seq: 3, ack: 1, flags: ACK },
    ],
    streams: zeros(4),
    keepAlive: [2, 4],
    keepAliveAck: [],
  },
  ka_then_two_acks: {
    rule: 'the keep-alive mark is not consumed: two identical ACKs after the probes are both keep-alive ACKs',
    segments: [
      { t: 0, from: 'a', seq: 1000, ack: 5000, flags: ACK, len: 10 },
      { t: 0.1, from: 'b', seq: 5000, ack: 1010, flags: ACK },
      { t: 5, from: 'a', seq: 1009, ack: 5000, flags: ACK },
      { t: 5.1, from: 'a', seq: 1009, ack: 5000, flags: ACK },
      { t: 5.2, from: 'b', seq: 5000, ack: 1010, flags: ACK },
      { t: 5.3, from: 'b', seq: 5000, ack: 1010, flags: ACK },
    ],
    streams: zeros(6),
    keepAlive: [3, 4],
    keepAliveAck: [5, 6],
  },
};
