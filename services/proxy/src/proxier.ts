/**
 * Applies a desired state to the node: the balancer's endpoint lists, the ClusterIPs on
 * `lo` and one listener per service port (open only while the port has endpoints).
 * It remembers what it applied, so each sync changes only the difference. Addresses go
 * on before listeners open and come off after they close. A listener that fails to open
 * fails the sync (the runner retries it); the rest of the sync still happens.
 */
import type { Logger } from '@kemu/log';
import type { ClientIP, RoundRobinBalancer } from './balancer.js';
import type { DesiredServicePort } from './desired-state.js';
import type { LoopbackAddresses } from './loopback-addresses.js';
import type { ProxyMetrics } from './metrics.js';
import type { ServicePortInfo } from './service-tracker.js';
import { createTcpProxy } from './tcp-proxy.js';
import { createUdpProxy } from './udp-proxy.js';
import type { FlowTap } from './flow-tap.js';

/** What a proxier applies to. */
export interface ProxierOptions {
  addresses: LoopbackAddresses;
  balancer: RoundRobinBalancer;
  metrics: ProxyMetrics;
  log: Logger;
  udpIdleTimeoutMs?: number;
  dialTimeoutsMs?: readonly number[];
  /** Flow recording: the node named in records, which connections to follow and where records go; off when absent. */
  flows?: Omit<FlowTap, 'pickContext'>;
}

/** One applied service port, as reported by `servicePorts()`. */
export interface AppliedServicePort {
  servicePort: string;
  listen: string;
  listening: boolean;
  endpoints: readonly string[];
  sliceVersions: readonly string[];
  /** The log sequence the endpoints were programmed at. */
  programmedAtSeq: number;
}

/** The applier of desired states. */
export interface Proxier {
  /** Brings balancer, addresses and listeners to `desired` (computed from the log at `atSeq`); throws after applying what it could. */
  syncProxyRules(desired: ReadonlyMap<string, DesiredServicePort>, atSeq?: number): Promise<void>;
  servicePorts(): AppliedServicePort[];
  /** Closes every listener and connection; leaves the addresses (a restarted proxy reconciles them). */
  stop(): Promise<void>;
}

interface Listener {
  setListening(on: boolean): Promise<void>;
  isListening(): boolean;
  close(): Promise<void>;
}

interface Applied {
  listenKey: string;
  info: ServicePortInfo;
  endpoints: string[];
  listener: Listener;
  /** The EndpointSlice resourceVersions and log sequence `endpoints` were programmed from. */
  sliceVersions: readonly string[];
  programmedAtSeq: number;
}

const listenKeyOf = (i: ServicePortInfo) => `${i.clusterIP}:${i.port}/${i.protocol}`;

