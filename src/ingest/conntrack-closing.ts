/**
 * How far a conntrack entry got in closing, by protocol and state (TCP, SCTP, DCCP close states),
 * and how an entry of an event stream ended.
 */
import { CT_STATE_NAMES } from './conntrack-table.js';

/** IP protocol numbers (IANA) of the protocols with close states. */
const PROTO_TCP = 6;
const PROTO_DCCP = 33;
const PROTO_SCTP = 132;

/** How far an entry got in closing: none, half closed (one side's close seen), closed by FIN, closed by RST. */
export const CLOSE_NONE = 0;
export const CLOSE_HALF = 1;
export const CLOSE_FIN = 2;
export const CLOSE_RST = 3;
const CLOSING = new Map<string, number>([
  ['6:FIN_WAIT', CLOSE_HALF], ['6:CLOSE_WAIT', CLOSE_HALF], ['6:LAST_ACK', CLOSE_HALF], ['6:TIME_WAIT', CLOSE_FIN],
  ['6:CLOSE', CLOSE_RST],
  ['132:SHUTDOWN_SENT', CLOSE_HALF], ['132:SHUTDOWN_RECD', CLOSE_HALF], ['132:SHUTDOWN_ACK_SENT', CLOSE_HALF],
  ['132:CLOSED', CLOSE_FIN],
  ['33:CLOSEREQ', CLOSE_HALF], ['33:CLOSING', CLOSE_HALF], ['33:TIMEWAIT', CLOSE_FIN],
]);
const CLOSING_BY_STATE: Uint8Array[] = [];
for (const proto of [PROTO_TCP, PROTO_SCTP, PROTO_DCCP]) {
  const a = new Uint8Array(CT_STATE_NAMES.length);
  for (let s = 0; s < CT_STATE_NAMES.length; s++) a[s] = CLOSING.get(`${proto}:${CT_STATE_NAMES[s]}`) ?? CLOSE_NONE;
  CLOSING_BY_STATE[proto] = a;
}
/**
 * How an entry of an event stream ended: still present when the stream ended; closed (a close
 * state before or at DESTROY); timed out (DESTROY without one); removed (DESTROY without a close
 * state but caused by user space, [USERSPACE], or with time still left: conntrack -D, a flush,
 * early drop on a full table).
 */
export const ENDED_OPEN = 0;
export const ENDED_CLOSE = 1;
export const ENDED_TIMEOUT = 2;
export const ENDED_REMOVED = 3;
export const ENDED_NAMES = ['open', 'close', 'timeout', 'removed'] as const;

export function closingOf(proto: number, state: number): number {
  const a = CLOSING_BY_STATE[proto];
  return a === undefined ? CLOSE_NONE : a[state]!;
}
