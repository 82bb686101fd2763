/**
 * What the supervisor runs for a cluster, as data: nats-server, apiserver and controller in
 * the host netns, a node-agent and proxy per node inside that node's netns, and the
 * cluster DNS (services/dns) in the netns of nodes 1 and 2, each with the environment of
 * CONVENTIONS.md and its own log file; with hollow nodes, one hollow-node-agent in the host netns.
 *
 * Node components enter their netns with `nsenter --net=/run/netns/<node>`, not
 * `ip netns exec`: the latter also gives the process a private (slave) mount namespace,
 * so pod netns that a node-agent creates with `ip netns add` would be mounted only there
 * and be invisible to `kemu exec`, `kemu down` and the next node-agent after a restart.
 */
import { join } from 'node:path';
import { cidrAddress, formatCidr, parseCidr } from '@kemu/api';
import { type HollowNodeLayout, hollowNodeLayout } from '@kemu/kubelet';
import { DEFAULT_SERVICE_CIDR } from '@kemu/config/cidr';
import { clusterLayout } from '@kemu/netns';
import type { ClusterContext } from '../cluster-context.js';
import { pkiPaths } from './cluster-pki.js';
import { natsAuthPaths, seedFile } from './nats-auth.js';
import { serviceEntry } from './service-entry.js';

/** What `kemu up` records in cluster.json and the supervisor reads. */
export interface ClusterConfig {
  cluster: string;
  nodes: number;
  subnetIndex: number;
  apiserverPort: number;
  /** Bearer token of the kemu-admin user in the kubeconfig. */
  token: string;
  createdAt: string;
  /** An existing NATS (`kemu up --nats URL`): no nats-server of the cluster's own is started. */
  natsUrl?: string;
  /** Data plane of every node's proxy (`kemu up --proxy-mode`); absent in older cluster.json files: userspace. */
  proxyMode?: ProxyMode;
  /** Hollow nodes run by one hollow-node-agent (`kemu up --hollow-nodes`); absent: none. */
  hollowNodes?: number;
  /** The hollow pods' stages file (`kemu up --hollow-stages`, absolute); absent: the built-in stages. */
  hollowStages?: string;
}

/** Prefix of the hollow nodes' names (`hollow-1`, …). */
export const HOLLOW_NODE_PREFIX = 'hollow';

/** The cluster's hollow nodes with their pod CIDRs (none unless `--hollow-nodes`). */
export function hollowNodes(config: ClusterConfig): HollowNodeLayout[] {
  return hollowNodeLayout(HOLLOW_NODE_PREFIX, config.hollowNodes ?? 0, parseCidr(CLUSTER_CIDR));
}

/** kube-proxy modes kemu implements (the proxy's KEMU_PROXY_MODE values). */
export const PROXY_MODES = ['userspace', 'nftables'] as const;
/** One of PROXY_MODES. */
export type ProxyMode = (typeof PROXY_MODES)[number];

/** One supervised process. */
export interface ComponentSpec {
  /** Key in pids.json and base name of the log file, e.g. `proxy-node-1`. */
  name: string;
  command: string;
  args: string[];
  /** Variables added to the supervisor's environment. */
  env: Record<string, string>;
  logFile: string;
}

/** Inputs of `componentSpecs` besides the cluster config. */
export interface SpecContext {
  stateDir: string;
  logsDir: string;
  natsStoreDir: string;
  servicesDir: string;
  /** Path of the node binary (process.execPath). */
  nodeBin: string;
}

/** The SpecContext of a resolved cluster, run by the node binary running this CLI. */
export function specContext(ctx: ClusterContext): SpecContext {
  const { paths } = ctx;
  return {
    stateDir: paths.stateDir,
    logsDir: paths.logsDir,
    natsStoreDir: paths.natsStoreDir,
    servicesDir: ctx.servicesDir,
    nodeBin: process.execPath,
  };
}

/** Service CIDR handed to every component (the Kubernetes default, checked by the components' rule). */
export const SERVICE_CIDR = formatCidr(DEFAULT_SERVICE_CIDR);

