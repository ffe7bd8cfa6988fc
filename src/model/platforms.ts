/**
 * Platform profiles: what a firewall / NAT device does with an idle entry, per protocol state,
 * and what an entry costs in memory. Every value cites its source (docs/PLATFORMS.md holds the
 * same tables; test/model/platforms.test.ts checks the two agree).
 *
 * Conventions:
 * - stateTimeouts holds every name of FLOW_STATE_NAMES (src/flows/types.ts), in seconds.
 * - Where a vendor has no separate value for a state, the profile uses the vendor's generic
 *   value (or its nearest documented timer) and `citations[state]` says so.
 * - pickup: 'strict' for every profile. A stateful rule set normally accepts a new TCP
 *   connection only with a SYN, so a packet that arrives after its entry expired is dropped.
 *   Linux conntrack itself would pick such a packet up (nf_conntrack_tcp_loose = 1); the CLI
 *   offers `--pickup loose` for rule sets that accept it.
 */
import { FLOW_STATE_NAMES } from '../util/protocols.js';
import { usageError } from '../util/errors.js';
import type { PlatformSetting, Source } from './types.js';

export type Pickup = 'strict' | 'loose';

export interface PlatformProfile {
  /** Name for `--platform`. */
  name: string;
  title: string;
  /** Idle timeout per FlowState name, seconds; every name of FLOW_STATE_NAMES is present. */
  stateTimeouts: Record<string, number>;
  pickup: Pickup;
  /** Memory per table entry, bytes. */
  bytesPerEntry: number;
  /** Fixed table cost, bytes (Linux: hash buckets x 8-byte pointers). */
  fixedBytes: number;
  /** Maximum entries, null when unknown. */
  tableMax: number | null;
  /** Citation per state name or field (bytesPerEntry, fixedBytes, tableMax, pickup). */
  citations: Record<string, string>;
  /** Where each value came from when not the built-in profile ('flag' or 'file'). */
  origins?: Record<string, Source>;
}

/** Fields besides the states that carry a source. */
export const PLATFORM_FIELDS = ['bytesPerEntry', 'fixedBytes', 'tableMax', 'pickup'] as const;

/** Bytes per entry assumed where the vendor publishes none (a profile value the user can override). */
export const DEFAULT_BYTES_PER_ENTRY = 512;

const ASSUMED_BYTES = `assumption: the vendor publishes maximum sessions per model, not bytes per session; ${DEFAULT_BYTES_PER_ENTRY} bytes is fwtp's default`;
const NO_FIXED = 'assumption: no published fixed table cost; 0';
const NO_MAX = 'unknown: the maximum depends on the model/instance size';
const STRICT_PICKUP = 'fwtp default: a stateful rule set accepts new TCP connections only with a SYN, so a packet after its entry expired is dropped (use --pickup loose otherwise)';

// Linux nf_conntrack, kernel 6.18 defaults: sysctl net.netfilter (corpus/conntrack/kernel-6.18/sysctl-netfilter.txt)
// and Documentation/networking/nf_conntrack-sysctl.rst.
const LINUX_SYSCTL = 'Linux 6.18 sysctl net.netfilter.';
const LINUX_BUCKETS = 262144;

