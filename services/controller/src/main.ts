/**
 * kemu's controller process (kube-controller-manager + scheduler): config from the
 * environment, then the event log, an informer over everything, the controllers
 * (started once the informer has synced), and a clean stop on SIGTERM/SIGINT.
 */
import { connectEventLog, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { createControllerManager } from './controller-manager.js';
import { podCidrRange } from './pod-cidr-allocator.js';

const natsUrl = process.env.KEMU_NATS_URL ?? 'nats://127.0.0.1:4222';
const nodeGraceSeconds = Number(process.env.KEMU_NODE_GRACE_SECONDS ?? '40');
const podEvictionSeconds = Number(process.env.KEMU_POD_EVICTION_SECONDS ?? '300');
const clusterCidr = process.env.KEMU_CLUSTER_CIDR || '10.244.0.0/16';
const nodeCidrMaskSize = Number(process.env.KEMU_NODE_CIDR_MASK_SIZE || 24);

const log = createLogger({ component: 'controller', level: process.env.KEMU_LOG_LEVEL ?? 'info' });

async function main(): Promise<void> {
  if (!Number.isFinite(nodeGraceSeconds) || nodeGraceSeconds <= 0)
    throw new Error(`KEMU_NODE_GRACE_SECONDS must be a positive number, got ${process.env.KEMU_NODE_GRACE_SECONDS}`);
  if (!Number.isFinite(podEvictionSeconds) || podEvictionSeconds < 0)
    throw new Error(`KEMU_POD_EVICTION_SECONDS must be a number ≥ 0, got ${process.env.KEMU_POD_EVICTION_SECONDS}`);
  const range = podCidrRange(clusterCidr, nodeCidrMaskSize);
  log.info({ natsUrl, nodeGraceSeconds, podEvictionSeconds, clusterCidr, nodeCidrMaskSize }, 'controller starting');
  const eventLog = await connectEventLog({ servers: natsUrl.split(','), name: 'controller', log });
  const informer = await startInformer(eventLog, { log });
  const manager = createControllerManager({
    eventLog,
    informer,
    log,
    nodeGraceMs: nodeGraceSeconds * 1000,
    podEvictionMs: podEvictionSeconds * 1000,
    podCidrRange: range,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await manager.stop();
    await informer.stop();
    await eventLog.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await manager.run();
}

main().catch((err) => {
  log.fatal({ err }, 'controller failed');
  process.exit(1);
});
