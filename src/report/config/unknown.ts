/** The configuration section for a platform without a template (a profile file's own name). */
import type { ChangeRequest } from '../change-request.js';

export function unknownPlatformConfig(name: string, change: ChangeRequest['change'], protocol: string): ChangeRequest['configuration'] {
  const what = change.scope === 'per-service'
    ? change.services.map((s) => `${s.label} ${s.idleSeconds ?? ''} s`).join(', ')
    : `${protocol} idle timeout ${change.proposedSeconds} s`;
  return {
    apply: { title: `No configuration template for platform ${name}`, lines: [], notes: [`Set ${what} with the device's own configuration; docs/PLATFORMS.md lists the knobs of the built-in platforms.`] },
    rollback: { title: 'restore the previous setting', lines: [], notes: [`Restore ${change.scope === 'per-service' ? 'the previous service settings' : `${change.currentSeconds} s`}.`] },
    existingSessions: 'Unknown for this platform: watch the sessions in the evidence after the change.',
  };
}
