/**
 * What each platform can set: whether a timeout can be given to one service, and the longest
 * idle timeout it accepts, as docs/PLATFORMS.md ("Per-service timeouts") gives them with their
 * sources (the vendors' configuration guides; AWS ListenerAttribute and FlowTimeouts; Azure
 * "Configure TCP reset and idle timeout"; the GCP RouterNat API; kernel commit 0434ccdcf883).
 */
export interface TimeoutCapability {
  /** A timeout for one service (address and port) exists. */
  perService: boolean;
  /** The longest idle timeout the platform accepts, seconds; null when none is published. */
  maxSeconds: number | null;
  /** Said beside the proposal: limits a reader must know before applying it. */
  note: string | null;
}

const CAPABILITIES: Record<string, TimeoutCapability> = {
  linux: { perService: true, maxSeconds: 2147483, note: 'an nftables ct timeout policy reaches new connections only (kernel commit 0434ccdcf883): sessions open before the change keep their timeout until they close' },
  'kube-proxy': { perService: true, maxSeconds: 2147483, note: 'an nftables ct timeout policy reaches new connections only (kernel commit 0434ccdcf883)' },
  'cisco-asa': { perService: true, maxSeconds: 1193 * 3600, note: null },
  panos: { perService: true, maxSeconds: 604800, note: null },
  fortigate: { perService: true, maxSeconds: 2764800, note: null },
  checkpoint: { perService: true, maxSeconds: null, note: 'the largest service session timeout is unconfirmed' },
  'juniper-srx': { perService: true, maxSeconds: 86400, note: null },
  pf: { perService: true, maxSeconds: null, note: 'a rule\'s state timeout reaches states created by that rule only' },
  'aws-nat-gateway': { perService: false, maxSeconds: 350, note: 'the NAT Gateway idle timeout is fixed at 350 s; NLB, GWLB and Network Firewall accept at most 6000 s, and Network Firewall has no per-service timeout' },
  azure: { perService: true, maxSeconds: 6000, note: 'Azure Load Balancer rules accept 4 to 100 minutes' },
  'gcp-cloud-nat': { perService: false, maxSeconds: null, note: 'Cloud NAT sets its TCP established idle timeout per gateway, not per service' },
};

export function timeoutCapability(platformName: string): TimeoutCapability {
  return CAPABILITIES[platformName] ?? { perService: true, maxSeconds: null, note: 'a platform from a file: its limits are not known to fwtp' };
}

export function capabilityPlatforms(): string[] {
  return Object.keys(CAPABILITIES);
}
