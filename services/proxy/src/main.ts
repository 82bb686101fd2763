/**
 * kube-proxy for one node: runs inside the node's netns, follows Services and
 * EndpointSlices from the event log and proxies ClusterIP traffic to endpoints.
 * Wiring only: config → runtime (logger, event log, informer) → trackers → sync runner
 * → data plane → debug endpoint; the runtime stops it on SIGTERM/SIGINT.
 */
import { formatCidr } from '@kemu/api';
import { createObjectWriter } from '@kemu/eventlog';
import { readConfig, runComponent } from '@kemu/runtime';
import { createRoundRobinBalancer } from './balancer.js';
import { configFromEnv } from './config.js';
import { computeDesiredState } from './desired-state.js';
import { type DebugServer, startDebugServer } from './debug-server.js';
import { createEndpointsTracker } from './endpoints-tracker.js';
import { keepKubeProxyPod } from './kube-proxy-pod.js';
import { createLoopbackAddresses } from './loopback-addresses.js';
import { createProxyMetrics } from './metrics.js';
import { createProxier } from './proxier.js';
import { createServiceTracker } from './service-tracker.js';
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
    connectionName: `kube-proxy/${node}`,
    streamReplicas: config.streamReplicas,
    resources: ['services', 'endpointslices', 'pods'],
  },
  async ({ log, eventLog, informer }) => {
    log.info(
      { nats: config.natsUrl.join(','), serviceCIDR: formatCidr(config.serviceCidr), nodeIP },
      'starting kube-proxy (userspace mode)',
    );
    const services = createServiceTracker();
    const endpoints = createEndpointsTracker();
    const metrics = createProxyMetrics();
    const proxier = createProxier({
      addresses: createLoopbackAddresses({ serviceCIDR: formatCidr(config.serviceCidr) }),
      balancer: createRoundRobinBalancer(),
      metrics,
      log,
      udpIdleTimeoutMs: config.udpIdleTimeoutMs,
    });
    const runner = createSyncRunner({
      log,
      periodMs: 30_000,
      sync: () => proxier.syncProxyRules(computeDesiredState(services.servicePorts(), endpoints.endpointsFor, node)),
    });
    const removeHandlers = registerTrackerHandlers(informer, services, endpoints, runner.request);

    await informer.synced;
    loadTrackers(informer.view, services, endpoints);
    runner.start();
    await runner.settled();
    log.info({ servicePorts: proxier.servicePorts().length }, 'kube-proxy synced');
    // The debug endpoint is for observers: a node IP that is not (yet) local must not stop the proxy.
    const debug: DebugServer | undefined = nodeIP
      ? await startDebugServer({ host: nodeIP, port: debugPort, node, servicePorts: proxier.servicePorts, log }).catch(
          (err: unknown) => {
            log.error({ err, listen: `${nodeIP}:${debugPort}` }, 'debug endpoint not started');
            return undefined;
          },
        )
      : undefined;

    const writer = createObjectWriter(eventLog, informer, { component: 'kube-proxy', node });
    const podOptions = nodeIP
      ? { node, nodeIP, containerID: `kemu://kube-proxy-${node}-${process.pid}`, startedAt: new Date().toISOString() }
      : undefined;
    const stopPod = podOptions ? keepKubeProxyPod(writer, informer, podOptions, log) : () => undefined;
    if (!podOptions) log.warn('KEMU_NODE_IP is not set: not publishing the kube-proxy pod');

    let lastMetrics = '';
    const metricsTimer = setInterval(() => {
      const now = JSON.stringify(metrics);
      if (now !== lastMetrics) log.info({ metrics }, 'proxy metrics');
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
    };
  },
);
