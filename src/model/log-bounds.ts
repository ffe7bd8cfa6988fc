/**
 * Where flows from firewall logs cannot know (issue 13, item 3; docs/FIREWALL-LOGS.md, "From logs
 * to flows"): a log shows a session's start, its end and, after an idle end, at most the one
 * packet that found no state. So, against the timeout in force T the logs were written under:
 *
 * - a candidate C > T: a session the firewall aged out at T would have lived on at C, and its
 *   later idle periods are not in the log: sessions broken at C are at least the figure;
 * - a candidate C < T: idle gaps inside a session are only known to be shorter than T (the
 *   firewall kept it), so a gap between C and T is invisible: again at least the figure;
 * - C = T: what the logs show is what happened.
 *
 * The idea of thresholds.ts / recommend-exact.ts `lowerBound` (an honest "at least"), per candidate.
 */
import type { CandidateResult } from './types.js';

/** What the firewall logs of a run were, for one protocol's candidate (the cli layer fills it from the read). */
export interface LogEvidence {
  /** The timeout in force T for the candidate's protocol, seconds. */
  timeoutSeconds: number;
  /** Sessions read from the logs, for that protocol. */
  sessions: number;
  /** Of them, ended by the idle timeout (final gap >= T; exact when a drop revealed it). */
  idleEnded: number;
  /** The longest session, seconds: a candidate at or above it hides no inner gap. */
  longestSeconds: number;
}

/** Whether candidate T's figures are lower bounds because of log flows, and why (null: exact as far as the logs go). */
export function logLowerBound(ev: LogEvidence | undefined, candidateSeconds: number): string | null {
  if (ev === undefined || ev.sessions === 0) return null;
  const t = ev.timeoutSeconds;
  if (candidateSeconds > t && ev.idleEnded > 0) {
    return `${ev.idleEnded} session(s) in the firewall logs ended at the timeout in force (${t} s): a session that broke at ${t} s cannot show its later idle periods, so at ${candidateSeconds} s the broken sessions are at least this many`;
  }
  if (candidateSeconds < t && ev.longestSeconds > candidateSeconds) {
    return `idle gaps inside the ${ev.sessions} session(s) of the firewall logs are known only to be shorter than the timeout in force (${t} s): gaps between ${candidateSeconds} s and ${t} s are not logged, so the broken sessions are at least this many`;
  }
  return null;
}

/** The candidate with `lowerBound: true` and the reason when the logs cannot show it in full. */
export function withLogBound(c: CandidateResult, ev: LogEvidence | undefined): CandidateResult {
  const reason = logLowerBound(ev, c.timeoutSeconds);
  return reason === null ? c : { ...c, lowerBound: true, lowerBoundReason: reason };
}
