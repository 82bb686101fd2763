/**
 * What the supervisor runs for a cluster, as data: nats-server, apiserver and controller in
 * the host netns, a node-agent and proxy per node inside that node's netns, and the
 * cluster DNS (services/dns) in the netns of nodes 1 and 2, each with the environment of
 * CONVENTIONS.md and its own log file.
 *
 * Node components enter their netns with `nsenter --net=/run/netns/<node>`, not
 * `ip netns exec`: the latter also gives the process a private (slave) mount namespace,
 * so pod netns that a node-agent creates with `ip netns add` would be mounted only there
 * and be invisible to `kemu exec`, `kemu down` and the next node-agent after a restart.
 */
import { join } from 'node:path';
import { cidrAddress, formatCidr } from '@kemu/api';
import { DEFAULT_SERVICE_CIDR } from '@kemu/config/cidr';
import { clusterLayout } from '@kemu/netns';
import type { ClusterContext } from '../cluster-context.js';
import { pkiPaths } from './cluster-pki.js';

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
}

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

/** Port of the cluster's nats-server on the host's underlay address. */
export const NATS_PORT = 4222;

/** The nats-server of a cluster: JetStream, bound to the host's underlay address, no monitoring port. */
export function natsServerSpec(config: ClusterConfig, ctx: SpecContext): ComponentSpec {
  const layout = clusterLayout(config.cluster, config.nodes, config.subnetIndex);
  return {
    name: 'nats-server',
    command: 'nats-server',
    args: [
      '-js',
      '-a',
      layout.hostIp,
      '-p',
      String(NATS_PORT),
      '-sd',
      ctx.natsStoreDir,
      '-m',
      '0',
      '-n',
      `kemu-${config.cluster}`,
    ],
    env: { KEMU_CLUSTER: config.cluster, KEMU_STATE_DIR: ctx.stateDir },
    logFile: join(ctx.logsDir, 'nats-server.log'),
  };
}

/** NATS URL every component uses: the given one, else the cluster's own nats-server on the underlay. */
export function natsUrl(config: ClusterConfig): string {
  if (config.natsUrl) return config.natsUrl;
  return `nats://${clusterLayout(config.cluster, config.nodes, config.subnetIndex).hostIp}:${NATS_PORT}`;
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
  const main = (service: string) => join(ctx.servicesDir, service, 'dist', 'main.js');
  const specs: ComponentSpec[] = [
    {
      name: 'apiserver',
      command: ctx.nodeBin,
      args: [main('apiserver')],
      env: {
        ...common,
        KEMU_APISERVER_LISTEN: `127.0.0.1:${config.apiserverPort},${advertise}`,
        KEMU_APISERVER_CERT: pkiPaths(ctx.stateDir).apiserverCert,
        KEMU_APISERVER_KEY: pkiPaths(ctx.stateDir).apiserverKey,
        KEMU_APISERVER_TOKEN_FILE: pkiPaths(ctx.stateDir).tokenFile,
      },
      logFile: join(ctx.logsDir, 'apiserver.log'),
    },
    {
      name: 'controller',
      command: ctx.nodeBin,
      args: [main('controller')],
      env: { ...common },
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
        env: { ...common, KEMU_NODE: node.name, KEMU_NODE_IP: node.ip, KEMU_POD_CIDR: node.podCidr },
        logFile: join(ctx.logsDir, `${service}-${node.name}.log`),
      });
    }
  });
  return specs;
}
