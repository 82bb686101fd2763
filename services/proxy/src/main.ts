/**
 * kube-proxy for one node: runs inside the node's netns, follows Services and
 * EndpointSlices from the event log and proxies ClusterIP traffic to endpoints.
 * Wiring only: env → logger → event log → informer → trackers → sync runner → data plane.
 */
import { connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { createRoundRobinBalancer } from './balancer.js';
import { computeDesiredState } from './desired-state.js';
import { DEBUG_PORT, type DebugServer, startDebugServer } from './debug-server.js';
import { createEndpointsTracker } from './endpoints-tracker.js';
import { keepKubeProxyPod } from './kube-proxy-pod.js';
import { createLoopbackAddresses } from './loopback-addresses.js';
import { createProxyMetrics } from './metrics.js';
import { createProxier } from './proxier.js';
import { createServiceTracker } from './service-tracker.js';
import { createSyncRunner } from './sync-runner.js';
import { loadTrackers, registerTrackerHandlers } from './tracker-handlers.js';

const env = process.env;
const node = env.KEMU_NODE ?? 'node-1';
const natsUrl = env.KEMU_NATS_URL ?? 'nats://127.0.0.1:4222';
const nodeIP = env.KEMU_NODE_IP;
const serviceCIDR = env.KEMU_SERVICE_CIDR ?? '10.96.0.0/12';
const udpIdleTimeoutMs = Number(env.KEMU_PROXY_UDP_IDLE_TIMEOUT_MS ?? 30_000);
const metricsLogMs = Number(env.KEMU_PROXY_METRICS_LOG_MS ?? 60_000);
const debugPort = Number(env.KEMU_PROXY_DEBUG_PORT ?? DEBUG_PORT);

const log = createLogger({
  component: 'kube-proxy',
  node,
  ...(env.KEMU_LOG_LEVEL ? { level: env.KEMU_LOG_LEVEL } : {}),
});
log.info({ nats: natsUrl, serviceCIDR, nodeIP }, 'starting kube-proxy (userspace mode)');

async function main(): Promise<void> {
  const eventLog = await connectEventLog({ servers: natsUrl.split(','), name: `kube-proxy/${node}`, log });
  const informer = await startInformer(eventLog, { resources: ['services', 'endpointslices', 'pods'], log });

  const services = createServiceTracker();
  const endpoints = createEndpointsTracker();
  const metrics = createProxyMetrics();
  const proxier = createProxier({
    addresses: createLoopbackAddresses({ serviceCIDR }),
    balancer: createRoundRobinBalancer(),
    metrics,
    log,
    udpIdleTimeoutMs,
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
  }, metricsLogMs);
  metricsTimer.unref();

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    clearInterval(metricsTimer);
    stopPod();
    await debug?.close();
    removeHandlers();
    await runner.stop();
    await proxier.stop();
    await informer.stop().catch(() => undefined);
    await eventLog.close().catch(() => undefined);
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'kube-proxy failed');
  process.exit(1);
});
