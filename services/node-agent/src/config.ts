/** The node-agent's settings, read from its environment by one schema. */
import { isQuantity } from '@kemu/api';
import {
  clusterName,
  type ConfigOf,
  duration,
  encryptionKeyFile,
  logLevelVar,
  natsNkeyFile,
  natsTlsCa,
  natsUrlRequired,
  nodeName,
  oneOf,
  parseEnv,
  stateDir,
  streamReplicas,
  string,
} from '@kemu/config';
import { ipv4Address, ipv4Cidr, nodeIpRequired, serviceCidrVar } from '@kemu/config/cidr';
import { cidrAddress } from '@kemu/api';
import { join, resolve } from 'node:path';
import { DEFAULT_NODE_RESOURCES } from './registration/node-facts.js';

const quantity = (env: string, fallback: string, meaning: string) =>
  string({ env, meaning, form: 'Kubernetes quantity', check: isQuantity, default: fallback });

/** Every variable the node-agent reads. */
export const nodeAgentSchema = {
  node: nodeName,
  natsUrl: natsUrlRequired,
  natsNkeyFile,
  natsTlsCa,
  streamReplicas,
  logLevel: logLevelVar('info'),
  nodeIP: nodeIpRequired,
  /** Unset on a node that joins later: the controller's node IPAM assigns one. */
  podCIDR: ipv4Cidr({
    env: 'KEMU_POD_CIDR',
    minPrefix: 8,
    maxPrefix: 30,
    defaultText: "assigned by the controller's node IPAM",
    meaning: "The node's pod CIDR (spec.podCIDR)",
  }),
  cluster: clusterName,
  stateDir,
  encryptionKeyFile,
  workloadEntry: string({
    env: 'KEMU_WORKLOAD_ENTRY',
    defaultText: 'services/pod-workload/dist/main.js',
    meaning: 'The script a container without a command runs (the "images")',
  }),
  heartbeatMs: duration({
    env: 'KEMU_NODE_HEARTBEAT_SECONDS',
    unit: 'seconds',
    positive: true,
    default: 10_000,
    meaning: 'How often the node status and the node Lease are renewed (kubelet: nodeStatusUpdateFrequency)',
  }),
  serviceCidr: serviceCidrVar,
  clusterDNS: ipv4Address({
    env: 'KEMU_CLUSTER_DNS',
    defaultText: 'the tenth address of KEMU_SERVICE_CIDR (10.96.0.10)',
    meaning: "ClusterIP of the kube-dns Service (the pods' nameserver)",
  }),
  clusterDomain: string({ env: 'KEMU_CLUSTER_DOMAIN', default: 'cluster.local', meaning: 'The cluster domain' }),
  cpu: quantity('KEMU_NODE_CPU', DEFAULT_NODE_RESOURCES.cpu, "The node's cpu capacity (and allocatable)"),
  memory: quantity('KEMU_NODE_MEMORY', DEFAULT_NODE_RESOURCES.memory, "The node's memory capacity (and allocatable)"),
  pods: quantity('KEMU_NODE_PODS', DEFAULT_NODE_RESOURCES.pods, 'How many pods the node takes (capacity pods)'),
  path: string({
    env: 'PATH',
    default: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    meaning: 'The PATH container processes start with',
  }),
  podRuntime: oneOf(['auto', 'runc', 'process'] as const)({
    env: 'KEMU_POD_RUNTIME',
    default: 'auto',
    meaning:
      'How pods run: runc containers (auto: when a check container runs at start, else processes as before containers)',
  }),
  imageStore: string({
    env: 'KEMU_IMAGE_STORE',
    default: '/var/lib/kemu/image-store',
    meaning:
      "Where container images are built from this machine's files, once per machine (shared by every cluster, KEMU_HOME and checkout)",
  }),
  etcNetnsDir: string({
    env: 'KEMU_ETC_NETNS_DIR',
    default: '/etc/netns',
    meaning: "Where each pod netns gets its resolv.conf (ip netns exec's /etc/netns)",
  }),
};

/** The node-agent's configuration, with the computed defaults filled in. */
export interface NodeAgentConfig
  extends Omit<ConfigOf<typeof nodeAgentSchema>, 'stateDir' | 'workloadEntry' | 'clusterDNS'> {
  /** Absolute. */
  stateDir: string;
  /** Absolute. */
  workloadEntry: string;
  clusterDNS: string;
}

/** Reads the node-agent's configuration; `here` is main.ts's folder (for the default workload). */
export function configFromEnv(env: NodeJS.ProcessEnv, here: string): NodeAgentConfig {
  const c = parseEnv(nodeAgentSchema, env);
  return {
    ...c,
    stateDir: resolve(c.stateDir ?? join('.kemu', c.cluster)),
    workloadEntry: resolve(c.workloadEntry ?? join(here, '..', '..', 'pod-workload', 'dist', 'main.js')),
    clusterDNS: c.clusterDNS ?? cidrAddress(c.serviceCidr, 10),
  };
}