/** Creates a proxier that has applied nothing yet. */
export function createProxier(options: ProxierOptions): Proxier {
  const { addresses, balancer, metrics, log } = options;
  const applied = new Map<string, Applied>();
  let onLo: Set<string> | undefined;

  function flowTapFor(spn: string, flows: NonNullable<ProxierOptions['flows']>): FlowTap {
    return {
      node: flows.node,
      follow: flows.follow,
      record: flows.record,
      pickContext: () => {
        const a = applied.get(spn);
        return {
          sticky: lastPickSticky,
          candidates: balancer.endpoints(spn),
          sliceVersions: a?.sliceVersions ?? [],
          programmedAtSeq: a?.programmedAtSeq ?? 0,
        };
      },
    };
  }

  // Picks are synchronous: the listener reads this right after its pick.
  let lastPickSticky = false;

  function createListener(info: ServicePortInfo): Listener {
    const spn = info.servicePort;
    const common = {
      servicePort: spn,
      ip: info.clusterIP,
      port: info.port,
      log,
      metrics,
      nextEndpoint: options.flows
        ? (clientIP: ClientIP, reset: boolean) => {
            const p = balancer.pick(spn, clientIP, reset);
            lastPickSticky = p.sticky;
            return p.endpoint;
          }
        : (clientIP: ClientIP, reset: boolean) => balancer.nextEndpoint(spn, clientIP, reset),
      ...(options.flows ? { flows: flowTapFor(spn, options.flows) } : {}),
    };
    if (info.protocol === 'UDP') {
      return createUdpProxy({
        ...common,
        ...(options.udpIdleTimeoutMs ? { idleTimeoutMs: options.udpIdleTimeoutMs } : {}),
      });
    }
    return createTcpProxy({ ...common, ...(options.dialTimeoutsMs ? { dialTimeoutsMs: options.dialTimeoutsMs } : {}) });
  }

  async function syncProxyRules(desired: ReadonlyMap<string, DesiredServicePort>, atSeq = 0): Promise<void> {
    onLo ??= new Set(await addresses.list());
    for (const [spn, a] of applied) {
      const d = desired.get(spn);
      if (d && listenKeyOf(d.info) === a.listenKey) continue;
      log.info({ servicePort: spn, listen: a.listenKey }, 'removing service port');
      applied.delete(spn);
      await a.listener.setListening(false).catch(() => undefined);
      if (!d) balancer.deleteService(spn);
    }

    for (const [spn, d] of desired) {
      balancer.setService(spn, { type: d.info.sessionAffinity, timeoutSeconds: d.info.timeoutSeconds });
      let a = applied.get(spn);
      if (!a) {
        log.info(
          { servicePort: spn, listen: listenKeyOf(d.info), sessionAffinity: d.info.sessionAffinity },
          'adding new service port',
        );
        a = {
          listenKey: listenKeyOf(d.info),
          info: d.info,
          endpoints: [],
          listener: createListener(d.info),
          sliceVersions: [],
          programmedAtSeq: 0,
        };
        applied.set(spn, a);
      }
      a.info = d.info;
      if (!sameList(a.endpoints, d.endpoints) || a.programmedAtSeq === 0) {
        if (!sameList(a.endpoints, d.endpoints)) {
          log.info({ servicePort: spn, endpoints: d.endpoints, atSeq }, 'setting endpoints for service port');
        }
        a.endpoints = d.endpoints;
        a.programmedAtSeq = atSeq;
      }
      a.sliceVersions = d.sliceVersions ?? [];
      balancer.onEndpointsUpdate(spn, d.endpoints);
    }

    const wanted = new Set<string>();
    for (const d of desired.values()) if (addresses.manages(d.info.clusterIP)) wanted.add(d.info.clusterIP);
    const toAdd = [...wanted].filter((ip) => !onLo?.has(ip));
    if (toAdd.length > 0) {
      await addresses.add(toAdd);
      for (const ip of toAdd) onLo.add(ip);
      log.info({ ips: toAdd }, 'added cluster IPs to lo');
    }

    const failures: unknown[] = [];
    await Promise.all(
      [...applied.values()].map((a) =>
        a.listener.setListening(a.endpoints.length > 0).catch((err: unknown) => {
          failures.push(err);
          log.error({ err, servicePort: a.info.servicePort, listen: a.listenKey }, 'cannot open listener');
        }),
      ),
    );

    const toRemove = [...onLo].filter((ip) => !wanted.has(ip));
    if (toRemove.length > 0) {
      await addresses.remove(toRemove);
      for (const ip of toRemove) onLo.delete(ip);
      log.info({ ips: toRemove }, 'removed cluster IPs from lo');
    }
    balancer.cleanupStaleStickySessions();
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} listener(s) failed to open`);
  }

  return {
    syncProxyRules,
    servicePorts() {
      return [...applied.entries()].map(([servicePort, a]) => ({
        servicePort,
        listen: a.listenKey,
        listening: a.listener.isListening(),
        endpoints: a.endpoints,
        sliceVersions: a.sliceVersions,
        programmedAtSeq: a.programmedAtSeq,
      }));
    },
    async stop() {
      await Promise.all([...applied.values()].map((a) => a.listener.close()));
      applied.clear();
    },
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
