/**
 * What the page shows of each object, small and flat: the dashboard sends these, not whole
 * objects, so a first paint of a thousand pods stays small. Pure; the page keeps them by
 * `key` (`resource/namespace/name`) and replaces or removes one per change.
 */
import type { EndpointSlice, KubeObject, Node, Pod, Service } from '@kemu/api';

/** A node: its name, Ready condition and internal IP. */
export interface NodeSummary {
  kind: 'node';
  key: string;
  name: string;
  ready: boolean;
  ip: string;
  podCIDR: string;
}

/** A pod: where it runs, its phase, its Ready condition and why. */
export interface PodSummary {
  kind: 'pod';
  key: string;
  namespace: string;
  name: string;
  node: string;
  phase: string;
  ready: boolean;
  /** The Ready condition's reason or message, or the not-ready containers. */
  readyReason: string;
  ip: string;
  labels: Record<string, string>;
  deleting: boolean;
  /** kube-proxy and dns pods, the cluster's own. */
  role: 'proxy' | 'dns' | 'workload';
}

/** A Service with its ClusterIP, ports, selector and affinity. */
export interface ServiceSummary {
  kind: 'service';
  key: string;
  namespace: string;
  name: string;
  clusterIP: string;
  ports: { name: string; port: number; targetPort: string; protocol: string }[];
  selector: Record<string, string>;
  sessionAffinity: string;
}

/** One endpoint of a slice with its conditions. */
export interface SliceEndpoint {
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  node: string;
  pod: string;
}

/** An EndpointSlice: the Service it serves, its version and its endpoints. */
export interface SliceSummary {
  kind: 'slice';
  key: string;
  namespace: string;
  name: string;
  service: string;
  resourceVersion: string;
  ports: { name: string; port: number }[];
  endpoints: SliceEndpoint[];
}

/** Any summary. */
export type Summary = NodeSummary | PodSummary | ServiceSummary | SliceSummary;

/** The resources the dashboard follows. */
export const DASHBOARD_RESOURCES = ['nodes', 'pods', 'services', 'endpointslices'] as const;

/** The page's key of an object of `resource`. */
export function summaryKey(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}

function podSummary(p: Pod): PodSummary {
  const ns = p.metadata.namespace ?? 'default';
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const notReady = (p.status?.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
  const app = p.metadata.labels?.['k8s-app'];
  return {
    kind: 'pod',
    key: summaryKey('pods', ns, p.metadata.name),
    namespace: ns,
    name: p.metadata.name,
    node: p.spec.nodeName ?? '',
    phase: p.status?.phase ?? 'Pending',
    ready: ready?.status === 'True',
    readyReason:
      ready?.status === 'True'
        ? 'all containers ready'
        : (ready?.reason ?? '') +
          (ready?.message ? `: ${ready.message}` : notReady.length > 0 ? `: not ready: ${notReady.join(', ')}` : ''),
    ip: p.status?.podIP ?? '',
    labels: p.metadata.labels ?? {},
    deleting: p.metadata.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null,
    role: app === 'kube-proxy' ? 'proxy' : app === 'kube-dns' ? 'dns' : 'workload',
  };
}

/** The summary of an object of one of DASHBOARD_RESOURCES; undefined for others. */
export function summarize(resource: string, o: KubeObject): Summary | undefined {
  const ns = o.metadata.namespace ?? 'default';
  switch (resource) {
    case 'nodes': {
      const n = o as Node;
      return {
        kind: 'node',
        key: summaryKey('nodes', undefined, n.metadata.name),
        name: n.metadata.name,
        ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        ip: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
        podCIDR: n.spec.podCIDR ?? '',
      };
    }
    case 'pods':
      return podSummary(o as Pod);
    case 'services': {
      const s = o as Service;
      return {
        kind: 'service',
        key: summaryKey('services', ns, s.metadata.name),
        namespace: ns,
        name: s.metadata.name,
        clusterIP: s.spec.clusterIP ?? '',
        ports: (s.spec.ports ?? []).map((p) => ({
          name: p.name ?? '',
          port: p.port,
          targetPort: String(p.targetPort ?? p.port),
          protocol: p.protocol ?? 'TCP',
        })),
        selector: s.spec.selector ?? {},
        sessionAffinity: s.spec.sessionAffinity ?? 'None',
      };
    }
    case 'endpointslices': {
      const e = o as EndpointSlice;
      return {
        kind: 'slice',
        key: summaryKey('endpointslices', ns, e.metadata.name),
        namespace: ns,
        name: e.metadata.name,
        service: e.metadata.labels?.['kubernetes.io/service-name'] ?? '',
        resourceVersion: e.metadata.resourceVersion ?? '',
        ports: (e.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? 0 })),
        endpoints: (e.endpoints ?? []).map((ep) => ({
          ip: ep.addresses?.[0] ?? '',
          ready: ep.conditions?.ready ?? true,
          serving: ep.conditions?.serving ?? true,
          terminating: ep.conditions?.terminating ?? false,
          node: ep.nodeName ?? '',
          pod: ep.targetRef?.name ?? '',
        })),
      };
    }
    default:
      return undefined;
  }
}