const linux: PlatformProfile = {
  name: 'linux',
  title: 'Linux nf_conntrack (kernel 6.18 defaults)',
  stateTimeouts: {
    syn_sent: 120, syn_recv: 60, established: 432000, fin_wait: 120, close_wait: 60, last_ack: 30,
    time_wait: 120, close: 10, udp_unreplied: 30, udp_replied: 120, icmp: 30, other: 600,
  },
  pickup: 'strict',
  bytesPerEntry: 256,
  fixedBytes: LINUX_BUCKETS * 8,
  tableMax: 262144,
  citations: {
    syn_sent: `${LINUX_SYSCTL}nf_conntrack_tcp_timeout_syn_sent = 120`,
    syn_recv: `${LINUX_SYSCTL}nf_conntrack_tcp_timeout_syn_recv = 60`,
    established: 'nf_conntrack_tcp_timeout_established default 432000 (5 days), Documentation/networking/nf_conntrack-sysctl.rst (the corpus namespace had it set to 600)',
    fin_wait: `${LINUX_SYSCTL}nf_conntrack_tcp_timeout_fin_wait = 120`,
    close_wait: `${LINUX_SYSCTL}nf_conntrack_tcp_timeout_close_wait = 60`,
    last_ack: `${LINUX_SYSCTL}nf_conntrack_tcp_timeout_last_ack = 30`,
    time_wait: `${LINUX_SYSCTL}nf_conntrack_tcp_timeout_time_wait = 120`,
    close: `${LINUX_SYSCTL}nf_conntrack_tcp_timeout_close = 10`,
    udp_unreplied: `${LINUX_SYSCTL}nf_conntrack_udp_timeout = 30`,
    udp_replied: `${LINUX_SYSCTL}nf_conntrack_udp_timeout_stream = 120`,
    icmp: `${LINUX_SYSCTL}nf_conntrack_icmp_timeout = 30 (icmpv6 also 30)`,
    other: `${LINUX_SYSCTL}nf_conntrack_generic_timeout = 600`,
    bytesPerEntry: 'nf_conntrack slab object 256 bytes on kernel 6.18 (/proc/slabinfo); extensions (acct, timestamp, NAT) are allocated separately and not counted, so this is a lower bound',
    fixedBytes: `hash table: nf_conntrack_buckets ${LINUX_BUCKETS} x 8-byte pointers = ${LINUX_BUCKETS * 8} bytes (sysctl, kernel 6.18, 24 GiB machine)`,
    tableMax: `${LINUX_SYSCTL}nf_conntrack_max = 262144 (24 GiB machine; scales with RAM, older kernels used 4 x buckets)`,
    pickup: `${STRICT_PICKUP}; the kernel alone picks up mid-stream packets (nf_conntrack_tcp_loose = 1 by default)`,
  },
};

const kubeProxy: PlatformProfile = {
  ...linux,
  name: 'kube-proxy',
  title: 'Kubernetes node (Linux nf_conntrack as kube-proxy sets it)',
  stateTimeouts: { ...linux.stateTimeouts, established: 86400, close_wait: 3600 },
  citations: {
    ...linux.citations,
    established: 'kube-proxy --conntrack-tcp-timeout-established default 24h0m0s (kube-proxy command-line reference, https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/)',
    close_wait: 'kube-proxy --conntrack-tcp-timeout-close-wait default 1h0m0s (kube-proxy command-line reference)',
    tableMax: `${LINUX_SYSCTL}nf_conntrack_max = 262144 as on the Linux profile; kube-proxy raises nf_conntrack_max to max(--conntrack-max-per-core x cores, --conntrack-min)`,
  },
};

const ASA = 'Cisco ASA CLI Configuration Guide, "Configure Global Timeouts": timeout';
const ciscoAsa: PlatformProfile = {
  name: 'cisco-asa',
  title: 'Cisco ASA (global timeouts)',
  stateTimeouts: {
    syn_sent: 30, syn_recv: 30, established: 3600, fin_wait: 600, close_wait: 600, last_ack: 600,
    time_wait: 60, close: 60, udp_unreplied: 120, udp_replied: 120, icmp: 2, other: 3600,
  },
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    syn_sent: `${ASA} embryonic 0:00:30 (connection not yet established)`,
    syn_recv: `${ASA} embryonic 0:00:30 (connection not yet established)`,
    established: `${ASA} conn 1:00:00`,
    fin_wait: `${ASA} half-closed 0:10:00`,
    close_wait: `${ASA} half-closed 0:10:00`,
    last_ack: `${ASA} half-closed 0:10:00 (no separate value while the close is incomplete)`,
    time_wait: 'nearest vendor value: conn slots are freed about 60 s after a normal close (reference sheet, Configure Global Timeouts)',
    close: 'assumption: no separate RST value in the reference; the 60 s after a normal close is used',
    udp_unreplied: `${ASA} udp 0:02:00 (no separate unreplied value)`,
    udp_replied: `${ASA} udp 0:02:00`,
    icmp: `${ASA} icmp 0:00:02`,
    other: `generic value: ${ASA} conn 1:00:00 (no separate value for other protocols in the reference)`,
    bytesPerEntry: ASSUMED_BYTES,
    fixedBytes: NO_FIXED,
    tableMax: NO_MAX,
    pickup: STRICT_PICKUP,
  },
};

