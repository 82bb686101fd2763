/**
 * Object builders for tests: a valid object from a name, with the few fields tests vary
 * as options and `metadata`/`spec` merged over the defaults. Defaults: namespace
 * `default`, uid `uid-<name>`, label `app: <name>`; a pod runs and is Ready, a node is
 * Ready with a heartbeat of now, a service selects `app: <name>` on port 80 → 8080
 * named `http`, an endpoint is ready, serving and not terminating.
 */
import type {
  Container,
  Deployment,
  DeploymentSpec,
  Endpoint,
  EndpointPort,
  EndpointSlice,
  Node,
  ObjectMeta,
  Pod,
  PodSpec,
  PodStatus,
  Service,
  ServiceSpec,
} from '@kemu/api';

/** What every builder accepts: metadata and spec merged over its defaults. */
interface Common<Spec> {
  namespace?: string;
  labels?: Record<string, string>;
  metadata?: Partial<ObjectMeta>;
  spec?: Partial<Spec>;
}

function meta(name: string, o: Common<unknown>, namespaced = true): ObjectMeta {
  return {
    name,
    ...(namespaced ? { namespace: o.namespace ?? 'default' } : {}),
    uid: `uid-${name}`,
    labels: o.labels ?? { app: name },
    ...o.metadata,
  };
}

/** How a test pod differs from a Running, Ready pod with one nginx container `c`. */
export interface PodOptions extends Common<PodSpec> {
  /** The node it is bound to; unset leaves it unscheduled. */
  node?: string;
  /** Its pod IP; unset gives it none. */
  ip?: string;
  ready?: boolean;
  phase?: PodStatus['phase'];
  containers?: Container[];
  /** Replaces the status built from phase, ip and ready. */
  status?: PodStatus;
}

/** A pod named `name`. */
export function pod(name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, o),
    spec: {
      containers: o.containers ?? [{ name: 'c', image: 'nginx' }],
      ...(o.node ? { nodeName: o.node } : {}),
      ...o.spec,
    },
    status: o.status ?? {
      phase: o.phase ?? 'Running',
      ...(o.ip ? { podIP: o.ip, podIPs: [{ ip: o.ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

/** How a test Service differs from a ClusterIP Service selecting `app: <name>` on port 80 → 8080 (`http`). */
export interface ServiceOptions extends Common<ServiceSpec> {
  clusterIP?: string;
  selector?: Record<string, string>;
  ports?: ServiceSpec['ports'];
}

/** A Service named `name`. */
export function service(name: string, o: ServiceOptions = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, o),
    spec: {
      selector: o.selector ?? { app: name },
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      ...(o.clusterIP ? { clusterIP: o.clusterIP, clusterIPs: [o.clusterIP] } : {}),
      ...o.spec,
    },
  };
}

/** How a test node differs from a Ready node that heartbeated just now. */
export interface NodeOptions extends Common<Node['spec']> {
  podCIDR?: string;
  /** Its InternalIP address. */
  ip?: string;
  ready?: boolean;
}

/** A Node named `name` (cluster-scoped: no namespace). */
export function node(name: string, o: NodeOptions = {}): Node {
  const now = new Date().toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(name, { ...o, labels: o.labels ?? { 'kubernetes.io/hostname': name } }, false),
    spec: { ...(o.podCIDR ? { podCIDR: o.podCIDR, podCIDRs: [o.podCIDR] } : {}), ...o.spec },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      ...(o.ip ? { addresses: [{ type: 'InternalIP', address: o.ip }] } : {}),
    },
  };
}

/** One endpoint of a test slice: an address and the conditions that differ from ready and serving. */
export interface EndpointOptions {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  nodeName?: string;
  targetRef?: Endpoint['targetRef'];
}

/** How a test EndpointSlice differs from an empty IPv4 slice `<service>-abc12` with port `http` 8080/TCP. */
export interface EndpointSliceOptions extends Omit<Common<never>, 'spec'> {
  name?: string;
  endpoints?: EndpointOptions[];
  ports?: EndpointPort[];
}

/** An EndpointSlice of Service `serviceName`, labelled with it as the endpoint-slice controller does. */
export function endpointSlice(serviceName: string, o: EndpointSliceOptions = {}): EndpointSlice {
  const name = o.name ?? `${serviceName}-abc12`;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta(name, { ...o, labels: o.labels ?? { 'kubernetes.io/service-name': serviceName } }),
    addressType: 'IPv4',
    endpoints: (o.endpoints ?? []).map(({ ip, ready, serving, terminating, nodeName, targetRef }) => ({
      addresses: [ip],
      conditions: { ready: ready ?? true, serving: serving ?? ready ?? true, terminating: terminating ?? false },
      ...(nodeName ? { nodeName } : {}),
      ...(targetRef ? { targetRef } : {}),
    })),
    ports: o.ports ?? [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** How a test Deployment differs from one replica of nginx labelled `app: <name>`. */
export interface DeploymentOptions extends Common<DeploymentSpec> {
  replicas?: number;
  image?: string;
}

/** A Deployment named `name` whose template carries its `app` label. */
export function deployment(name: string, o: DeploymentOptions = {}): Deployment {
  const labels = o.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta(name, { ...o, labels }), generation: 1, ...o.metadata },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image: o.image ?? 'nginx', ports: [{ containerPort: 8080 }] }] },
      },
      ...o.spec,
    },
  };
}
