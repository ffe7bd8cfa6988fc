// The join over every public corpus log (../shared/corpus/firewall-logs, read in place): no crash,
// and the invariants of the join hold: every drop is attached to exactly one session or left
// unmatched; every end record gives one session; a revealed gap is never shorter than the
// reorder slack allows; each session with a time gives one flow.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { joinSessions } from '../../src/flows/fwlog-sessions.js';
import { flowsFromLog } from '../../src/flows/fwlog-flows.js';
import { readFirewallLog, sniffFirewallLog } from '../../src/ingest/fwlog/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(here, '..', '..', '..', 'shared', 'corpus', 'firewall-logs');
const files = existsSync(CORPUS)
  ? readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(CORPUS, d.name)).filter((f) => f.endsWith('.log')).map((f) => join(d.name, f)))
  : [];

describe.skipIf(files.length === 0)('joinSessions over the corpus', () => {
  it.each(files)('%s', (rel) => {
    const text = readFileSync(join(CORPUS, rel), 'utf8');
    if (sniffFirewallLog(text.slice(0, 65536)) === null) return; // not a log fwtp reads as a whole (counted by the reader tests)
    const r = readFirewallLog(text, { year: 2026 }, rel);
    const drops = r.records.filter((x) => x.type === 'drop').length;
    const ends = r.records.filter((x) => x.type === 'session-end').length;
    const j = joinSessions(r.records, rel, { timeoutSeconds: () => 3600 });
    expect(j.sessions.reduce((s, x) => s + x.drops.length, 0) + j.unmatchedDrops.length).toBe(drops);
    expect(j.sessions.filter((s) => s.endLine !== null).length).toBe(ends);
    for (const s of j.sessions) {
      expect(s.startLine !== null || s.endLine !== null).toBe(true);
      if (s.revealedGapSeconds !== null) expect(s.revealedGapSeconds).toBeGreaterThanOrEqual(-5 - 3600);
      if (s.startUs !== null && s.lastPacketUs !== null) expect(s.lastPacketUs).toBeGreaterThanOrEqual(s.startUs);
    }
    const f = flowsFromLog(r.records, rel, { timeoutSeconds: () => 3600, gapFloorUs: 1e6 });
    expect(f.flows.count).toBe(j.sessions.filter((s) => (s.startUs ?? s.lastPacketUs ?? s.endUs) !== null).length);
  });
});
