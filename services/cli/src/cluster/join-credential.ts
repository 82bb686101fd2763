/**
 * Join credentials (`kemu node token`): one nkey per joined node, with the `node` role of
 * @kemu/eventlog's componentPermissions (that node's Node, Lease, pods' status, Events,
 * mirror pods and stream sessions; reading the rest). Issuing one rewrites the cluster's
 * nats-server configuration with every credential it knew plus this one, and reloads the
 * running server (SIGHUP), waiting until the new credential is accepted.
 */
import { checkNatsCredential } from '@kemu/eventlog';
import { clusterLayout } from '@kemu/netns';
import type { ClusterContext } from '../cluster-context.js';
import { CliError, ClusterNotUpError } from '../errors.js';
import { readPidFile } from '../state-store.js';
import { readClusterState } from './cluster-state.js';
import { readFile } from 'node:fs/promises';
import { pkiPaths } from './cluster-pki.js';
import { hollowNodes, natsServerSettings, natsUrl } from './components.js';
import {
  clusterRoles,
  credentialName,
  joinedNodeRole,
  joinedNodes,
  seedFile,
  writeJoinBundle,
  writeNatsAuth,
} from './nats-auth.js';

/** How long the reloaded server may take to accept a new credential. */
const RELOAD_TIMEOUT_MS = 10_000;

/** Makes (or keeps) node `node`'s join credential, reloads the cluster's nats-server, and returns the seed file. */
export async function issueJoinCredential(ctx: ClusterContext, node: string): Promise<string> {
  const state = await readClusterState(ctx);
  if (!state.up || !state.config) throw new ClusterNotUpError(ctx.cluster);
  const config = state.config;
  if (config.natsUrl)
    throw new CliError(
      'ForeignNats',
      `cluster ${ctx.cluster} uses the NATS at ${config.natsUrl}: its credentials are made by whoever runs it`,
    );
  const stateDir = ctx.paths.stateDir;
  const local = clusterLayout(config.cluster, config.nodes, config.subnetIndex).nodes.map((n) => n.name);
  if (local.includes(node)) throw new CliError('NodeExists', `${node} is a node of cluster ${ctx.cluster} itself`);
  const joined = new Set([...(await joinedNodes(stateDir)), node]);
  await writeNatsAuth(
    stateDir,
    clusterRoles(
      local,
      hollowNodes(config).map((h) => h.name),
    ),
    {
      reuse: true,
      extraRoles: [...joined].map(joinedNodeRole),
      settings: natsServerSettings(config, ctx.paths.natsStoreDir, stateDir),
    },
  );
  const pid = await readPidFile(ctx.paths.natsPidFile);
  if (!pid) throw new CliError('ComponentFailed', `no nats-server pid for cluster ${ctx.cluster}`);
  process.kill(pid, 'SIGHUP');
  const ca = pkiPaths(stateDir).caCert;
  await waitAccepted(natsUrl(config), seedFile(stateDir, credentialName(joinedNodeRole(node))), ca);
  return writeJoinBundle(stateDir, node, await readFile(ca, 'utf8'));
}

/** Waits (up to `timeoutMs`) until the NATS at `url` accepts the credential `nkeyFile` over TLS (after a reload). */
export async function waitAccepted(
  url: string,
  nkeyFile: string,
  tlsCaFile: string,
  timeoutMs = RELOAD_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // Only whether a server takes it: never the event stream (credential-check.ts).
      await checkNatsCredential({ servers: url, name: 'kemu-node-token', nkeyFile, tlsCaFile });
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new CliError(
          'ComponentFailed',
          `nats-server did not take the new credential: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
