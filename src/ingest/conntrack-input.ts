/**
 * What reading one conntrack input gives (src/ingest/conntrack.ts): the snapshots of a listing,
 * the entries of an event stream with their lifetimes, or the values of a sysctl dump.
 */
import type { AddressBook } from './conntrack-addresses.js';
import type { ConntrackTable } from './conntrack-table.js';
import type { ConntrackFormat } from './conntrack-text.js';

export interface ConntrackSnapshot {
  /** Seconds since the epoch of the dump (its timestamp line, or --at), null when unknown. */
  atSeconds: number | null;
  /** Line of the timestamp line that began it (0 when none). */
  line: number;
  /** The entries, in columns (`table.entry(i)` / `table.entries()` give objects). */
  table: ConntrackTable;
}


/**
 * One row per conntrack entry seen in an event stream. `entries` holds the entry as its latest
 * event showed it (tuple, state, flags; counters and delta-time from DESTROY when accounting and
 * timestamps are on); the other columns are aligned with it. Times are seconds since the epoch,
 * NaN without `-o timestamp`.
 */
export interface ConntrackLifetimes {
  entries: ConntrackTable;
  /** Time of the entry's first event (its NEW when `newSeen`). */
  firstSeconds: Float64Array;
  /** Time of its last NEW/UPDATE event. */
  lastEventSeconds: Float64Array;
  /** Time of its DESTROY, NaN when not destroyed within the stream. */
  destroySeconds: Float64Array;
  /** 1 when the stream showed its NEW (else it existed before the stream began). */
  newSeen: Uint8Array;
  /** State index (CT_STATE_NAMES) of its first event. */
  firstState: Uint8Array;
  /** Furthest closing step seen before or at DESTROY (CLOSE_NONE/HALF/FIN/RST of conntrack-timeouts.ts). */
  closing: Uint8Array;
  /** ENDED_OPEN, ENDED_CLOSE, ENDED_TIMEOUT or ENDED_REMOVED. */
  endedBy: Uint8Array;
  /** Events seen for the entry. */
  eventCount: Uint32Array;
}

export interface ConntrackEvents {
  /** Whether the lines carried `-o timestamp` times. */
  timestamps: boolean;
  counts: { new: number; update: number; destroy: number };
  /** First and last event time (NaN without timestamps). */
  firstSeconds: number;
  lastSeconds: number;
  lifetimes: ConntrackLifetimes;
}

export interface ConntrackInput {
  name: string;
  format: ConntrackFormat;
  /** Listings (plain, extended, /proc, XML): one snapshot per dump. Empty for events and sysctl. */
  snapshots: ConntrackSnapshot[];
  events?: ConntrackEvents;
  /** From a sysctl dump: timeouts by FlowState name (established, udp_replied, ...), seconds. */
  sysctlTimeouts?: Record<string, number>;
  /** From a sysctl dump: every numeric net.netfilter.nf_conntrack_* value by its name without the prefix. */
  sysctlRaw?: Record<string, number>;
  addresses: AddressBook;
  linesRead: number;
  /** Lines that could not be read (the first 1000; `skippedCount` counts all). */
  skipped: Array<{ line: number; reason: string }>;
  skippedCount: number;
  warnings: string[];
}

export interface ConntrackReadOptions {
  /** A line that cannot be read stops the file (FwtpError CONNTRACK_UNPARSABLE_LINE). */
  strict?: boolean;
  /** Seconds since the epoch for a dump without a timestamp line. */
  at?: number;
}