const PANOS = 'PAN-OS "Configure Session Timeouts" / web interface help "Session Timeouts"';
const panos: PlatformProfile = {
  name: 'panos',
  title: 'Palo Alto Networks PAN-OS (global session timeouts)',
  stateTimeouts: {
    syn_sent: 5, syn_recv: 10, established: 3600, fin_wait: 120, close_wait: 120, last_ack: 15,
    time_wait: 15, close: 15, udp_unreplied: 30, udp_replied: 30, icmp: 6, other: 30,
  },
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    syn_sent: `${PANOS}: TCP init 5 (before the SYN-ACK)`,
    syn_recv: `${PANOS}: TCP handshake 10 (SYN-ACK to ACK)`,
    established: `${PANOS}: TCP 3600`,
    fin_wait: `${PANOS}: TCP half-closed 120`,
    close_wait: `${PANOS}: TCP half-closed 120`,
    last_ack: `${PANOS}: TCP time_wait 15 (applies after the second FIN)`,
    time_wait: `${PANOS}: TCP time_wait 15`,
    close: `${PANOS}: TCP time_wait 15 (applies after a RST; an unverified RST gets 30)`,
    udp_unreplied: `${PANOS}: UDP 30 (no separate unreplied value)`,
    udp_replied: `${PANOS}: UDP 30`,
    icmp: 'PAN-OS web interface help "Session Timeouts": ICMP default 6 (https://docs.paloaltonetworks.com/pan-os/8-0/pan-os-web-interface-help/device/device-setup-session/session-timeouts)',
    other: 'PAN-OS web interface help "Session Timeouts": Default 30 (non-TCP/UDP/ICMP sessions; same page)',
    bytesPerEntry: ASSUMED_BYTES,
    fixedBytes: NO_FIXED,
    tableMax: NO_MAX,
    pickup: STRICT_PICKUP,
  },
};

const FORTI_TTL = 'FortiOS config system session-ttl, set default 3600 (Fortinet Community "Technical Tip: Default session timeout value (session-ttl)", https://community.fortinet.com/t5/FortiGate/Technical-Tip-Default-session-timeout-value-session-ttl/ta-p/194357)';
const FORTI_GLOBAL = 'FortiOS config system global (defaults as listed in FortiController 5.2.10 "Changing session timers", https://docs.fortinet.com/document/forticontroller/5.2.10/session-aware-load-balancing-cluster-guide/406611/changing-session-timers; verify on your release with `get system global`):';
const fortigate: PlatformProfile = {
  name: 'fortigate',
  title: 'Fortinet FortiGate (FortiOS session-ttl and global timers)',
  stateTimeouts: {
    syn_sent: 120, syn_recv: 120, established: 3600, fin_wait: 120, close_wait: 120, last_ack: 120,
    time_wait: 1, close: 1, udp_unreplied: 180, udp_replied: 180, icmp: 3600, other: 3600,
  },
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    syn_sent: `${FORTI_GLOBAL} tcp-halfopen-timer 120`,
    syn_recv: `${FORTI_GLOBAL} tcp-halfopen-timer 120`,
    established: FORTI_TTL,
    fin_wait: `${FORTI_GLOBAL} tcp-halfclose-timer 120`,
    close_wait: `${FORTI_GLOBAL} tcp-halfclose-timer 120`,
    last_ack: `${FORTI_GLOBAL} tcp-halfclose-timer 120 (no separate value while the close is incomplete)`,
    time_wait: `${FORTI_GLOBAL} tcp-timewait-timer 1`,
    close: `assumption: nearest vendor value, ${FORTI_GLOBAL} tcp-timewait-timer 1`,
    udp_unreplied: `${FORTI_GLOBAL} udp-idle-timer 180`,
    udp_replied: `${FORTI_GLOBAL} udp-idle-timer 180`,
    icmp: `generic value: ${FORTI_TTL} (no separate ICMP value in the reference)`,
    other: `generic value: ${FORTI_TTL}`,
    bytesPerEntry: ASSUMED_BYTES,
    fixedBytes: NO_FIXED,
    tableMax: NO_MAX,
    pickup: STRICT_PICKUP,
  },
};

