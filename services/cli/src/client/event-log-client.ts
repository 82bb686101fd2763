/** The event log of a running cluster as the CLI reaches it: NATS on the host's underlay address. */
import { type EventLog, connectEventLog } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import type { ClusterContext } from '../cluster-context.js';
import { readClusterState } from '../cluster/cluster-state.js';
import { type ClusterConfig, natsUrl } from '../cluster/components.js';
import { ClusterNotUpError } from '../errors.js';

/** Connects to the log of the cluster; ClusterNotUpError when it is not up. */
export async function connectClusterLog(
  ctx: ClusterContext,
  purpose: string,
): Promise<{ eventLog: EventLog; config: ClusterConfig }> {
  const state = await readClusterState(ctx);
  if (!state.up || !state.config) throw new ClusterNotUpError(ctx.cluster);
  const log = createLogger({ component: `kemu-${purpose}`, level: ctx.logLevel ?? 'silent' });
  const eventLog = await connectEventLog({
    servers: natsUrl(state.config),
    name: `kemu-${purpose}-${ctx.cluster}-${process.pid}`,
    log,
  });
  return { eventLog, config: state.config };
}
