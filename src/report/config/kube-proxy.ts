/** Kubernetes nodes (kube-proxy over Linux conntrack): the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import { linuxGlobal, linuxPerService } from './linux.js';
import type { PlatformConfig } from './platform-config.js';

export const kubeProxyConfig: PlatformConfig = {
  global: linuxGlobal(true),
  perService: (services, _current, name) => linuxPerService(services, name),
  dropLog: (e) => `the kernel log line of a logging drop rule on the node, "fwtp-drop: ... SRC=${e.src} DST=${e.dst} ... SPT=${e.sport} DPT=${e.dport} ... ACK"; lines from pod network namespaces need net.netfilter.nf_log_all_netns=1`,
  watch: [
    'Entry count on each node: conntrack -C (or cat /proc/sys/net/netfilter/nf_conntrack_count) against nf_conntrack_max (kube-proxy sets it from --conntrack-max-per-core).',
    'Drop counters: conntrack -S (drop, early_drop, insert_failed).',
    'Table full: dmesg | grep "nf_conntrack: table full, dropping packet".',
  ],
  limits: { minSeconds: 1, maxSeconds: 2147483, perService: true, note: 'timeouts are jiffies in a signed 32-bit delta' },
};