const CP = 'Check Point Global Properties > Stateful Inspection (Management API set-global-properties, stateful-inspection, https://sc1.checkpoint.com/documents/latest/APIs/#web/set-global-properties):';
const checkpoint: PlatformProfile = {
  name: 'checkpoint',
  title: 'Check Point (Global Properties > Stateful Inspection, R80.20+ gateways)',
  stateTimeouts: {
    syn_sent: 25, syn_recv: 25, established: 3600, fin_wait: 3600, close_wait: 3600, last_ack: 5,
    time_wait: 5, close: 5, udp_unreplied: 40, udp_replied: 40, icmp: 30, other: 60,
  },
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    syn_sent: `${CP} tcp-start-timeout 25`,
    syn_recv: `${CP} tcp-start-timeout 25`,
    established: `${CP} tcp-session-timeout 3600`,
    fin_wait: `generic value: ${CP} tcp-session-timeout 3600 (tcp-end applies only once the connection ended; no half-closed value)`,
    close_wait: `generic value: ${CP} tcp-session-timeout 3600 (no half-closed value)`,
    last_ack: `${CP} tcp-end-timeout-r8020-gw-and-above 5 (older gateways: tcp-end-timeout 20)`,
    time_wait: `${CP} tcp-end-timeout-r8020-gw-and-above 5 (older gateways: tcp-end-timeout 20)`,
    close: `${CP} tcp-end-timeout-r8020-gw-and-above 5 (older gateways: tcp-end-timeout 20)`,
    udp_unreplied: `${CP} udp-virtual-session-timeout 40 (no separate unreplied value)`,
    udp_replied: `${CP} udp-virtual-session-timeout 40`,
    icmp: `${CP} icmp-virtual-session-timeout 30`,
    other: `${CP} other-ip-protocols 60`,
    bytesPerEntry: ASSUMED_BYTES,
    fixedBytes: NO_FIXED,
    tableMax: NO_MAX,
    pickup: STRICT_PICKUP,
  },
};

