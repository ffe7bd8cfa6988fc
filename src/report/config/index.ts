/**
 * The configuration templates by platform profile name (model/platforms.ts). A new vendor is one
 * file in this folder and one line here; test/report/config.test.ts checks that every built-in
 * profile has its template.
 */
import { awsNatGatewayConfig } from './aws-nat-gateway.js';
import { azureConfig } from './azure.js';
import { checkpointConfig } from './checkpoint.js';
import { ciscoAsaConfig } from './cisco-asa.js';
import { fortigateConfig } from './fortigate.js';
import { gcpCloudNatConfig } from './gcp-cloud-nat.js';
import { juniperSrxConfig } from './juniper-srx.js';
import { kubeProxyConfig } from './kube-proxy.js';
import { linuxConfig } from './linux.js';
import { panosConfig } from './panos.js';
import { pfConfig } from './pf.js';
import type { PlatformConfig } from './platform-config.js';

const PLATFORM_CONFIG: Record<string, PlatformConfig> = {
  linux: linuxConfig,
  'kube-proxy': kubeProxyConfig,
  'cisco-asa': ciscoAsaConfig,
  panos: panosConfig,
  fortigate: fortigateConfig,
  checkpoint: checkpointConfig,
  'juniper-srx': juniperSrxConfig,
  pf: pfConfig,
  'aws-nat-gateway': awsNatGatewayConfig,
  azure: azureConfig,
  'gcp-cloud-nat': gcpCloudNatConfig,
};

/** The template of a built-in platform, null for any other name (a profile file's own). */
export function platformConfig(name: string): PlatformConfig | null {
  return Object.hasOwn(PLATFORM_CONFIG, name) ? PLATFORM_CONFIG[name]! : null;
}
