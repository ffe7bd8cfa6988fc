/** Azure Load Balancer: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import { NOT_RUN, type PlatformConfig } from './platform-config.js';

export const azureConfig: PlatformConfig = {
  global: (p, c) => ({
    apply: { title: 'Azure Load Balancer rule idle timeout (minutes)', lines: [`az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule> --idle-timeout ${Math.min(100, Math.max(4, Math.ceil(p / 60)))} --enable-tcp-reset true`],
      notes: [NOT_RUN, 'Load Balancer 4..100 min, NAT Gateway 4..120 min (per gateway), Azure Firewall north-south 4 min (15 by support request).'] },
    rollback: { title: 'restore the current value', lines: [`az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule> --idle-timeout ${Math.min(100, Math.max(4, Math.ceil(c / 60)))}`], notes: [] },
    existingSessions: 'Unconfirmed.',
  }),
  perService: (services) => ({
    apply: { title: 'Azure Load Balancer: the timeout belongs to the load-balancing rule', lines: services.map((s) => `az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule for ${s.label}> --idle-timeout ${Math.min(100, Math.max(4, Math.ceil((s.idleSeconds ?? 0) / 60)))} --enable-tcp-reset true`),
      notes: [NOT_RUN, 'At most 100 min (6000 s): longer idle periods need endpoint keep-alives below it.'] },
    rollback: { title: 'the rule\'s previous idle timeout', lines: ['az network lb rule update --resource-group <rg> --lb-name <lb> --name <rule> --idle-timeout <previous minutes>'], notes: [] },
    existingSessions: 'Unconfirmed.',
  }),
  dropLog: (e) => `NSG or VNet flow log tuples "<time>,${e.src},${e.dst},${e.sport},${e.dport},T,I,D" (decision D, no TCP flags)`,
  watch: ['Flow logs: tuples with decision D for the services in the evidence.', 'Load Balancer / NAT Gateway connection metrics in Azure Monitor.'],
  limits: { minSeconds: 240, maxSeconds: 6000, perService: true, note: 'Load Balancer rules take 4..100 min (NAT Gateway up to 120 min, per gateway only)' },
};