const SRX_FLOW = 'Junos "Flow-Based Sessions" (https://www.juniper.net/documentation/ru/ru/software/junos/flow-packet-processing/topics/topic-map/security-flow-based-session-for-srx-series-devices.html):';
const SRX_PROTO = 'Junos Security 10.2 "Understanding Policy Application Timeout Configuration and Lookup", protocol-based default table (https://juniper.net/documentation/software/junos-security/junos-security10.2/junos-security-swconfig-security/topic-41683.html):';
const SRX_INITIAL = 'Junos [edit security flow tcp-session] tcp-initial-timeout default 20 (https://juniper.net/documentation/en_US/junos12.1x46/topics/reference/configuration-statement/security-edit-tcp-initial-timeout.html)';
const SRX_TIME_WAIT = 'Junos [edit security flow tcp-session time-wait-state] session timeout default 150, applied once both FINs are seen (https://juniper.net/documentation/en_US/junos12.1x46/topics/reference/configuration-statement/security-edit-apply-to-half-close-state.html)';
const juniperSrx: PlatformProfile = {
  name: 'juniper-srx',
  title: 'Juniper SRX (Junos flow sessions)',
  stateTimeouts: {
    syn_sent: 20, syn_recv: 20, established: 1800, fin_wait: 1800, close_wait: 1800, last_ack: 150,
    time_wait: 150, close: 10, udp_unreplied: 60, udp_replied: 60, icmp: 60, other: 1800,
  },
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    syn_sent: SRX_INITIAL,
    syn_recv: SRX_INITIAL,
    established: `${SRX_FLOW} TCP 1800 (junos-tcp application inactivity)`,
    fin_wait: `generic value: ${SRX_FLOW} TCP 1800 (one FIN only; time-wait-state applies to a half-close only with apply-to-half-close-state)`,
    close_wait: `generic value: ${SRX_FLOW} TCP 1800 (one FIN only)`,
    last_ack: SRX_TIME_WAIT,
    time_wait: SRX_TIME_WAIT,
    close: 'Junos Security 10.2 "Understanding Session Characteristics for J Series Services Routers": a terminated flow is marked invalid and its timeout reduced to 10 s (https://juniper.net/documentation/software/junos-security/junos-security10.2/junos-security-swconfig-security/topic-41891.html)',
    udp_unreplied: `${SRX_FLOW} UDP 60 (no separate unreplied value)`,
    udp_replied: `${SRX_FLOW} UDP 60`,
    icmp: `${SRX_PROTO} ICMP 1 min`,
    other: `${SRX_PROTO} other 30 min`,
    bytesPerEntry: ASSUMED_BYTES,
    fixedBytes: NO_FIXED,
    tableMax: NO_MAX,
    pickup: STRICT_PICKUP,
  },
};

const PF = 'pf.conf(5) "set timeout", defaults PFTM_*_VAL in sys/net/pfvar.h (OpenBSD and FreeBSD):';
const pf: PlatformProfile = {
  name: 'pf',
  title: 'OpenBSD / FreeBSD pf (set timeout defaults)',
  stateTimeouts: {
    syn_sent: 120, syn_recv: 30, established: 86400, fin_wait: 900, close_wait: 900, last_ack: 45,
    time_wait: 45, close: 90, udp_unreplied: 60, udp_replied: 60, icmp: 20, other: 60,
  },
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: 100000,
  citations: {
    syn_sent: `${PF} tcp.first 120 (PFTM_TCP_FIRST_PACKET_VAL)`,
    syn_recv: `${PF} tcp.opening 30 (PFTM_TCP_OPENING_VAL)`,
    established: `${PF} tcp.established 86400 (PFTM_TCP_ESTABLISHED_VAL 24*60*60)`,
    fin_wait: `${PF} tcp.closing 900 (PFTM_TCP_CLOSING_VAL 15*60, half closed)`,
    close_wait: `${PF} tcp.closing 900 (half closed)`,
    last_ack: `${PF} tcp.finwait 45 (PFTM_TCP_FIN_WAIT_VAL, both FINs seen)`,
    time_wait: `${PF} tcp.finwait 45 (both FINs seen)`,
    close: `${PF} tcp.closed 90 (PFTM_TCP_CLOSED_VAL, after a RST)`,
    udp_unreplied: `${PF} udp.first 60 (PFTM_UDP_FIRST_PACKET_VAL; udp.single 30 once the sender repeats)`,
    udp_replied: `${PF} udp.multiple 60 (PFTM_UDP_MULTIPLE_VAL)`,
    icmp: `${PF} icmp.first 20 (PFTM_ICMP_FIRST_PACKET_VAL; icmp.error 10)`,
    other: `${PF} other.first 60, other.multiple 60 (PFTM_OTHER_FIRST_PACKET_VAL, PFTM_OTHER_MULTIPLE_VAL; other.single 30)`,
    bytesPerEntry: ASSUMED_BYTES,
    fixedBytes: NO_FIXED,
    tableMax: 'OpenBSD sys/net/pfvar.h PFSTATE_HIWAT 100000 ("default state table size", pf.conf(5) set limit states)',
    pickup: `${STRICT_PICKUP}; pf pass rules keep state with flags S/SA by default`,
  },
};

