/**
 * A node that joins an existing cluster through its NATS (`kemu node up`), as data: what
 * node.json records, where its state lives (`$KEMU_HOME/nodes/<cluster>/<node>/`, apart
 * from any cluster state dir on the same machine) and the node-agent and proxy the node
 * supervisor runs, inside the node netns or (--here) in the current one.
 */
import { join } from 'node:path';
import type { ClusterContext } from '../cluster-context.js';
import { type ComponentSpec, type ProxyMode, SERVICE_CIDR } from '../cluster/components.js';
import { serviceEntry } from '../cluster/service-entry.js';
import { UsageError } from '../errors.js';

/** What `kemu node up` records in node.json and `node supervise` / `node down` read. */
export interface JoinedNodeConfig {
  cluster: string;
  node: string;
  /** NATS URL(s) of the cluster, comma-separated. */
  natsUrl: string;
  /** The node's address (its InternalIP). */
  address: string;
  /** The node's netns, or null when it runs in the current netns (--here). */
  netns: string | null;
  /** Netns of the bridge the node's veth hangs off (undefined: the host's). */
  bridgeNetns?: string;
  /** The node's veth end in the bridge's netns (absent with --here). */
  vethName?: string;
  /** The node's NATS credential (a copy of the join credential, 0600); absent: the NATS asks for none. */
  natsNkeyFile?: string;
  /** The cluster CA from the join credential: the node speaks TLS to NATS and verifies it. */
  natsTlsCa?: string;
  /** Pod CIDR given with --pod-cidr; absent when the controller assigns one. */
  podCidr?: string;
  /** The proxy's data plane (--proxy-mode); absent means userspace. */
  proxyMode?: ProxyMode;
  createdAt: string;
}

/** Files of a joined node's state directory. */
export interface NodePaths {
  stateDir: string;
  configFile: string;
  pidsFile: string;
  statusFile: string;
  supervisorPidFile: string;
  logsDir: string;
  /** Where `kemu node up --creds` keeps its copy of the join credential. */
  natsCredential: string;
  /** Its copy of the cluster CA from the join credential. */
  natsCa: string;
}

/** The state paths of node `node` of the context's cluster. */
export function nodePaths(ctx: ClusterContext, node: string): NodePaths {
  const stateDir = join(ctx.home, 'nodes', ctx.cluster, node);
  return {
    stateDir,
    configFile: join(stateDir, 'node.json'),
    pidsFile: join(stateDir, 'pids.json'),
    statusFile: join(stateDir, 'status.json'),
    supervisorPidFile: join(stateDir, 'supervisor.pid'),
    logsDir: join(stateDir, 'logs'),
    natsCredential: join(stateDir, 'nats.nk'),
    natsCa: join(stateDir, 'nats-ca.crt'),
  };
}

/** Throws UsageError unless `node` is a DNS-1123 label short enough for `kemu-<cluster>-<node>` (≤ 32 here). */
export function validateNodeName(node: string | undefined): string {
  if (!node) throw new UsageError('kemu node needs --name NODE (the Kubernetes node name, e.g. node-4)');
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(node))
    throw new UsageError(
      `invalid node name "${node}": use up to 32 characters of [a-z0-9-], starting and ending alphanumeric`,
    );
  return node;
}

/** Name of a joined node's netns. */
export function joinedNodeNetns(cluster: string, node: string): string {
  return `kemu-${cluster}-${node}`;
}

/** The host part of the first URL of a comma-separated NATS URL list. */
export function natsHost(natsUrl: string): string {
  const first = natsUrl.split(',')[0]?.trim() ?? '';
  let url: URL;
  try {
    url = new URL(first);
  } catch {
    throw new UsageError(`invalid NATS URL "${natsUrl}": use nats://HOST:PORT`);
  }
  if (url.protocol !== 'nats:' || !url.hostname)
    throw new UsageError(`invalid NATS URL "${natsUrl}": use nats://HOST:PORT`);
  return url.hostname;
}

/** The node-agent and proxy of a joined node, each entering the node netns unless it runs --here. */
export function joinedNodeSpecs(
  config: JoinedNodeConfig,
  paths: NodePaths,
  o: { servicesDir: string; nodeBin: string },
): ComponentSpec[] {
  const env: Record<string, string> = {
    KEMU_CLUSTER: config.cluster,
    KEMU_NATS_URL: config.natsUrl,
    KEMU_STATE_DIR: paths.stateDir,
    KEMU_SERVICE_CIDR: SERVICE_CIDR,
    KEMU_NODE: config.node,
    KEMU_NODE_IP: config.address,
    ...(config.podCidr ? { KEMU_POD_CIDR: config.podCidr } : {}),
    ...(config.natsNkeyFile ? { KEMU_NATS_NKEY_FILE: config.natsNkeyFile } : {}),
    ...(config.natsTlsCa ? { KEMU_NATS_TLS_CA: config.natsTlsCa } : {}),
  };
  return ['node-agent', 'proxy'].map((service) => {
    const main = serviceEntry(o.servicesDir, service);
    return {
      name: service,
      command: config.netns ? 'nsenter' : o.nodeBin,
      args: config.netns ? [`--net=/run/netns/${config.netns}`, '--', o.nodeBin, main] : [main],
      env: service === 'proxy' ? { ...env, KEMU_PROXY_MODE: config.proxyMode ?? 'userspace' } : env,
      logFile: join(paths.logsDir, `${service}.log`),
    };
  });
}
