/** The hollow node-agent's settings, read from its environment by one schema. */
import { parseCidr } from '@kemu/api';
import {
  clusterName,
  type ConfigOf,
  duration,
  int,
  logLevelVar,
  natsNkeyFile,
  natsTlsCa,
  natsUrlRequired,
  parseEnv,
  stateDir,
  streamReplicas,
  string,
} from '@kemu/config';
import { ipv4Cidr } from '@kemu/config/cidr';
import { join, resolve } from 'node:path';

/** Every variable the hollow node-agent reads. */
export const hollowNodeAgentSchema = {
  natsUrl: natsUrlRequired,
  natsNkeyFile,
  natsTlsCa,
  streamReplicas,
  logLevel: logLevelVar('info'),
  cluster: clusterName,
  stateDir,
  nodes: int({
    env: 'KEMU_HOLLOW_NODES',
    min: 1,
    max: 255,
    default: 1,
    meaning: 'How many hollow nodes this process runs (`kemu up --hollow-nodes`)',
  }),
  nodePrefix: string({
    env: 'KEMU_HOLLOW_NODE_PREFIX',
    default: 'hollow',
    check: (v) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v),
    meaning: 'Hollow nodes are named <prefix>-1 … <prefix>-N',
  }),
  clusterCidr: ipv4Cidr({
    env: 'KEMU_CLUSTER_CIDR',
    minPrefix: 8,
    maxPrefix: 30,
    default: parseCidr('10.244.0.0/16'),
    meaning: "The pods' range; hollow nodes take its last /24 blocks, from the top down",
  }),
  heartbeatMs: duration({
    env: 'KEMU_NODE_HEARTBEAT_SECONDS',
    unit: 'seconds',
    positive: true,
    default: 10_000,
    meaning: 'How often the node status and the node Lease are renewed (kubelet: nodeStatusUpdateFrequency)',
  }),
  stagesFile: string({
    env: 'KEMU_HOLLOW_STAGES',
    defaultText: 'built-in stages (hollow-stages.ts)',
    meaning: "A JSON or YAML file of the hollow pods' timed stages: delays, jitter and failure rates",
  }),
  pods: string({
    env: 'KEMU_NODE_PODS',
    default: '110',
    check: (v) => /^\d+$/.test(v),
    meaning: 'How many pods the node takes (capacity pods)',
  }),
};

/** The hollow node-agent's configuration. */
export interface HollowNodeAgentConfig extends Omit<ConfigOf<typeof hollowNodeAgentSchema>, 'stateDir'> {
  /** Absolute. */
  stateDir: string;
}

/** Reads the configuration; throws ConfigError naming the variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): HollowNodeAgentConfig {
  const c = parseEnv(hollowNodeAgentSchema, env);
  return { ...c, stateDir: resolve(c.stateDir ?? join('.kemu', c.cluster)) };
}
