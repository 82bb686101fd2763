/**
 * Cluster DNS for one node (CoreDNS's place): runs inside the node's netns, follows
 * Services, EndpointSlices, Pods and Namespaces from the event log and answers for
 * `cluster.local` on the node IP, port 53, over UDP and TCP; SERVFAIL until synced, then
 * it makes sure the kube-dns Service exists and publishes its `coredns-<node>` pod.
 * Wiring only: env → logger → event log → informer → zone → listeners → pod.
 */
import { cidrAddress, parseServiceCidr } from '@kemu/api';
import { connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { keepCorednsPod, markCorednsPodNotReady } from './coredns-pod.js';
import { ensureKubeDnsService } from './kube-dns-service.js';
import { createDnsMetrics, startMetricsServer } from './metrics.js';
import { createQueryHandler } from './query-handler.js';
import { createQueryLog } from './query-log.js';
import { startTcpServer } from './tcp-server.js';
import { type QueryEvent, startUdpServer } from './udp-server.js';
import { createUpstreamForwarder } from './upstream-forwarder.js';
import { createZoneSource } from './zone-source.js';

const env = process.env;
const node = env.KEMU_NODE ?? 'node-1';
const natsUrl = env.KEMU_NATS_URL ?? 'nats://127.0.0.1:4222';
const nodeIP = env.KEMU_NODE_IP;
const serviceCIDR = env.KEMU_SERVICE_CIDR ?? '10.96.0.0/12';
const domain = env.KEMU_CLUSTER_DOMAIN || 'cluster.local';
const listen = env.KEMU_DNS_LISTEN || `${nodeIP ?? '127.0.0.1'}:53`;
const ttl = Number(env.KEMU_DNS_TTL ?? 5);
const upstreamAddr = env.KEMU_DNS_UPSTREAM || undefined;
const queryLog = env.KEMU_DNS_QUERY_LOG !== 'false';
const metricsPort = Number(env.KEMU_DNS_METRICS_PORT ?? 9153);
// kubeadm's GetDNSIP: the tenth address of the Service range.
const clusterDNS = env.KEMU_CLUSTER_DNS || cidrAddress(parseServiceCidr(serviceCIDR), 10);
const publish = env.KEMU_DNS_PUBLISH !== 'false';

const log = createLogger({ component: 'dns', node, ...(env.KEMU_LOG_LEVEL ? { level: env.KEMU_LOG_LEVEL } : {}) });

function hostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

async function main(): Promise<void> {
  const { host, port } = hostPort(listen);
  log.info({ nats: natsUrl, listen, domain, ttl, upstream: upstreamAddr ?? null, clusterDNS }, 'starting dns');
  const eventLog = await connectEventLog({ servers: natsUrl.split(','), name: `dns/${node}`, log });
  const informer = await startInformer(eventLog, {
    resources: ['services', 'endpointslices', 'pods', 'namespaces', 'ipaddresses'],
    log,
  });
  const zone = createZoneSource(informer, { domain });
  const upstream = upstreamAddr ? createUpstreamForwarder(hostPort(upstreamAddr)) : undefined;
  const handler = createQueryHandler({
    zone: zone.current,
    zoneOptions: { ttl, pods: 'insecure' },
    upstream: upstream !== undefined,
  });
  const metrics = createDnsMetrics();
  const queries = queryLog ? createQueryLog({ node }) : undefined;
  const onQuery = (e: QueryEvent) => {
    metrics.record(e);
    queries?.write(e);
  };
  const listenerOptions = { host, port, handler, log, onQuery, ...(upstream ? { upstream } : {}) };
  const udp = await startUdpServer(listenerOptions);
  const tcp = await startTcpServer(listenerOptions);
  const metricsServer = await startMetricsServer(host, metricsPort, metrics).catch((err: unknown) => {
    log.warn({ err, port: metricsPort }, 'metrics port unavailable');
    return undefined;
  });
  log.info({ listen, metricsPort }, 'dns listening (SERVFAIL until synced)');

  await informer.synced;
  zone.current();
  log.info({ seq: informer.view.seq }, 'dns synced');

  const writer = createObjectWriter(eventLog, informer, { component: 'dns', node });
  const podOptions = nodeIP
    ? { node, nodeIP, containerID: `kemu://coredns-${node}-${process.pid}`, startedAt: new Date().toISOString() }
    : undefined;
  let stopPod: () => void = () => undefined;
  if (publish) {
    ensureKubeDnsService(writer, informer, clusterDNS)
      .then((result) =>
        log.info({ service: 'kube-system/kube-dns', clusterIP: clusterDNS, result }, 'kube-dns service'),
      )
      .catch((err: unknown) => log.error({ err }, 'cannot create the kube-dns service'));
    if (podOptions) stopPod = keepCorednsPod(writer, informer, podOptions, log);
    else log.warn('KEMU_NODE_IP is not set: not publishing the dns pod');
  }

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stopPod();
    if (publish && podOptions) {
      await Promise.race([
        markCorednsPodNotReady(writer, podOptions).catch(() => undefined),
        new Promise((r) => setTimeout(r, 2_000)),
      ]);
    }
    await udp.close();
    await tcp.close();
    queries?.close();
    metricsServer?.close();
    upstream?.close();
    zone.stop();
    await informer.stop().catch(() => undefined);
    await eventLog.close().catch(() => undefined);
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'dns failed');
  process.exit(1);
});
