/**
 * The credentials of a compose cluster, made on the host by `kemu compose up` with the
 * code `kemu up` uses (cluster-pki.ts, nats-auth.ts): the cluster CA, the apiserver's
 * certificate for the control-plane container's address, one NATS certificate the three
 * servers share (SANs nats-1..3 and their addresses; it also authenticates their route
 * connections to each other, both ways), the admin token, and nkeys with their roles'
 * permissions: `admin` for the CLI (kept in the state dir), `apiserver` and `controller`
 * for the control-plane container, and per node container one `node` credential
 * (joinedNodeRole: node-agent, proxy and dns of that node, nothing beyond it).
 *
 * Each container sees only its own folder of `<state>/compose-secrets`, bind-mounted
 * read-only: `nats/` (server configuration with public keys only, the NATS certificate
 * and key, the CA) and `control-plane/` (its two seeds, the apiserver's certificate and
 * key, token file, ServiceAccount signing key, CA). A node container's name comes from its
 * address, known only once it runs, so its credential (join bundle: seed and CA) is copied
 * into it then (compose-node-credentials.ts), after the servers have reloaded it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KUBERNETES_SERVICE_IP } from '../cluster/components.js';
import { createClusterPki, pkiPaths } from '../cluster/cluster-pki.js';
import { joinedNodeRole, joinedNodes, seedFile, writeNatsAuth } from '../cluster/nats-auth.js';
import type { ComponentRole } from '@kemu/eventlog';
import { type ComposeState, NATS_SERVICES, controlPlaneAddress, natsAddress } from './compose-plan.js';

/** Where the containers find their folder (infra/compose.yaml's mounts). */
const CONTAINER_SECRETS_DIR = '/etc/kemu';

/** Where `kemu compose up` copies a node container's join bundle (infra/docker/node.sh waits for it). */
export const NODE_CREDENTIAL_PATH = '/etc/kemu-node.creds';

/** The per-container folders of a compose cluster's secrets. */
function composeSecretsDirs(secretsDir: string): { nats: string; controlPlane: string } {
  return { nats: join(secretsDir, 'nats'), controlPlane: join(secretsDir, 'control-plane') };
}

/** The roles whose credentials exist before any node container runs. */
function baseRoles(): ComponentRole[] {
  return [{ kind: 'admin' }, { kind: 'apiserver' }, { kind: 'controller' }];
}

/**
 * The NATS servers' own settings (paths inside their container; the server's name from
 * KEMU_NATS_NAME): clients must speak TLS (no plain-text fallback); routes speak TLS and
 * present the shared certificate, verified against the CA, so nothing joins the
 * JetStream cluster without the cluster's key; monitoring (:8222) stays plain HTTP.
 */
export function composeNatsSettings(): string {
  const dir = `${CONTAINER_SECRETS_DIR}/nats`;
  const tls = (verify: boolean) =>
    `tls { cert_file: "${dir}/nats.crt", key_file: "${dir}/nats.key", ca_file: "${dir}/ca.crt"${verify ? ', verify: true' : ''}, timeout: 5 }`;
  const routes = NATS_SERVICES.map((s) => `"nats://${s}:6222"`).join(', ');
  return [
    'server_name: $KEMU_NATS_NAME',
    'listen: "0.0.0.0:4222"',
    'http: "0.0.0.0:8222"',
    'jetstream { store_dir: "/data" }',
    tls(false),
    `cluster { name: kemu, listen: "0.0.0.0:6222", routes: [${routes}], ${tls(true)} }`,
    '',
  ].join('\n');
}

/** Writes the server configuration naming the base roles and every node credential in the state dir plus `nodes`. */
export async function writeComposeNatsAuth(
  stateDir: string,
  secretsDir: string,
  nodes: readonly string[] = [],
): Promise<void> {
  const known = new Set([...(await joinedNodes(stateDir)), ...nodes]);
  await writeNatsAuth(stateDir, baseRoles(), {
    reuse: true,
    extraRoles: [...known].map(joinedNodeRole),
    settings: composeNatsSettings(),
    serverConfig: join(composeSecretsDirs(secretsDir).nats, 'nats-server.conf'),
  });
}

/**
 * Makes a compose cluster's PKI, admin token and base credentials, and lays out the
 * containers' folders; returns what the kubeconfig needs.
 */
export async function createComposeCredentials(
  stateDir: string,
  state: ComposeState & { secretsDir: string },
): Promise<{ caPem: string; token: string }> {
  const token = randomBytes(24).toString('hex');
  const pki = await createClusterPki({
    stateDir,
    cluster: state.cluster,
    hostIp: controlPlaneAddress(state),
    serviceIp: KUBERNETES_SERVICE_IP,
    token,
    extraSans: { ips: NATS_SERVICES.map((_, i) => natsAddress(state, i)), dns: [...NATS_SERVICES, 'nats'] },
  });
  // Credentials of an earlier cluster of this name are not carried over.
  await rm(join(stateDir, 'nats-auth'), { recursive: true, force: true });
  await rm(state.secretsDir, { recursive: true, force: true });
  const dirs = composeSecretsDirs(state.secretsDir);
  for (const dir of [state.secretsDir, dirs.nats, dirs.controlPlane]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
  await writeComposeNatsAuth(stateDir, state.secretsDir);
  const copies: [string, string, string][] = [
    [pki.caCert, dirs.nats, 'ca.crt'],
    [pki.natsCert, dirs.nats, 'nats.crt'],
    [pki.natsKey, dirs.nats, 'nats.key'],
    [pki.caCert, dirs.controlPlane, 'ca.crt'],
    [pki.apiserverCert, dirs.controlPlane, 'apiserver.crt'],
    [pki.apiserverKey, dirs.controlPlane, 'apiserver.key'],
    [pki.tokenFile, dirs.controlPlane, 'tokens.csv'],
    [pki.serviceAccountKey, dirs.controlPlane, 'sa.key'],
    [seedFile(stateDir, 'apiserver'), dirs.controlPlane, 'apiserver.nk'],
    [seedFile(stateDir, 'controller'), dirs.controlPlane, 'controller.nk'],
  ];
  for (const [from, dir, name] of copies) {
    await copyFile(from, join(dir, name));
    await chmod(join(dir, name), name.endsWith('.crt') ? 0o644 : 0o600);
  }
  return { caPem: await readFile(pki.caCert, 'utf8'), token };
}

/** Removes what createComposeCredentials made (the PKI, every credential, the containers' folders). */
export async function removeComposeCredentials(stateDir: string, secretsDir: string | undefined): Promise<void> {
  await rm(pkiPaths(stateDir).dir, { recursive: true, force: true });
  await rm(join(stateDir, 'nats-auth'), { recursive: true, force: true });
  if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
}
