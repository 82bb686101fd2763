/**
 * Issues node credentials on a running compose cluster: for its node containers once
 * `kemu compose up` knows their names, and for a node joined from elsewhere (`kemu node
 * token`). As issueJoinCredential does for `kemu up`: the server configuration is
 * rewritten with every credential it knew plus the new ones, each running NATS server
 * reloads it (SIGHUP through `docker kill`), and the new credentials are used only once
 * every server that answers accepts them over TLS.
 */
import { pkiPaths } from '../cluster/cluster-pki.js';
import { waitAccepted } from '../cluster/join-credential.js';
import { credentialName, joinedNodeRole, seedFile, writeJoinBundle } from '../cluster/nats-auth.js';
import { CliError } from '../errors.js';
import { readFile } from 'node:fs/promises';
import type { ClusterContext } from '../cluster-context.js';
import { detectCompose, runCommand } from './compose-docker.js';
import { writeComposeNatsAuth } from './compose-credentials.js';
import { type ComposeState, NATS_SERVICES, natsAddress } from './compose-plan.js';
import { type ComposeProject, composeProject } from './compose-project.js';

/** How long the NATS servers of a cluster that has just started may take to accept new credentials. */
const ACCEPT_TIMEOUT_MS = 60_000;

/** Sends SIGHUP to every running NATS server of the project; returns the addresses of those it reached. */
async function reloadServers(state: ComposeState, project: ComposeProject): Promise<string[]> {
  const reloaded: string[] = [];
  for (const [i, service] of NATS_SERVICES.entries()) {
    for (const id of await project.containerIds(service)) {
      // A killed server is left alone: it reads the file when it starts again.
      if ((await runCommand('docker', ['kill', '--signal', 'HUP', id])).code === 0)
        reloaded.push(natsAddress(state, i));
    }
  }
  if (reloaded.length === 0) throw new CliError('ComponentFailed', 'no NATS server of the compose cluster is running');
  return reloaded;
}

/** Writes and loads the `node` credentials of `nodes`; returns each node's join bundle file (seed and CA, 0600). */
export async function issueComposeNodeCredentials(
  stateDir: string,
  state: ComposeState,
  project: ComposeProject,
  nodes: readonly string[],
): Promise<Map<string, string>> {
  if (!state.secretsDir)
    throw new CliError(
      'ComposeTooOld',
      `compose cluster ${state.cluster} was started without credentials: recreate it`,
    );
  await writeComposeNatsAuth(stateDir, state.secretsDir, nodes);
  const ca = pkiPaths(stateDir).caCert;
  const seeds = nodes.map((node) => seedFile(stateDir, credentialName(joinedNodeRole(node))));
  // A server that has only just started may not handle SIGHUP yet (PID 1 ignores a signal
  // it has no handler for), and JetStream answers only once the servers have formed their
  // cluster: the reload is sent again until every server that answers accepts every seed.
  const deadline = Date.now() + ACCEPT_TIMEOUT_MS;
  for (;;) {
    const reloaded = await reloadServers(state, project);
    try {
      for (const seed of seeds)
        for (const address of reloaded) await waitAccepted(`nats://${address}:4222`, seed, ca, 2_000);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
  const caPem = await readFile(ca, 'utf8');
  const bundles = new Map<string, string>();
  for (const node of nodes) bundles.set(node, await writeJoinBundle(stateDir, node, caPem));
  return bundles;
}

/** `kemu node token` on a compose cluster: node `node`'s join bundle, loaded by the running NATS servers. */
export async function issueComposeJoinCredential(
  ctx: ClusterContext,
  env: NodeJS.ProcessEnv,
  state: ComposeState,
  node: string,
): Promise<string> {
  const project = composeProject(await detectCompose(), state, env);
  const bundles = await issueComposeNodeCredentials(ctx.paths.stateDir, state, project, [node]);
  return bundles.get(node) as string;
}
