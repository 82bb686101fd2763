/**
 * kemu's controller process (kube-controller-manager + scheduler). Wiring only: config →
 * runtime (logger, event log, an informer over everything) → /metrics (with the work
 * queues' metrics) → the controllers, started once the informer has synced; the runtime
 * stops them on SIGTERM/SIGINT.
 */
import { formatCidr } from '@kemu/api';
import { startMetricsServer, workQueueMetricsProvider } from '@kemu/metrics';
import { readConfig, runComponent } from '@kemu/runtime';
import { configFromEnv } from './config.js';
import { createControllerManager } from './controller-manager.js';
import { scaledClock } from './scaled-clock.js';
import { setWorkQueueMetricsProvider } from './work-queue.js';

const config = readConfig('controller', () => configFromEnv(process.env));

await runComponent(
  {
    component: 'controller',
    logLevel: config.logLevel,
    natsUrl: config.natsUrl,
    natsNkeyFile: config.natsNkeyFile,
    natsTlsCa: config.natsTlsCa,
    connectionName: 'controller',
    streamReplicas: config.streamReplicas,
  },
  async ({ log, eventLog, informer, metrics }) => {
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
    setWorkQueueMetricsProvider(workQueueMetricsProvider(metrics));
    const listen = config.metricsListen;
    // Metrics are for observers: an address that cannot be bound must not stop the controllers.
    const metricsServer = listen
      ? await startMetricsServer({ ...listen, registry: metrics }).then(
          (server) => {
            log.info({ listen }, 'metrics listening');
            return server;
          },
          (err: unknown) => {
            log.error({ err, listen }, 'metrics not served');
            return undefined;
          },
        )
      : undefined;
    const manager = createControllerManager({
      eventLog,
      informer,
      log,
      nodeGraceMs: config.nodeGraceMs,
      podEvictionMs: config.podEvictionMs,
      terminatedPodGcThreshold: config.terminatedPodGcThreshold,
      snapshots: config.snapshots,
      podCidrRange: config.podCidrRange,
      cronJobClock: { now: scaledClock(config.cronJobTimeScale), scale: config.cronJobTimeScale },
    });
    await manager.run();
    return async () => {
      await manager.stop();
      await metricsServer?.close();
    };
  },
);
