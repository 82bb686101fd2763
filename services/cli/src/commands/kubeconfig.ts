/** `kemu kubeconfig`: prints the path of a running cluster's kubeconfig. */
import { existsSync } from 'node:fs';
import { readClusterState } from '../cluster/cluster-state.js';
import type { Command, CommandIO } from '../command.js';
import { readComposeState } from '../compose/compose-state.js';
import { ClusterNotUpError } from '../errors.js';

async function runKubeconfig(io: CommandIO): Promise<number> {
  const { ctx } = io;
  const state = await readClusterState(io.ctx);
  // A compose cluster has no supervisor on this machine: compose.json says it is up.
  const up = state.up || (await readComposeState(ctx)) !== undefined;
  if (!up || !existsSync(ctx.paths.kubeconfig)) throw new ClusterNotUpError(ctx.cluster);
  io.stdout.write(`${ctx.paths.kubeconfig}\n`);
  return 0;
}

/** `kemu kubeconfig`. */
export const kubeconfigCommand: Command = {
  name: 'kubeconfig',
  usage: 'kemu kubeconfig [--name C]',
  summary: 'print the path of the kubeconfig (export KUBECONFIG=$(./kemu kubeconfig))',
  flags: [],
  run: runKubeconfig,
};
