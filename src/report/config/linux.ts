/** Linux conntrack (sysctl, nftables ct timeout): the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import type { ChangeRequest, ServiceChange } from '../change-request.js';
import { isV6 } from './address.js';
import type { PlatformConfig } from './platform-config.js';

/** A Go duration (kube-proxy flags): 9000 -> 2h30m0s. */
export function goDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
}

function objectName(s: ServiceChange, index: number, services: ServiceChange[], prefix: string): string {
  const base = `${prefix}-${s.port ?? 'any'}-${s.idleSeconds ?? 'custom'}`;
  return services.filter((x, k) => k < index && `${prefix}-${x.port ?? 'any'}-${x.idleSeconds ?? 'custom'}` === base).length > 0 ? `${base}-${index + 1}` : base;
}

const NFT_TCP_STATES = ['syn_sent', 'syn_recv', 'established', 'fin_wait', 'close_wait', 'last_ack', 'time_wait', 'close'];
const NFT_UDP_STATES: Record<string, string> = { udp_unreplied: 'unreplied', udp_replied: 'replied' };

export function linuxGlobal(kube: boolean) {
  return (proposed: number, current: number, protocol: 'tcp' | 'udp'): ChangeRequest['configuration'] => {
    const key = protocol === 'udp' ? 'net.netfilter.nf_conntrack_udp_timeout_stream' : 'net.netfilter.nf_conntrack_tcp_timeout_established';
    const notes = ['Per network namespace; to keep it across reboots put the same key in a file under /etc/sysctl.d/.'];
    const lines = [`sysctl -w ${key}=${Math.round(proposed)}`];
    const back = [`sysctl -w ${key}=${Math.round(current)}`];
    if (kube && protocol === 'tcp') {
      notes.unshift('kube-proxy owns this sysctl on Kubernetes nodes: set its flag (or its configuration file\'s conntrack section) and restart it, or it writes its own value back.');
      lines.unshift(`kube-proxy --conntrack-tcp-timeout-established=${goDuration(proposed)}`);
      back.unshift(`kube-proxy --conntrack-tcp-timeout-established=${goDuration(current)}`);
    }
    return {
      apply: { title: kube ? 'Kubernetes node (kube-proxy, Linux conntrack), global' : 'Linux conntrack, global', lines, notes },
      rollback: { title: 'restore the current value', lines: back, notes: [] },
      existingSessions: 'Existing entries take the new value at their next packet (lab, Linux 6.18).',
    };
  };
}

/** `name`: the nftables table of the policy (its own: the rollback deletes it) and the prefix of its ct timeout objects. */
export function linuxPerService(services: ServiceChange[], name = 'fwtp'): ChangeRequest['configuration'] {
  const objects: string[] = [];
  const rules: string[] = [];
  const notes: string[] = ['Load with: nft -f FILE (lab-tested form, Linux 6.18, nftables 1.0.6). nft takes plain integer seconds.'];
  services.forEach((s, k) => {
    const object = objectName(s, k, services, name);
    const udp = s.protocol === 'udp';
    const policy: string[] = [];
    for (const [state, secs] of Object.entries(s.stateTimeouts)) {
      if (udp && NFT_UDP_STATES[state] !== undefined) policy.push(`${NFT_UDP_STATES[state]}: ${Math.round(secs)}`);
      else if (!udp && NFT_TCP_STATES.includes(state)) policy.push(`${state}: ${Math.round(secs)}`);
    }
    const fam = isV6(s.address) ? 'ip6' : 'ip';
    objects.push(`  ct timeout ${object} {`, `    protocol ${udp ? 'udp' : 'tcp'};`, `    l3proto ${fam};`, `    policy = { ${policy.join(', ')} };`, '  }');
    const match = [s.address !== null ? `${fam} daddr ${s.address}` : '', s.port !== null ? `${udp ? 'udp' : 'tcp'} dport ${s.port}` : `meta l4proto ${udp ? 'udp' : 'tcp'}`].filter((x) => x !== '').join(' ');
    rules.push(`    ${match} ct timeout set "${object}"`);
    if (s.address === null) notes.push(`${s.label}: the object is for IPv4 (l3proto ip); add a second one with l3proto ip6 for IPv6 traffic.`);
    const ipt = isV6(s.address) ? 'ip6tables' : 'iptables';
    const dport = s.port !== null ? ` --dport ${s.port.replace('-', ':')}` : '';
    const daddr = s.address !== null ? ` -d ${s.address}` : '';
    const states = udp ? Object.entries(s.stateTimeouts).filter(([st]) => NFT_UDP_STATES[st] !== undefined).map(([st, v]) => `${NFT_UDP_STATES[st]} ${Math.round(v)}`)
      : Object.entries(s.stateTimeouts).filter(([st]) => NFT_TCP_STATES.includes(st)).map(([st, v]) => `${st} ${Math.round(v)}`);
    notes.push(`iptables instead of nftables (nfct(8); not run): nfct add timeout ${object} inet ${udp ? 'udp' : 'tcp'} ${states.join(' ')}; ${ipt} -t raw -A PREROUTING -p ${udp ? 'udp' : 'tcp'}${daddr}${dport} -j CT --timeout ${object}`);
  });
  const lines = [`table inet ${name} {`, ...objects, '  chain pre {', '    type filter hook prerouting priority filter; policy accept;', ...rules, '  }', '}'];
  return {
    apply: { title: 'Linux nftables: ct timeout policy for the service', lines, notes },
    rollback: { title: 'remove the table (connections opened meanwhile keep the longer timeout until they end)', lines: [`nft delete table inet ${name}`], notes: [`The table inet ${name} is the policy's own: keep other rules out of it (choose its name with --emit-name), or the rollback removes them too.`] },
    existingSessions: 'The ct timeout policy reaches only connections opened after the rule (lab: an older entry kept the global timeout): plan a reconnect (pool recycle or application restart) after applying it.',
  };
}

export const linuxConfig: PlatformConfig = {
  global: linuxGlobal(false),
  perService: (services, _current, name) => linuxPerService(services, name),
  dropLog: (e) => `the kernel log line of a logging drop rule, "fwtp-drop: IN=... SRC=${e.src} DST=${e.dst} ... PROTO=${e.proto.toUpperCase()} SPT=${e.sport} DPT=${e.dport} ... ACK URGP=0" (nft rule: tcp flags & (fin|syn|rst|ack) != syn ct state new log prefix "fwtp-drop: " drop)`,
  watch: [
    'Entry count: conntrack -C (or cat /proc/sys/net/netfilter/nf_conntrack_count) against sysctl net.netfilter.nf_conntrack_max.',
    'Drop counters: conntrack -S (drop, early_drop, insert_failed per CPU).',
    'Table full: dmesg | grep "nf_conntrack: table full, dropping packet".',
    'Drop log: the "ct state new" non-SYN drop rule\'s log lines (SRC= SPT= -> DST= DPT=, flag ACK without SYN).',
  ],
  limits: { minSeconds: 1, maxSeconds: 2147483, perService: true, note: 'timeouts are jiffies in a signed 32-bit delta (lab: larger values wrap)' },
};
