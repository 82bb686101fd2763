/**
 * What `kemu compose` hands to docker compose for a cluster, as pure data: the project
 * name, the compose network's /24 (10.253.K, K the cluster's subnet index, so compose
 * clusters of different names do not overlap), the image (tagged per cluster, so
 * clusters built from different checkouts at once do not run each other's build), the
 * variables infra/compose.yaml reads, and the node names the node containers take from
 * their addresses (docker/node.sh).
 */
import { join } from 'node:path';
import type { ProxyMode } from '../cluster/components.js';

/** The image repository every compose container runs, tagged with the cluster's name. */
export const IMAGE_REPOSITORY = 'kemu/kemu';

/** The normal base of infra/docker/Dockerfile (the Node image real users pull). */
export const NORMAL_BASE_IMAGE = 'node:20-bookworm-slim';

/** The base infra/docker/offline-base.sh builds from this machine's files. */
// Its tag changes when the script adds tools (2: runc, perl; 3: nft, conntrack), so an older base is not reused.
export const OFFLINE_BASE_IMAGE = 'kemu/base:offline3';

/** Variables passed through from the caller's environment to the containers (tests shorten them). */
const PASSED_THROUGH = ['KEMU_NODE_GRACE_SECONDS', 'KEMU_POD_EVICTION_SECONDS', 'KEMU_NODE_HEARTBEAT_SECONDS'];

/** What `kemu compose up` records in `<state dir>/compose.json`. */
export interface ComposeState {
  cluster: string;
  project: string;
  composeFile: string;
  /** First three octets of the compose network, e.g. `10.253.17`. */
  subnet: string;
  apiserverPort: number;
  nodes: number;
  baseImage: string;
  /** The kemu image the containers run; absent in records before per-cluster tags: kemu/kemu:dev. */
  image?: string;
  /** Data plane of every node container's proxy; absent in older records: userspace. */
  proxyMode?: ProxyMode;
  /** Host folder whose per-container subfolders the containers mount (compose-credentials.ts). */
  secretsDir?: string;
  createdAt: string;
}

/** The compose plan of a cluster. */
export function composePlan(o: {
  cluster: string;
  subnetIndex: number;
  repoRoot: string;
  stateDir: string;
  apiserverPort: number;
  nodes: number;
  baseImage: string;
  proxyMode: ProxyMode;
}): ComposeState {
  return {
    cluster: o.cluster,
    project: `kemu-${o.cluster}`,
    composeFile: join(o.repoRoot, 'infra', 'compose.yaml'),
    subnet: `10.253.${o.subnetIndex}`,
    apiserverPort: o.apiserverPort,
    nodes: o.nodes,
    baseImage: o.baseImage,
    image: `${IMAGE_REPOSITORY}:${o.cluster}`,
    proxyMode: o.proxyMode,
    secretsDir: join(o.stateDir, 'compose-secrets'),
    createdAt: new Date().toISOString(),
  };
}

/** The address of the control-plane container (fixed in infra/compose.yaml). */
export function controlPlaneAddress(state: ComposeState): string {
  return `${state.subnet}.10`;
}

/** The NATS servers' compose services, in address order (.11, .12, .13 in infra/compose.yaml). */
export const NATS_SERVICES = ['nats-1', 'nats-2', 'nats-3'] as const;

/** The address of NATS server `i` (0-based) on the compose network. */
export function natsAddress(state: ComposeState, i: number): string {
  return `${state.subnet}.${11 + i}`;
}

/** The environment docker compose runs with: the caller's, plus what infra/compose.yaml interpolates. */
export function composeEnv(state: ComposeState, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    KEMU_CLUSTER: state.cluster,
    KEMU_SUBNET: state.subnet,
    KEMU_APISERVER_PORT: String(state.apiserverPort),
    KEMU_IMAGE: state.image ?? `${IMAGE_REPOSITORY}:dev`,
    KEMU_BASE_IMAGE: state.baseImage,
    KEMU_PROXY_MODE: state.proxyMode ?? 'userspace',
    ...(state.secretsDir ? { KEMU_COMPOSE_SECRETS: state.secretsDir } : {}),
  };
  for (const name of PASSED_THROUGH) if (env[name] === undefined) delete out[name];
  return out;
}

/** The node name a node container takes from its address on the compose network (`10.253.K.X` → `node-X`). */
export function nodeNameForAddress(ip: string): string {
  const octet = ip.split('.')[3];
  if (ip.split('.').length !== 4 || octet === undefined || octet === '') throw new Error(`not an IPv4 address: ${ip}`);
  return `node-${octet}`;
}

/** The apiserver URL kubectl on the host uses (the port compose publishes on 127.0.0.1). */
export function composeServer(state: ComposeState): string {
  return `https://127.0.0.1:${state.apiserverPort}`;
}
