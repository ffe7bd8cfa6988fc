/** Google Cloud NAT: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import { NOT_RUN, type PlatformConfig } from './platform-config.js';

export const gcpCloudNatConfig: PlatformConfig = {
  global: (p, c, protocol) => {
    const flag = protocol === 'udp' ? '--udp-idle-timeout' : '--tcp-established-idle-timeout';
    return {
      apply: { title: 'Google Cloud NAT, per gateway', lines: [`gcloud compute routers nats update <nat> --router=<router> --region=<region> ${flag}=${Math.round(p)}s`], notes: [NOT_RUN] },
      rollback: { title: 'restore the current value', lines: [`gcloud compute routers nats update <nat> --router=<router> --region=<region> ${flag}=${Math.round(c)}s`], notes: [] },
      existingSessions: 'Unconfirmed.',
    };
  },
  perService: () => ({
    apply: { title: 'Google Cloud NAT: no per-service timeout', lines: [], notes: ['Timeouts are per NAT gateway; the finest grain is a separate gateway for some source subnets. Otherwise make the endpoints send keep-alives below the gateway timeout.'] },
    rollback: { title: 'nothing to roll back', lines: [], notes: ['Nothing changes on the gateway.'] },
    existingSessions: 'Not applicable.',
  }),
  dropLog: (e) => `Cloud NAT log entries for dropped connections between ${e.client} and ${e.server}`,
  watch: ['Cloud NAT logging and the gateway\'s dropped-packet metrics for the services in the evidence.'],
  limits: { minSeconds: 1, maxSeconds: Number.MAX_SAFE_INTEGER, perService: false, note: 'Cloud NAT timeouts are per gateway, not per service' },
};
