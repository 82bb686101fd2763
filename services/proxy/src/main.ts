/**
 * kube-proxy for one node: runs inside the node's netns, follows Services and
 * EndpointSlices from the event log and proxies ClusterIP traffic to endpoints.
 * Wiring only: config → runtime (logger, event log, informer) → trackers → sync runner
 * → data plane (userspace or nftables) → debug endpoint with /metrics; the runtime stops it on SIGTERM/SIGINT.
 */
import { formatCidr } from '@kemu/api';
import { createObjectWriter } from '@kemu/eventlog';
import { openFlowRecorder } from '@kemu/flows';
import { readConfig, runComponent } from '@kemu/runtime';
import { configFromEnv } from './config.js';
import { startDataPlane } from './data-plane.js';
import { computeDesiredState } from './desired-state.js';
import { type DebugServer, startDebugServer } from './debug-server.js';
import { createEndpointsTracker } from './endpoints-tracker.js';
import { keepKubeProxyPod, kubeProxyPodKey } from './kube-proxy-pod.js';
import { createProxyMetrics } from './metrics.js';
import { createServiceTracker } from './service-tracker.js';
import { createSyncMetrics } from './sync-metrics.js';
import { createSyncRunner } from './sync-runner.js';
import { loadTrackers, registerTrackerHandlers } from './tracker-handlers.js';

const config = readConfig('kube-proxy', () => configFromEnv(process.env));
const { node, nodeIP, debugPort } = config;

await runComponent(
  {
    component: 'kube-proxy',
    node,
    logLevel: config.logLevel,
    natsUrl: config.natsUrl,
    natsNkeyFile: config.natsNkeyFile,
    natsTlsCa: config.natsTlsCa,
    connectionName: `kube-proxy/${node}`,
    streamReplicas: config.streamReplicas,
    // Its own pod only: every other pod event is another component's business.
    resources: ['services', 'endpointslices'],
    objects: [kubeProxyPodKey(node)],
  },
  async ({ log, eventLog, informer, metrics: registry }) => {
    log.info(
      { nats: config.natsUrl.join(','), serviceCIDR: formatCidr(config.serviceCidr), nodeIP, mode: config.proxyMode },
      `starting kube-proxy (${config.proxyMode} mode)`,
    );
    const services = createServiceTracker();
    const endpoints = createEndpointsTracker();
    const metrics = createProxyMetrics();
    const syncMetrics = createSyncMetrics(registry, metrics, informer.isSynced);
    const flowRecorder = config.recordFlows
      ? await openFlowRecorder({ js: eventLog.js, jsm: eventLog.jsm, kind: 'conn', node, log })
      : undefined;
    const dataPlane = await startDataPlane(config, log, metrics, flowRecorder && { node, record: flowRecorder.record });
    const { proxier } = dataPlane;
    const runner = createSyncRunner({
      log,
      periodMs: config.fullSyncPeriodMs,
      onPeriod: dataPlane.onPeriod,
      sync: () =>
        syncMetrics.timed(() =>
          proxier.syncProxyRules(
            computeDesiredState(services.servicePorts(), endpoints.endpointsFor, node, endpoints.sliceVersionsFor),
            informer.view.seq,
          ),
        ),
    });
    const removeHandlers = registerTrackerHandlers(informer, services, endpoints, (change) => {
      syncMetrics.changed(change);
      runner.request();
    });

    await informer.synced;
    loadTrackers(informer.view, services, endpoints);
    runner.start();
    await runner.settled();
    log.info({ servicePorts: proxier.servicePorts().length }, 'kube-proxy synced');
    // The debug endpoint is for observers: a node IP that is not (yet) local must not stop the proxy.
    const debug: DebugServer | undefined = nodeIP
      ? await startDebugServer({
          host: nodeIP,
          port: debugPort,
          node,
          servicePorts: proxier.servicePorts,
          metrics: registry,
          log,
        }).catch((err: unknown) => {
          log.error({ err, listen: `${nodeIP}:${debugPort}` }, 'debug endpoint not started');
          return undefined;
        })
      : undefined;

    const writer = createObjectWriter(eventLog, informer, { component: 'kube-proxy', node });
    const podOptions = nodeIP
      ? {
          node,
          nodeIP,
          containerID: `kemu://kube-proxy-${node}-${process.pid}`,
          startedAt: new Date().toISOString(),
          proxyMode: config.proxyMode,
        }
      : undefined;
    const stopPod = podOptions ? keepKubeProxyPod(writer, informer, podOptions, log) : () => undefined;
    if (!podOptions) log.warn('KEMU_NODE_IP is not set: not publishing the kube-proxy pod');

    let lastMetrics = '';
    const metricsTimer = setInterval(() => {
      const now = JSON.stringify(metrics);
      if (now !== lastMetrics) log.info({ metrics, flows: flowRecorder?.stats() }, 'proxy metrics');
      lastMetrics = now;
    }, config.metricsLogMs);
    metricsTimer.unref();

    return async () => {
      clearInterval(metricsTimer);
      stopPod();
      await debug?.close();
      removeHandlers();
      await runner.stop();
      await proxier.stop();
      dataPlane.stop();
      await flowRecorder?.stop();
    };
  },
);