const AWS_NAT = 'AWS NAT Gateway idle timeout 350 s, fixed (AWS docs: Network Firewall FlowTimeouts default 350, GWLB "Update the TCP idle timeout" 350)';
const awsNatGateway: PlatformProfile = {
  name: 'aws-nat-gateway',
  title: 'AWS NAT Gateway (350 s idle timeout, fixed)',
  stateTimeouts: Object.fromEntries(FLOW_STATE_NAMES.map((s) => [s, 350])),
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    ...Object.fromEntries(FLOW_STATE_NAMES.map((s) => [s, `generic value: ${AWS_NAT} (no separate value for this state)`])),
    established: AWS_NAT,
    bytesPerEntry: `${ASSUMED_BYTES} (managed service: only the 350 s matters for drops)`,
    fixedBytes: NO_FIXED,
    tableMax: 'unknown: managed service (NAT Gateway documents connections per destination, not a table size)',
    pickup: `${STRICT_PICKUP}; AWS Network Firewall docs: after the idle timeout "data packets are dropped" until a new SYN`,
  },
};

const AZURE = 'Azure Load Balancer and NAT Gateway TCP idle timeout default 4 min (LB: "Configure TCP reset and idle timeout for Azure Load Balancer", https://learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout, 4..100 min; NAT GW: "Design virtual networks that use NAT gateway resources", https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource, 4..120 min)';
const azure: PlatformProfile = {
  name: 'azure',
  title: 'Azure Load Balancer / NAT Gateway (4 min idle timeout)',
  stateTimeouts: Object.fromEntries(FLOW_STATE_NAMES.map((s) => [s, 240])),
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    ...Object.fromEntries(FLOW_STATE_NAMES.map((s) => [s, `generic value: ${AZURE} (no separate value for this state)`])),
    established: AZURE,
    bytesPerEntry: `${ASSUMED_BYTES} (managed service: only the 4 min matters for drops)`,
    fixedBytes: NO_FIXED,
    tableMax: 'unknown: managed service',
    pickup: `${STRICT_PICKUP}; Azure sends no RST on idle timeout unless TCP reset is enabled on the LB rule`,
  },
};

const GCP = 'gcloud compute routers nats create flags / RouterNat API fields:';
const gcpCloudNat: PlatformProfile = {
  name: 'gcp-cloud-nat',
  title: 'Google Cloud NAT (per-gateway timeouts)',
  stateTimeouts: {
    syn_sent: 30, syn_recv: 30, established: 1200, fin_wait: 30, close_wait: 30, last_ack: 30,
    time_wait: 120, close: 30, udp_unreplied: 30, udp_replied: 30, icmp: 30, other: 30,
  },
  pickup: 'strict',
  bytesPerEntry: DEFAULT_BYTES_PER_ENTRY,
  fixedBytes: 0,
  tableMax: null,
  citations: {
    syn_sent: `${GCP} tcpTransitoryIdleTimeoutSec 30`,
    syn_recv: `${GCP} tcpTransitoryIdleTimeoutSec 30`,
    established: `${GCP} tcpEstablishedIdleTimeoutSec 1200`,
    fin_wait: `${GCP} tcpTransitoryIdleTimeoutSec 30`,
    close_wait: `${GCP} tcpTransitoryIdleTimeoutSec 30`,
    last_ack: `${GCP} tcpTransitoryIdleTimeoutSec 30`,
    time_wait: `${GCP} tcpTimeWaitTimeoutSec 120`,
    close: `${GCP} tcpTransitoryIdleTimeoutSec 30`,
    udp_unreplied: `${GCP} udpIdleTimeoutSec 30`,
    udp_replied: `${GCP} udpIdleTimeoutSec 30`,
    icmp: `${GCP} icmpIdleTimeoutSec 30`,
    other: 'assumption: Cloud NAT has timers for TCP, UDP and ICMP only; the UDP/ICMP 30 s is used',
    bytesPerEntry: `${ASSUMED_BYTES} (managed service)`,
    fixedBytes: NO_FIXED,
    tableMax: 'unknown: managed service (limited by ports per VM, not a table size)',
    pickup: STRICT_PICKUP,
  },
};

