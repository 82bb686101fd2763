/**
 * kemu's controller process (kube-controller-manager + scheduler). Wiring only: config →
 * runtime (logger, event log, an informer over everything) → the controllers, started
 * once the informer has synced; the runtime stops them on SIGTERM/SIGINT.
 */
import { formatCidr } from '@kemu/api';
import { readConfig, runComponent } from '@kemu/runtime';
import { configFromEnv } from './config.js';
import { createControllerManager } from './controller-manager.js';

const config = readConfig('controller', () => configFromEnv(process.env));

await runComponent(
  {
    component: 'controller',
    logLevel: config.logLevel,
    natsUrl: config.natsUrl,
    connectionName: 'controller',
    streamReplicas: config.streamReplicas,
  },
  async ({ log, eventLog, informer }) => {
    const { clusterCidr, nodeMaskSize } = config.podCidrRange;
    log.info(
      {
        natsUrl: config.natsUrl.join(','),
        nodeGraceSeconds: config.nodeGraceMs / 1000,
        podEvictionSeconds: config.podEvictionMs / 1000,
        terminatedPodGcThreshold: config.terminatedPodGcThreshold,
        clusterCidr: formatCidr(clusterCidr),
        nodeCidrMaskSize: nodeMaskSize,
      },
      'controller starting',
    );
    const manager = createControllerManager({
      eventLog,
      informer,
      log,
      nodeGraceMs: config.nodeGraceMs,
      podEvictionMs: config.podEvictionMs,
      terminatedPodGcThreshold: config.terminatedPodGcThreshold,
      snapshots: config.snapshots,
      podCidrRange: config.podCidrRange,
    });
    await manager.run();
    return () => manager.stop();
  },
);
