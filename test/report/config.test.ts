// The configuration templates (src/report/config/): every built-in platform profile has one, and
// each gives something to paste or to read for a sample request, global and per service, TCP and UDP.
import { describe, expect, it } from 'vitest';
import { platformNames } from '../../src/model/platforms.js';
import { parseServiceRule } from '../../src/model/policy.js';
import { serviceChange } from '../../src/report/build-change-request.js';
import type { ConfigBlock } from '../../src/report/change-request.js';
import { endpointsOf } from '../../src/report/config/endpoints.js';
import { platformConfig } from '../../src/report/config/index.js';

/** A block says something: lines to paste, or notes saying why there are none. */
function nonEmpty(block: ConfigBlock): boolean {
  return block.title.trim() !== '' && (block.lines.length > 0 || block.notes.length > 0) && [...block.lines, ...block.notes].every((l) => l.trim() !== '');
}

describe('configuration templates', () => {
  it('cover every platform profile of the model', () => {
    const missing = platformNames().filter((name) => platformConfig(name) === null);
    expect(missing).toEqual([]);
  });

  it('have no template for a name that is not a built-in profile', () => {
    expect(platformConfig('my-firewall')).toBeNull();
    expect(platformConfig('toString')).toBeNull();
  });

  const services = [serviceChange(parseServiceRule('198.51.100.24:1521=9000'), 'tcp'), serviceChange(parseServiceRule('udp/[2001:db8::53]:53=120'), 'udp')];
  const endpoints = endpointsOf('tcp 198.51.100.24:1521 -> 192.0.2.10:*');

  for (const name of platformNames()) {
    it(`${name}: global, per-service, drop log, watch and limits are non-empty`, () => {
      const cfg = platformConfig(name)!;
      for (const protocol of ['tcp', 'udp'] as const) {
        const global = cfg.global(9000, 3600, protocol);
        expect(nonEmpty(global.apply), `${name} ${protocol} global apply`).toBe(true);
        expect(nonEmpty(global.rollback), `${name} ${protocol} global rollback`).toBe(true);
        expect(global.existingSessions.trim()).not.toBe('');
      }
      for (const list of [services.slice(0, 1), services]) {
        const per = cfg.perService(list, 3600);
        expect(nonEmpty(per.apply), `${name} per-service apply`).toBe(true);
        expect(nonEmpty(per.rollback), `${name} per-service rollback`).toBe(true);
        expect(per.existingSessions.trim()).not.toBe('');
      }
      expect(cfg.dropLog(endpoints).trim()).not.toBe('');
      expect(cfg.dropLog(endpointsOf(undefined)).trim()).not.toBe('');
      expect(cfg.watch.length).toBeGreaterThan(0);
      expect(cfg.limits.minSeconds).toBeLessThanOrEqual(cfg.limits.maxSeconds);
      expect(cfg.limits.note.trim()).not.toBe('');
    });
  }
});
