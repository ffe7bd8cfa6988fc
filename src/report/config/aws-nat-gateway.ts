/** AWS NAT Gateway: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import type { PlatformConfig } from './platform-config.js';

export const awsNatGatewayConfig: PlatformConfig = {
  global: (p, c) => ({
    apply: { title: 'AWS NAT Gateway: the 350 s idle timeout is fixed', lines: [],
      notes: ['It cannot be changed. Behind an NLB or GWLB the listener attribute goes to 6000 s at most:', `aws elbv2 modify-listener-attributes --listener-arn <arn> --attributes Key=tcp.idle_timeout.seconds,Value=${Math.min(6000, Math.round(p))}`, 'Otherwise make the endpoints send keep-alives below 350 s (TCP_KEEPIDLE, Oracle SQLNET.EXPIRE_TIME, the pool\'s keep-alive).'] },
    rollback: { title: 'the NLB/GWLB listener\'s previous value', lines: [`aws elbv2 modify-listener-attributes --listener-arn <arn> --attributes Key=tcp.idle_timeout.seconds,Value=${Math.round(c)}`], notes: ['Only where an NLB/GWLB listener was changed.'] },
    existingSessions: 'Unconfirmed for NLB/GWLB listeners.',
  }),
  perService: () => ({
    apply: { title: 'AWS NAT Gateway: no per-service timeout', lines: [], notes: ['The 350 s is fixed for every connection; make the endpoints send keep-alives below it instead (TCP_KEEPIDLE, Oracle SQLNET.EXPIRE_TIME, the pool\'s keep-alive).'] },
    rollback: { title: 'nothing to roll back', lines: [], notes: ['Nothing changes on the gateway.'] },
    existingSessions: 'Not applicable: nothing changes on the gateway.',
  }),
  dropLog: (e) => `VPC Flow Logs REJECT records from ${e.src} port ${e.sport} to ${e.dst} port ${e.dport} (aggregated; a bare ACK shows tcp-flags 0)`,
  watch: ['CloudWatch NAT Gateway metrics: IdleTimeoutCount, ActiveConnectionCount.', 'VPC Flow Logs: REJECT records for the services in the evidence.'],
  limits: { minSeconds: 350, maxSeconds: 350, perService: false, note: 'the NAT Gateway idle timeout is fixed at 350 s (NLB/GWLB listeners 60..6000 s)' },
};
