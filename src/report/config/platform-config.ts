/**
 * What a platform's configuration template gives the change request: the lines that apply and
 * roll back a global or per-service change, how its drop log shows a packet dropped for want of
 * a session, what to watch, and the values it accepts. One file per platform in this folder,
 * written from docs/PLATFORMS.md ("Per-service timeouts", from the reference sheets
 * reference/per-service-timeouts.md and reference/timeouts.md); drop logs and what to watch
 * from reference/drop-logs.md. Only the nftables lines were run (lab); the others say so.
 */
import type { ChangeRequest, ServiceChange } from '../change-request.js';
import type { Endpoints } from './endpoints.js';

export interface PlatformConfig {
  global(proposedSeconds: number, currentSeconds: number, protocol: 'tcp' | 'udp'): ChangeRequest['configuration'];
  /** `name`: the prefix of the objects the lines create (table, class-map, service ...), `fwtp` unless the user sets one. */
  perService(services: ServiceChange[], currentSeconds: number, name?: string): ChangeRequest['configuration'];
  /** How the platform logs a packet dropped for want of a session, for the evidence's top pair. */
  dropLog(e: Endpoints): string;
  watch: string[];
  limits: { minSeconds: number; maxSeconds: number; perService: boolean; note: string };
}

export const NOT_RUN = 'Written from the vendor documentation cited in docs/PLATFORMS.md; not run on a device.';
