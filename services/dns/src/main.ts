/**
 * Cluster DNS for one node (CoreDNS's place): runs inside the node's netns, follows
 * Services, EndpointSlices, Pods and Namespaces from the event log and answers for
 * `cluster.local` on the node IP, port 53, over UDP and TCP; SERVFAIL until synced, then
 * it makes sure the kube-dns Service exists and publishes its `coredns-<node>` pod.
 * Wiring only: config → runtime (logger, event log, informer) → zone → listeners → pod.
 */
import { createObjectWriter } from '@kemu/eventlog';
import { openFlowRecorder } from '@kemu/flows';
import { readConfig, runComponent } from '@kemu/runtime';
import { configFromEnv } from './config.js';
import { corednsPodKey, keepCorednsPod, markCorednsPodNotReady } from './coredns-pod.js';
import { ensureKubeDnsService } from './kube-dns-service.js';
import { startMetricsServer } from '@kemu/metrics';
import { createDnsMetrics } from './metrics.js';
import { createQueryHandler } from './query-handler.js';
import { createQueryLog } from './query-log.js';
import { dnsFlowOf } from './query-flow.js';
import { startTcpServer } from './tcp-server.js';
import { type QueryEvent, startUdpServer } from './udp-server.js';
import { createUpstreamForwarder } from './upstream-forwarder.js';
import { createZoneSource } from './zone-source.js';

const config = readConfig('dns', () => configFromEnv(process.env));
const { node, nodeIP, listen, domain, ttl, clusterDNS, publish, metricsPort } = config;

await runComponent(
  {
    component: 'dns',
    node,
    logLevel: config.logLevel,
    natsUrl: config.natsUrl,
    natsNkeyFile: config.natsNkeyFile,
    natsTlsCa: config.natsTlsCa,
    connectionName: `dns/${node}`,
    streamReplicas: config.streamReplicas,
    // Pod records are answered from the name (pods insecure): of the pods, only its own.
    resources: ['services', 'endpointslices', 'namespaces', 'ipaddresses'],
    objects: [corednsPodKey(node)],
  },
  async ({ log, eventLog, informer, metrics: registry }) => {
    const { host, port } = listen;
    log.info(
      {
        nats: config.natsUrl.join(','),
        listen: `${host}:${port}`,
        domain,
        ttl,
        upstream: config.upstream ? `${config.upstream.host}:${config.upstream.port}` : null,
        clusterDNS,
      },
      'starting dns',
    );
    const zone = createZoneSource(informer, { domain });
    const upstream = config.upstream ? createUpstreamForwarder(config.upstream) : undefined;
    const handler = createQueryHandler({
      zone: zone.current,
      zoneOptions: { ttl, pods: 'insecure' },
      upstream: upstream !== undefined,
    });
    const metrics = createDnsMetrics(registry, handler);
    const queries = config.queryLog ? createQueryLog({ node }) : undefined;
    const flows = config.recordFlows
      ? await openFlowRecorder({ js: eventLog.js, jsm: eventLog.jsm, kind: 'dns', node, log })
      : undefined;
    const server = `coredns-${node}`;
    const onQuery = (e: QueryEvent) => {
      metrics.record(e);
      queries?.write(e);
      flows?.record(dnsFlowOf(e, server, node, Date.now()));
    };
    const listenerOptions = { host, port, handler, log, onQuery, ...(upstream ? { upstream } : {}) };
    const udp = await startUdpServer(listenerOptions);
    const tcp = await startTcpServer(listenerOptions);
    const metricsServer = await startMetricsServer({ host, port: metricsPort, registry }).catch((err: unknown) => {
      log.warn({ err, port: metricsPort }, 'metrics port unavailable');
      return undefined;
    });
    log.info({ listen: `${host}:${port}`, metricsPort }, 'dns listening (SERVFAIL until synced)');

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

    return async () => {
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
      await flows?.stop();
      await metricsServer?.close();
      upstream?.close();
      zone.stop();
    };
  },
);