/** The cluster's pod CIDR: the controller's default (KEMU_CLUSTER_CIDR), which kemu's clusters keep; node pod CIDRs are /24s of it. */
export const CLUSTER_CIDR = '10.244.0.0/16';

/** ClusterIP of the `kubernetes` Service (the first of SERVICE_CIDR), a SAN of the apiserver certificate. */
export const KUBERNETES_SERVICE_IP = cidrAddress(DEFAULT_SERVICE_CIDR, 1);

/** Nodes that run a dns process (`dns-node-N`, inside the node netns, listening on the node IP:53). */
export const DNS_REPLICAS = 2;

/** Port of the controller's /metrics on the host's underlay address (kube-controller-manager's). */
export const CONTROLLER_METRICS_PORT = 10257;

/**
 * V8 flags of the controller. It allocates at the rate it reads and writes the log while
 * its live heap stays small (100 MiB at 8000 pods), and V8 sizes the old generation from
 * the heap limit: with the default limit (a quarter of the machine's memory) it let the
 * old space grow to 2.3 times the live heap (229 MiB committed, 100 used). A 1 GiB limit
 * (eight times the live heap at 10 000 pods) caps that growth at 1.6 times.
 */
export const CONTROLLER_NODE_FLAGS: readonly string[] = ['--max-old-space-size=1024'];

/** Port of the cluster's nats-server on the host's underlay address. */
export const NATS_PORT = 4222;

/** The nats-server of a cluster, configured by the file `kemu up` writes (natsServerSettings and the authorization). */
export function natsServerSpec(config: ClusterConfig, ctx: SpecContext): ComponentSpec {
  return {
    name: 'nats-server',
    command: 'nats-server',
    // Everything is in the file (natsServerSettings, then nats-auth.ts's authorization), so a reload (SIGHUP) sees it all.
    args: ['-c', natsAuthPaths(ctx.stateDir).serverConfig],
    env: { KEMU_CLUSTER: config.cluster, KEMU_STATE_DIR: ctx.stateDir },
    logFile: join(ctx.logsDir, 'nats-server.log'),
  };
}

/**
 * The settings of the cluster's nats-server, as configuration text: JetStream with its
 * store, bound to the host's underlay address, no monitoring port, named after the cluster.
 */
export function natsServerSettings(config: ClusterConfig, natsStoreDir: string, stateDir: string): string {
  const layout = clusterLayout(config.cluster, config.nodes, config.subnetIndex);
  const pki = pkiPaths(stateDir);
  return [
    // Nodes joined over a network speak TLS and verify this certificate against the cluster
    // CA; the components on this machine reach it over its own veth, in plain (TLS on every
    // event doubled pod Ready times in a burst on a 2-core machine).
    `tls { cert_file: ${JSON.stringify(pki.natsCert)}, key_file: ${JSON.stringify(pki.natsKey)} }`,
    'allow_non_tls: true',
    `server_name: ${JSON.stringify(`kemu-${config.cluster}`)}`,
    `listen: ${JSON.stringify(`${layout.hostIp}:${NATS_PORT}`)}`,
    `jetstream { store_dir: ${JSON.stringify(natsStoreDir)} }`,
    '',
  ].join('\n');
}

/** NATS URL every component uses: the given one, else the cluster's own nats-server on the underlay. */
export function natsUrl(config: ClusterConfig): string {
  if (config.natsUrl) return config.natsUrl;
  return `nats://${clusterLayout(config.cluster, config.nodes, config.subnetIndex).hostIp}:${NATS_PORT}`;
}

/** KEMU_NATS_NKEY_FILE of one credential: none with an existing NATS (`up --nats`), whose users are its owner's. */
export function natsCredentialEnv(config: ClusterConfig, stateDir: string, user: string): Record<string, string> {
  return config.natsUrl ? {} : { KEMU_NATS_NKEY_FILE: seedFile(stateDir, user) };
}

