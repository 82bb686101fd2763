/** kube-proxy's settings, read from its environment by one schema. */
import { parseCidr } from '@kemu/api';
import {
  bool,
  type ConfigOf,
  duration,
  int,
  logLevelVar,
  natsNkeyFile,
  natsTlsCa,
  natsUrlRequired,
  nodeName,
  oneOf,
  parseEnv,
  port,
  streamReplicas,
} from '@kemu/config';
import { ipv4Cidr, nodeIpOptional, serviceCidrVar } from '@kemu/config/cidr';
import { DEBUG_PORT } from './debug-server.js';
import { PROXY_MODES } from './kube-proxy-pod.js';

/** Every variable the proxy reads. */
export const proxySchema = {
  node: nodeName,
  natsUrl: natsUrlRequired,
  natsNkeyFile,
  natsTlsCa,
  streamReplicas,
  logLevel: logLevelVar('info'),
  /** Unset: no debug endpoint and no kube-proxy pod published. */
  nodeIP: nodeIpOptional,
  serviceCidr: serviceCidrVar,
  clusterCidr: ipv4Cidr({
    env: 'KEMU_CLUSTER_CIDR',
    minPrefix: 8,
    maxPrefix: 30,
    default: parseCidr('10.244.0.0/16'),
    meaning:
      "The pods' range (kube-proxy's --cluster-cidr): nftables mode masquerades ClusterIP traffic from outside it or DNATed to an endpoint outside it",
  }),
  proxyMode: oneOf(PROXY_MODES)({
    env: 'KEMU_PROXY_MODE',
    default: 'userspace',
    meaning:
      "The data plane, as kube-proxy's --proxy-mode: userspace (a listener per ClusterIP port) or nftables (kernel DNAT rules in the node netns)",
  }),
  fullSyncPeriodMs: duration({
    env: 'KEMU_PROXY_SYNC_PERIOD_MS',
    unit: 'ms',
    positive: true,
    default: 30_000,
    meaning:
      "How often the proxy resyncs everything to repair drift (kube-proxy's --sync-period); nftables mode syncs only changes in between",
  }),
  udpIdleTimeoutMs: duration({
    env: 'KEMU_PROXY_UDP_IDLE_TIMEOUT_MS',
    unit: 'ms',
    positive: true,
    default: 30_000,
    meaning: 'A UDP flow without traffic for this long is forgotten (kube-proxy userspace: --udp-timeout)',
  }),
  metricsLogMs: duration({
    env: 'KEMU_PROXY_METRICS_LOG_MS',
    unit: 'ms',
    positive: true,
    default: 60_000,
    meaning: 'How often the proxy logs its counters (when they changed)',
  }),
  recordFlows: bool({
    env: 'KEMU_PROXY_FLOWS',
    default: true,
    meaning: 'Record a flow record per connection and UDP flow on the FLOWS stream (kemu flows, kemu dashboard)',
  }),
  flowsMaxRate: int({
    env: 'KEMU_PROXY_FLOWS_MAX_RATE',
    min: 1,
    default: 100,
    meaning:
      'New service flows per second a node records in full (both proxy modes); above, a random one in N is recorded (weight N) so recording stays cheap',
  }),
  debugPort: port({
    env: 'KEMU_PROXY_DEBUG_PORT',
    default: DEBUG_PORT,
    meaning: 'Port of the debug endpoint on the node IP (the proxied service ports as JSON)',
  }),
};

/** The proxy's configuration. */
export type ProxyConfig = ConfigOf<typeof proxySchema>;

/** Reads the proxy's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): ProxyConfig {
  return parseEnv(proxySchema, env);
}
