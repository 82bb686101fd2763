/** Where `kemu compose` keeps a cluster's record: `<state dir>/compose.json` next to its kubeconfig. */
import { join } from 'node:path';
import type { ClusterContext } from '../cluster-context.js';
import type { ComposeState } from './compose-plan.js';
import { readJsonFile } from '../state-store.js';

/** Path of a cluster's compose.json. */
export function composeStateFile(ctx: ClusterContext): string {
  return join(ctx.paths.stateDir, 'compose.json');
}

/** The compose record of a cluster, or undefined when it was not started by `kemu compose up`. */
export function readComposeState(ctx: ClusterContext): Promise<ComposeState | undefined> {
  return readJsonFile<ComposeState>(composeStateFile(ctx));
}
