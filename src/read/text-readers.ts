/**
 * The readers of text inputs (conntrack dumps, flow exports, firewall logs), in one module that
 * readInputs loads only when an input is not a capture or a profile: with them and csv-parse,
 * a capture read loaded 148 modules before its first packet (about 0.1 s of start-up).
 */
export { sniffFlowExport } from '../ingest/flowexport/index.js';
export { readFlowExport } from '../flows/export-flows.js';
export { readConntrack, sniffConntrack } from '../ingest/conntrack.js';
export { conntrackFlows } from '../flows/conntrack-flows.js';
export { eventLogFlows, joinEventsAsSessions, joinLogsAcross, logFlows, readFirewallLogInput, sniffFirewallLogInput } from './firewall-logs.js';
