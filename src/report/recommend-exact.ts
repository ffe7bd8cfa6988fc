/**
 * The exact recommendation in words (`fwtp recommend`): the threshold from the data, its margin,
 * the per-service fix with its cost against the global change, the remedies ranked, and with
 * `--emit PLATFORM` the configuration lines that apply it and roll it back.
 */
import type { ExactRecommendation } from '../model/recommend-exact.js';
import type { TimeoutRule } from '../model/policy.js';
import type { Remedy } from '../model/proposal.js';
import { PROTO_TCP, PROTO_UDP } from '../util/protocols.js';
import { formatDuration } from '../util/duration.js';
import { sanitizeText } from '../util/text.js';
import type { ChangeRequest } from './change-request.js';
import { serviceChange } from './build-change-request.js';
import { platformConfig } from './config/index.js';
import type { ExactText } from './plan.js';
import { formatBytes } from '../util/bytes.js';

function seconds(x: number): string {
  return `${formatDuration(x)} (${Math.round(x * 1e6) / 1e6} s)`;
}

function signedBytes(n: number): string {
  return `${n < 0 ? '-' : '+'}${formatBytes(Math.abs(n))}`;
}

const REMEDY_WORDS: Record<Remedy['kind'], string> = {
  keepalive: 'endpoint keep-alive below the current timeout',
  service: 'a timeout for the broken services only',
  global: 'the global timeout raised',
};

/** The threshold's lines (after the limits) and the fix's (after the recommendation). */
export function exactText(rec: ExactRecommendation): ExactText {
  const threshold: string[] = [];
  const out: string[] = [];
  const t = rec.threshold;
  if (t !== null) {
    threshold.push(`exact threshold: ${t.lowerBound ? 'at least ' : ''}${seconds(t.seconds)} from the data${t.brokenBelow !== null ? ` (${t.brokenBelow} session(s) break at or below it)` : ''}`);
    threshold.push(`margin: ${Math.round(t.margin.seconds * 1000) / 1000} s: ${t.margin.reason}`);
  }
  const p = rec.proposal;
  out.push(`at the current timeout ${seconds(p.currentSeconds)}: ${p.atCurrent.sessionsWithDrops} session(s) break`);
  for (const s of p.services) {
    out.push(`per-service fix: ${s.service.protocol} ${s.service.serverAddr}:${s.service.serverPort} at ${s.timeoutSeconds} s ` +
      `(${s.lowerBound ? 'at least ' : ''}threshold ${Math.round(s.thresholdSeconds * 1e6) / 1e6} s + margin ${Math.round(s.margin.seconds * 1000) / 1000} s): ` +
      `${s.brokenAtCurrent} of its ${s.flows} sessions kept, ${s.withFix.sessionsWithDrops} broken in all${s.possible ? '' : `; not possible here: ${s.why}`}`);
  }
  if (p.remedies.length > 0) {
    out.push('remedies, best first (entry memory added against the current timeout, mean / peak; the table\'s fixed cost left out):');
    p.remedies.forEach((r, k) => {
      out.push(`  ${k + 1}. ${REMEDY_WORDS[r.kind]}: ${r.sessionsWithDrops} broken, ${signedBytes(r.addedEntryBytes.mean)} / ${signedBytes(r.addedEntryBytes.peak)}${r.possible ? '' : ` (not possible here: ${r.why})`}`);
    });
  }
  if (p.capability.note !== null) out.push(`note: ${p.capability.note}`);
  return { threshold: threshold.map((l) => sanitizeText(l)), fix: out.map((l) => sanitizeText(l)) };
}

/** The configuration for `--emit PLATFORM`: the per-service fix when there is one, else the recommended global timeout. */
export function emitConfiguration(rec: ExactRecommendation, platform: string, protocol: 'tcp' | 'udp', name = 'fwtp'): ChangeRequest['configuration'] | null {
  const cfg = platformConfig(platform);
  if (cfg === null) return null;
  const services = rec.proposal.services.filter((s) => s.possible);
  if (services.length > 0 && cfg.limits.perService) {
    const state = protocol === 'tcp' ? 'established' : 'udp_replied';
    const rules: TimeoutRule[] = services.map((s) => ({
      match: { proto: s.service.protocol === 'tcp' ? PROTO_TCP : PROTO_UDP, serverAddr: s.service.serverAddr, serverPort: s.service.serverPort },
      stateTimeouts: { [state]: s.timeoutSeconds },
      label: `${s.service.serverAddr}:${s.service.serverPort}=${s.timeoutSeconds}`,
    }));
    return cfg.perService(rules.map((r) => serviceChange(r, protocol)), rec.proposal.currentSeconds, name);
  }
  if (rec.recommendedSeconds === null) return null;
  return cfg.global(rec.recommendedSeconds, rec.proposal.currentSeconds, protocol);
}

export function emitLines(conf: ChangeRequest['configuration'] | null, platform: string): string[] {
  if (conf === null) return [`# ${platform}: nothing to apply (no recommendation within the limits)`];
  return [
    `# ${conf.apply.title}`, ...conf.apply.lines, ...conf.apply.notes.map((n) => `# ${n}`),
    `# rollback: ${conf.rollback.title}`, ...conf.rollback.lines.map((l) => `#   ${l}`), ...conf.rollback.notes.map((n) => `# ${n}`),
    ...(conf.existingSessions !== undefined ? [`# ${conf.existingSessions}`] : []),
  ];
}
