/**
 * Pods and Services for the endpoints and EndpointSlice reconciler tests: a Service
 * `default/web` selecting `app: web`, and running, ready pods it selects unless told
 * otherwise.
 */
import type { Container, ObjectMeta, Pod, Service } from '@kemu/api';

/** How a test pod differs from a running, ready `app: web` pod on node-1 at 10.244.1.2. */
export interface PodOpts {
  /** '' for a pod without an IP. */
  ip?: string;
  ready?: boolean;
  node?: string;
  labels?: Record<string, string>;
  deleting?: boolean;
  phase?: 'Running' | 'Succeeded' | 'Failed';
  ports?: Container['ports'];
  namespace?: string;
  hostname?: string;
  subdomain?: string;
}

/** A pod named `name` (uid `uid-<name>`). */
export function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx', ...(o.ports ? { ports: o.ports } : {}) }],
      nodeName: o.node ?? 'node-1',
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.244.1.2' }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

/** Service `default/web` (uid `svc-uid`, ClusterIP 10.96.0.20) selecting `app: web`, port 80 → 8080 named http. */
export function service(spec: Partial<Service['spec']> = {}, metadata: Partial<ObjectMeta> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', ...metadata },
    spec: {
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP: '10.96.0.20',
      ...spec,
    },
  };
}

/** The targetRef an endpoint of pod `name` carries. */
export const ref = (name: string, namespace = 'default') => ({ kind: 'Pod', namespace, name, uid: `uid-${name}` });
