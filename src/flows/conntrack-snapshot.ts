/**
 * One conntrack dump as the single-snapshot analysis (src/model/dump.ts) reads it: the input and
 * snapshot types, and the conntrack vocabulary it needs to name entries and read their ages
 * (state names, status flags, close states). The model reads these from here, never from the
 * readers in src/ingest, so that a change of reader does not reach the model.
 */
import { closingOf as closingOfEntry, CLOSE_HALF as INGEST_CLOSE_HALF } from '../ingest/conntrack-closing.js';
import type { ConntrackInput, ConntrackSnapshot as IngestSnapshot } from '../ingest/conntrack-input.js';
import {
  CT_STATE_NAMES as INGEST_STATE_NAMES, ctProtoName as ingestProtoName, ST_OFFLOAD as INGEST_ST_OFFLOAD,
  ST_UNREPLIED as INGEST_ST_UNREPLIED,
} from '../ingest/conntrack-table.js';

/** One dump: its time (seconds since the epoch, null when unknown) and its entries in columns. */
export type ConntrackSnapshot = IngestSnapshot;

/** What the analysis of a dump reads of a conntrack input. */
export type ConntrackDumpInput = Pick<ConntrackInput, 'name' | 'format' | 'snapshots' | 'sysctlRaw'>;

/** Protocol state names as conntrack prints them, by the state index of a table row (0: none). */
export const CT_STATE_NAMES: readonly string[] = INGEST_STATE_NAMES;
/** Status flag bits of a table row: offloaded to the flow table; no reply seen. */
export const ST_OFFLOAD: number = INGEST_ST_OFFLOAD;
export const ST_UNREPLIED: number = INGEST_ST_UNREPLIED;
/** Closing step of a row: one side's close seen (FIN_WAIT, CLOSE_WAIT, LAST_ACK, SCTP/DCCP alike). */
export const CLOSE_HALF: number = INGEST_CLOSE_HALF;

/** The name conntrack gives an IP protocol number ("unknown" for the rest). */
export const ctProtoName: (proto: number) => string = ingestProtoName;
/** How far an entry in this protocol and state got in closing (CLOSE_HALF and beyond). */
export const closingOf: (proto: number, state: number) => number = closingOfEntry;