/** apiserver, controller, per node a node-agent and a proxy, and dns on the first two nodes, in start order. */
export function componentSpecs(config: ClusterConfig, ctx: SpecContext): ComponentSpec[] {
  const layout = clusterLayout(config.cluster, config.nodes, config.subnetIndex);
  const advertise = `${layout.hostIp}:${config.apiserverPort}`;
  const common: Record<string, string> = {
    KEMU_CLUSTER: config.cluster,
    KEMU_NATS_URL: natsUrl(config),
    KEMU_STATE_DIR: ctx.stateDir,
    KEMU_SERVICE_CIDR: SERVICE_CIDR,
    KEMU_APISERVER_ADVERTISE: advertise,
  };
  // Only the apiserver and the node-agents hold the key Secrets are encrypted with.
  const encryptionKey = { KEMU_ENCRYPTION_KEY_FILE: pkiPaths(ctx.stateDir).encryptionKey };
  const main = (service: string) => serviceEntry(ctx.servicesDir, service);
  const specs: ComponentSpec[] = [
    {
      name: 'apiserver',
      command: ctx.nodeBin,
      args: [main('apiserver')],
      env: {
        ...common,
        ...encryptionKey,
        ...natsCredentialEnv(config, ctx.stateDir, 'apiserver'),
        KEMU_APISERVER_LISTEN: `127.0.0.1:${config.apiserverPort},${advertise}`,
        KEMU_APISERVER_CERT: pkiPaths(ctx.stateDir).apiserverCert,
        KEMU_APISERVER_KEY: pkiPaths(ctx.stateDir).apiserverKey,
        KEMU_APISERVER_TOKEN_FILE: pkiPaths(ctx.stateDir).tokenFile,
        KEMU_APISERVER_SA_KEY: pkiPaths(ctx.stateDir).serviceAccountKey,
        KEMU_APISERVER_ROOT_CA: pkiPaths(ctx.stateDir).caCert,
      },
      logFile: join(ctx.logsDir, 'apiserver.log'),
    },
    {
      name: 'controller',
      command: ctx.nodeBin,
      args: [...CONTROLLER_NODE_FLAGS, main('controller')],
      env: {
        ...common,
        ...natsCredentialEnv(config, ctx.stateDir, 'controller'),
        KEMU_CONTROLLER_METRICS_LISTEN: `${layout.hostIp}:${CONTROLLER_METRICS_PORT}`,
      },
      logFile: join(ctx.logsDir, 'controller.log'),
    },
  ];
  layout.nodes.forEach((node, i) => {
    // Cluster DNS runs on the first DNS_REPLICAS nodes, as the two CoreDNS replicas of kubeadm.
    const services = i < DNS_REPLICAS ? ['node-agent', 'proxy', 'dns'] : ['node-agent', 'proxy'];
    for (const service of services) {
      specs.push({
        name: `${service}-${node.name}`,
        command: 'nsenter',
        args: [`--net=/run/netns/${node.netns}`, '--', ctx.nodeBin, main(service)],
        env: {
          ...common,
          ...(service === 'node-agent' ? encryptionKey : {}),
          ...natsCredentialEnv(config, ctx.stateDir, `${service}-${node.name}`),
          KEMU_NODE: node.name,
          KEMU_NODE_IP: node.ip,
          KEMU_POD_CIDR: node.podCidr,
          ...(service === 'proxy' ? { KEMU_PROXY_MODE: config.proxyMode ?? 'userspace' } : {}),
        },
        logFile: join(ctx.logsDir, `${service}-${node.name}.log`),
      });
    }
  });
  const hollow = config.hollowNodes ?? 0;
  if (hollow > 0) {
    // In the host netns: its nodes have no netns, and it reaches NATS on the underlay like the apiserver.
    specs.push({
      name: 'hollow-node-agent',
      command: ctx.nodeBin,
      args: [main('hollow-node-agent')],
      env: {
        ...common,
        ...natsCredentialEnv(config, ctx.stateDir, 'hollow-node-agent'),
        KEMU_HOLLOW_NODES: String(hollow),
        KEMU_HOLLOW_NODE_PREFIX: HOLLOW_NODE_PREFIX,
        KEMU_CLUSTER_CIDR: CLUSTER_CIDR,
        ...(config.hollowStages ? { KEMU_HOLLOW_STAGES: config.hollowStages } : {}),
      },
      logFile: join(ctx.logsDir, 'hollow-node-agent.log'),
    });
  }
  return specs;
}
