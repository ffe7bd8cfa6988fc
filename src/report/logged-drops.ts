/**
 * The change request's evidence from firewall logs (issue 13, item 5): the logged drops classified
 * as `fwtp drops` classifies them, the first drop line of the first sessions whose state expired
 * quoted as the device wrote it, and the sessions the model breaks at the current timeout beside
 * the sessions the logs show dropped, per service and direction.
 */
import { classifyDrops, type ClassifiedDrop, type DropDirection, type JoinView } from '../flows/drop-classes.js';
import type { CandidateResult } from '../model/types.js';
import type { FirewallLogRead } from '../read/firewall-logs.js';
import { buildDropsDocument, comparePredicted, type PredictedComparison, type TimeoutInForce } from './drops.js';
import { hostPort } from '../util/endpoints.js';

/** How many sessions' first drop lines the change request quotes. */
export const QUOTED_SESSIONS = 5;

/** One quoted drop line: where it is, and its text once read back from the file (null: standard input, or gone). */
export interface QuotedDropLine {
  file: string;
  line: number;
  text: string | null;
  service: string;
  direction: DropDirection;
  keepAliveShaped: boolean;
}

export interface LoggedDropEvidence {
  /** `fwtp drops`' summary line: "198 drops: 198 packets of 15 sessions whose state expired (tcp/1521 15)". */
  summary: string;
  /** Sessions whose state expired, as the logs show them; quoted holds the first drop of the first QUOTED_SESSIONS. */
  expiredSessions: number;
  quoted: QuotedDropLine[];
  /** The model at the current timeout against the logged drops (the same comparison as `fwtp drops --traffic`). */
  predicted: PredictedComparison;
}

type DropRecordOf = ClassifiedDrop['drop'];

/**
 * The logged-drop evidence, or null when the logs hold no drop. `atCurrent` is the model at the
 * current timeout with every affected service listed (affectedLimit large), `inputs` the paths the
 * prediction comes from.
 */
export function loggedDropEvidence(logs: readonly FirewallLogRead[], atCurrent: CandidateResult, timeout: TimeoutInForce, inputs: string[]): LoggedDropEvidence | null {
  const view: JoinView = { sessions: logs.flatMap((l) => l.join.sessions), unmatchedDrops: logs.flatMap((l) => l.join.unmatchedDrops) };
  const classified = classifyDrops(view);
  if (classified.totals.drops === 0) return null;
  const fileOf = new Map<DropRecordOf, string>();
  for (const l of logs) for (const d of l.ownDrops) fileOf.set(d, l.file);
  const doc = buildDropsDocument(classified, [], timeout, []);
  const predicted = comparePredicted(doc, { candidates: [atCurrent], warnings: [] }, inputs);
  return { summary: doc.summary, expiredSessions: doc.totals.expiredState.sessions, quoted: quotedLines(classified.drops, fileOf), predicted };
}

/** The first drop of each of the first QUOTED_SESSIONS expired-state sessions, in time order. */
function quotedLines(drops: readonly ClassifiedDrop[], fileOf: ReadonlyMap<DropRecordOf, string>): QuotedDropLine[] {
  const expired = drops.filter((d) => d.dropClass === 'expired-state')
    .sort((a, b) => (a.drop.timeUs ?? Infinity) - (b.drop.timeUs ?? Infinity) || a.drop.line - b.drop.line);
  const seen = new Set<string>();
  const out: QuotedDropLine[] = [];
  for (const d of expired) {
    if (seen.has(d.sessionKey)) continue;
    seen.add(d.sessionKey);
    const s = d.service;
    out.push({
      file: fileOf.get(d.drop) ?? '?', line: d.drop.line, text: null,
      service: `${s.protocol} ${s.serverPort === null ? s.serverAddr : hostPort(s.serverAddr, s.serverPort)}`,
      direction: d.direction, keepAliveShaped: d.keepAliveShaped,
    });
    if (out.length === QUOTED_SESSIONS) break;
  }
  return out;
}
