/** kube-proxy's settings, read from its environment by one schema. */
import {
  type ConfigOf,
  duration,
  logLevelVar,
  natsUrlRequired,
  nodeName,
  parseEnv,
  port,
  streamReplicas,
} from '@kemu/config';
import { nodeIpOptional, serviceCidrVar } from '@kemu/config/cidr';
import { DEBUG_PORT } from './debug-server.js';

/** Every variable the proxy reads. */
export const proxySchema = {
  node: nodeName,
  natsUrl: natsUrlRequired,
  streamReplicas,
  logLevel: logLevelVar('info'),
  /** Unset: no debug endpoint and no kube-proxy pod published. */
  nodeIP: nodeIpOptional,
  serviceCidr: serviceCidrVar,
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