const PROFILES: readonly PlatformProfile[] = [
  linux, kubeProxy, ciscoAsa, panos, fortigate, checkpoint, juniperSrx, pf, awsNatGateway, azure, gcpCloudNat,
];

/** A deep copy of a profile (its maps included). */
export function cloneProfile(p: PlatformProfile): PlatformProfile {
  return {
    ...p,
    stateTimeouts: { ...p.stateTimeouts },
    citations: { ...p.citations },
    ...(p.origins ? { origins: { ...p.origins } } : {}),
  };
}

/** All built-in profiles (copies: callers may change them freely). */
export function listPlatforms(): PlatformProfile[] {
  return PROFILES.map(cloneProfile);
}

export function platformNames(): string[] {
  return PROFILES.map((p) => p.name);
}

/** A built-in profile by its `--platform` name (case-insensitive); unknown -> CLI_UNKNOWN_PLATFORM. */
export function getPlatform(name: string): PlatformProfile {
  const wanted = String(name).trim().toLowerCase();
  const found = PROFILES.find((p) => p.name === wanted);
  if (!found) {
    throw usageError('CLI_UNKNOWN_PLATFORM', `unknown platform "${name}": choose one of ${platformNames().join(', ')}`);
  }
  return cloneProfile(found);
}

/**
 * The entry state whose idle timeout governs an idle session of this protocol, and so the one
 * a candidate timeout replaces: TCP established, UDP's replied stream, ICMP, else `other`.
 */
export function idleStateOf(protocol: string): 'established' | 'udp_replied' | 'icmp' | 'other' {
  return protocol === 'udp' ? 'udp_replied' : protocol === 'tcp' ? 'established' : protocol.startsWith('icmp') ? 'icmp' : 'other';
}

/** The platform's idle timeout in force for this protocol (seconds): `idleStateOf`'s state. */
export function currentTimeoutSeconds(platform: Pick<PlatformProfile, 'stateTimeouts'>, protocol: string): number {
  const s = platform.stateTimeouts[idleStateOf(protocol)];
  if (s === undefined) throw new Error(`platform profile without a ${idleStateOf(protocol)} timeout`);
  return s;
}

/**
 * The PlatformSetting recorded in a PlanResult: every state and field gets a Source, 'profile'
 * unless the profile's `origins` or the given `provenance` say otherwise (`provenance` wins).
 */
export function toPlatformSetting(p: PlatformProfile, provenance: Partial<Record<string, Source>> = {}): PlatformSetting {
  const stateTimeouts: Record<string, number> = {};
  const out: Record<string, Source> = {};
  for (const key of [...FLOW_STATE_NAMES, ...PLATFORM_FIELDS]) {
    out[key] = provenance[key] ?? p.origins?.[key] ?? 'profile';
  }
  for (const state of FLOW_STATE_NAMES) stateTimeouts[state] = p.stateTimeouts[state]!;
  return {
    name: p.name,
    stateTimeouts,
    pickup: p.pickup,
    bytesPerEntry: p.bytesPerEntry,
    fixedBytes: p.fixedBytes,
    tableMax: p.tableMax,
    sources: out,
  };
}
