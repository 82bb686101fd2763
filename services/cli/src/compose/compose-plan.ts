/**
 * What `kemu compose` hands to docker compose for a cluster, as pure data: the project
 * name, the compose network's /24 (10.253.K, K the cluster's subnet index, so compose
 * clusters of different names do not overlap), the variables infra/compose.yaml reads,
 * and the node names the node containers take from their addresses (docker/node.sh).
 */
import { join } from 'node:path';

/** The image every compose container runs. */
export const KEMU_IMAGE = 'kemu/kemu:dev';

/** The normal base of infra/docker/Dockerfile (the Node image real users pull). */
export const NORMAL_BASE_IMAGE = 'node:20-bookworm-slim';

/** The base infra/docker/offline-base.sh builds from this machine's files. */
// Its tag changes when the script adds tools (2: runc, perl), so an older base is not reused.
export const OFFLINE_BASE_IMAGE = 'kemu/base:offline2';

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
  createdAt: string;
}

/** The compose plan of a cluster. */
export function composePlan(o: {
  cluster: string;
  subnetIndex: number;
  repoRoot: string;
  apiserverPort: number;
  nodes: number;
  baseImage: string;
}): ComposeState {
  return {
    cluster: o.cluster,
    project: `kemu-${o.cluster}`,
    composeFile: join(o.repoRoot, 'infra', 'compose.yaml'),
    subnet: `10.253.${o.subnetIndex}`,
    apiserverPort: o.apiserverPort,
    nodes: o.nodes,
    baseImage: o.baseImage,
    createdAt: new Date().toISOString(),
  };
}

/** The environment docker compose runs with: the caller's, plus what infra/compose.yaml interpolates. */
export function composeEnv(state: ComposeState, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    KEMU_CLUSTER: state.cluster,
    KEMU_SUBNET: state.subnet,
    KEMU_APISERVER_PORT: String(state.apiserverPort),
    KEMU_IMAGE: KEMU_IMAGE,
    KEMU_BASE_IMAGE: state.baseImage,
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
