/**
 * The NATS credentials of a cluster, made by `kemu up`: one nkey per component (apiserver,
 * controller, and per node its node-agent, proxy and dns) plus the CLI's admin key, and
 * the nats-server configuration that names each public key with the permissions of its
 * role (@kemu/eventlog's componentPermissions). Seeds live in `<state dir>/nats-auth`, a
 * 0700 folder, each file 0600; the server's file holds only public keys.
 * A joined node (`kemu node token`) gets one `node` credential that acts as that node only;
 * adding one rewrites the configuration, which the running server reloads on SIGHUP.
 */
import { cidrAddress } from '@kemu/api';
import { DEFAULT_SERVICE_CIDR } from '@kemu/config/cidr';
import {
  type ComponentRole,
  type NatsPermissions,
  componentPermissions,
  newNkeyUser,
  publicKeyOfSeed,
} from '@kemu/eventlog';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The cluster DNS ClusterIP (the dns processes' default: the 10th address of the service CIDR). */
const CLUSTER_DNS = cidrAddress(DEFAULT_SERVICE_CIDR, 10);

/** Where a cluster's NATS credentials live. */
export interface NatsAuthPaths {
  dir: string;
  /** The nats-server configuration (authorization block). */
  serverConfig: string;
}

/** The credential folder of a state directory. */
export function natsAuthPaths(stateDir: string): NatsAuthPaths {
  const dir = join(stateDir, 'nats-auth');
  return { dir, serverConfig: join(dir, 'nats-server.conf') };
}

/** The seed file of one credential, e.g. `node-agent-node-1`. */
export function seedFile(stateDir: string, user: string): string {
  return join(natsAuthPaths(stateDir).dir, `${user}.nk`);
}

/** The admin credential the CLI uses. */
export const ADMIN_USER = 'admin';

/** The credential name of a role: `admin`, `apiserver`, `node-agent-node-1`, `node-node-4`. */
export function credentialName(role: ComponentRole): string {
  return 'node' in role ? `${role.kind}-${role.node}` : role.kind;
}

/** Roles of a local cluster of these nodes (the dns role on every node: which run one is the supervisor's choice), and its hollow nodes'. */
export function clusterRoles(nodes: readonly string[], hollowNodes: readonly string[] = []): ComponentRole[] {
  return [
    { kind: 'admin' },
    { kind: 'apiserver' },
    { kind: 'controller' },
    { kind: 'dashboard' },
    ...nodes.flatMap((node): ComponentRole[] => [
      { kind: 'node-agent', node },
      { kind: 'proxy', node },
      { kind: 'dns', node, clusterDNS: CLUSTER_DNS },
    ]),
    ...(hollowNodes.length > 0 ? [{ kind: 'hollow-node-agent' as const, nodes: [...hollowNodes] }] : []),
  ];
}

/** The role of a node joined with a join credential. */
export function joinedNodeRole(node: string): ComponentRole {
  return { kind: 'node', node, clusterDNS: CLUSTER_DNS };
}

function renderPermissions(p: NatsPermissions): string {
  const list = (xs: string[]) => JSON.stringify(xs);
  const responses = p.allowResponses ? ', allow_responses: true' : '';
  return `permissions: { publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} }${responses} }`;
}

/** The `authorization` block naming each public key with its role's permissions. */
export function renderServerAuth(users: readonly { publicKey: string; role: ComponentRole }[]): string {
  const lines = users.map(({ publicKey, role }) => {
    const p = componentPermissions(role);
    const perms = p ? `, ${renderPermissions(p)}` : '';
    return `    # ${credentialName(role)}\n    { nkey: ${publicKey}${perms} }`;
  });
  return `# Written by kemu: who may use this NATS, and for what.\nauthorization {\n  users = [\n${lines.join('\n')}\n  ]\n}\n`;
}

async function seedFor(stateDir: string, role: ComponentRole, reuse: boolean): Promise<string> {
  const file = seedFile(stateDir, credentialName(role));
  if (reuse) {
    const existing = await readFile(file, 'utf8').catch(() => undefined);
    if (existing) return existing.trim();
  }
  const { seed } = newNkeyUser();
  await writeFile(file, `${seed}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return seed;
}

/**
 * Writes the credentials of these roles (new ones, or kept with `reuse`) and the server
 * configuration: `settings` (the server's own), then the authorization naming them; to
 * `serverConfig` when given (compose mounts that folder into the NATS containers, which
 * must not see the seeds beside the default file).
 */
export async function writeNatsAuth(
  stateDir: string,
  roles: readonly ComponentRole[],
  o: { reuse?: boolean; extraRoles?: readonly ComponentRole[]; settings?: string; serverConfig?: string } = {},
): Promise<NatsAuthPaths> {
  const paths = natsAuthPaths(stateDir);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await chmod(paths.dir, 0o700);
  const users: { publicKey: string; role: ComponentRole }[] = [];
  for (const role of [...roles, ...(o.extraRoles ?? [])]) {
    const seed = await seedFor(stateDir, role, o.reuse ?? false);
    users.push({ publicKey: publicKeyOfSeed(seed), role });
  }
  const serverConfig = o.serverConfig ?? paths.serverConfig;
  await writeFile(serverConfig, `${o.settings ?? ''}${renderServerAuth(users)}`, { mode: 0o600 });
  return { ...paths, serverConfig };
}

/** Names of the joined nodes that have a credential in the folder (`node-<name>.nk`). */
export async function joinedNodes(stateDir: string): Promise<string[]> {
  const files = await readdir(natsAuthPaths(stateDir).dir).catch(() => [] as string[]);
  return files
    .filter((f) => f.startsWith('node-') && !f.startsWith('node-agent-') && f.endsWith('.nk'))
    .map((f) => f.slice('node-'.length, -'.nk'.length));
}

/** Writes a new credential (seed file, 0600) that no server knows yet; returns its public key. */
export async function newNkeyUserFile(file: string): Promise<string> {
  const { seed, publicKey } = newNkeyUser();
  await writeFile(file, `${seed}\n`, { mode: 0o600 });
  return publicKey;
}

/**
 * The join credential file of a node (`join-<node>.creds`, 0600): its seed on the first
 * line, then the cluster CA (PEM) that `kemu node up --creds` verifies the NATS server with.
 */
export async function writeJoinBundle(stateDir: string, node: string, caPem: string): Promise<string> {
  const seed = (await readFile(seedFile(stateDir, credentialName(joinedNodeRole(node))), 'utf8')).trim();
  const file = join(natsAuthPaths(stateDir).dir, `join-${node}.creds`);
  await writeFile(file, `${seed}\n${caPem}`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/** The seed and, when present, the CA certificate (PEM) of a join credential file's text. */
export function parseJoinBundle(text: string): { seed: string | undefined; caPem: string | undefined } {
  const seed = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('SU'));
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  return { seed, caPem: pem ? `${pem}\n` : undefined };
}
