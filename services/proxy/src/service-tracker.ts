/**
 * Records Services as the proxy needs them: one entry per ServicePortName
 * (`namespace/name:portName`, or `namespace/name` for an unnamed port) with its
 * ClusterIP, port, protocol, target port and session affinity. Headless and
 * ExternalName services have no ClusterIP and are not proxied; SCTP is not proxied.
 * A Service labelled `service.kubernetes.io/service-proxy-name` (another proxy serves it)
 * or `service.kubernetes.io/headless` is skipped, as kube-proxy's informers select
 * Services without either label; removing the label proxies it again.
 */
import { HEADLESS_LABEL, type KubeObject, SERVICE_PROXY_NAME_LABEL, type Service, deepEqual } from '@kemu/api';
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS } from './balancer.js';

/** One proxied port of a Service. */
export interface ServicePortInfo {
  /** ServicePortName: `namespace/name:portName`. */
  servicePort: string;
  namespace: string;
  name: string;
  clusterIP: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  targetPort: number | string | undefined;
  sessionAffinity: 'None' | 'ClientIP';
  /** Sticky timeout in seconds (used when sessionAffinity is ClientIP). */
  timeoutSeconds: number;
  internalTrafficPolicy: 'Cluster' | 'Local';
}

/**
 * Keeps the proxied ports of every Service, fed by informer handlers. Each handler says
 * whether the proxied ports changed, so a change the proxy does not read (a status, a
 * label) asks for no sync.
 */
export interface ServiceTracker {
  onServiceAdd(service: Service): boolean;
  onServiceUpdate(service: Service): boolean;
  onServiceDelete(service: Service): boolean;
  /** Replaces everything with a full listing (after the informer has synced). */
  replaceAll(services: readonly Service[]): void;
  /** Every proxied service port now. */
  servicePorts(): ServicePortInfo[];
}

/** The ServicePortName string for a port of a service, as kube-proxy formats it. */
export function servicePortName(namespace: string, name: string, portName: string | undefined): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** Whether kube-proxy leaves a Service to someone else: it carries the proxy-name or headless label. */
function skippedByLabel(service: Service): boolean {
  const labels = service.metadata.labels ?? {};
  return SERVICE_PROXY_NAME_LABEL in labels || HEADLESS_LABEL in labels;
}

/** The proxied ports of one Service (empty when it is headless, ExternalName, unallocated or labelled away). */
export function servicePortsOf(service: Service): ServicePortInfo[] {
  const spec = service.spec;
  const clusterIP = spec?.clusterIP;
  if (!spec || spec.type === 'ExternalName' || !clusterIP || clusterIP === 'None') return [];
  if (skippedByLabel(service)) return [];
  const namespace = service.metadata.namespace ?? 'default';
  const name = service.metadata.name;
  const sessionAffinity = spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None';
  const timeoutSeconds = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds || DEFAULT_AFFINITY_TIMEOUT_SECONDS;
  const internalTrafficPolicy = spec.internalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
  const out: ServicePortInfo[] = [];
  for (const p of spec.ports ?? []) {
    const protocol = p.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') continue;
    out.push({
      servicePort: servicePortName(namespace, name, p.name),
      namespace,
      name,
      clusterIP,
      port: p.port,
      protocol,
      targetPort: p.targetPort ?? p.port,
      sessionAffinity,
      timeoutSeconds,
      internalTrafficPolicy,
    });
  }
  return out;
}

/** Creates an empty tracker. */
export function createServiceTracker(): ServiceTracker {
  const byService = new Map<string, ServicePortInfo[]>();
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

  function set(service: Service): boolean {
    const k = keyOf(service);
    const ports = servicePortsOf(service);
    const old = byService.get(k);
    byService.set(k, ports);
    return !deepEqual(old ?? [], ports);
  }

  return {
    onServiceAdd: set,
    onServiceUpdate: set,
    onServiceDelete(service) {
      const k = keyOf(service);
      const had = (byService.get(k)?.length ?? 0) > 0;
      byService.delete(k);
      return had;
    },
    replaceAll(services) {
      byService.clear();
      for (const s of services) set(s);
    },
    servicePorts() {
      const out: ServicePortInfo[] = [];
      for (const ports of byService.values()) out.push(...ports);
      return out;
    },
  };
}
