/**
 * Kubernetes defaulting for the kinds kemu serves, as the apiserver applies it before
 * validation and storage (core/v1 and apps/v1 SetDefaults_*, plus the registry's
 * ClusterIP-family and Namespace rules). Pure: returns a defaulted copy.
 *
 * Defaulting runs before validation, so it tolerates bad shapes (a string or null where
 * an object belongs) and leaves them for validation to report as 422 field errors, as
 * kube-apiserver's decoder and validation do; null entries of object lists become `{}`
 * first (struct-lists.ts), as Go's decoder makes them zero structs.
 */
import { defaultPodSpec, defaultTolerations, isObject, objectsIn, podQOSClass } from './defaults-pod.js';
import { normalizeStructLists } from './struct-lists.js';
import type { EndpointPort, EndpointSubset, KubeObject, PodSpec, ServiceSpec } from './types.js';

type Rec = Record<string, unknown>;

function defaultService(obj: Rec): void {
  const spec = ((obj.spec as ServiceSpec | undefined) ??= {}) as ServiceSpec;
  if (!isObject(spec)) return;
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = (spec.sessionAffinityConfig ??= {});
    const ip = isObject(cfg) ? (cfg.clientIP ??= {}) : undefined;
    if (isObject(ip)) ip.timeoutSeconds ??= 10800;
  } else if (spec.sessionAffinity === 'None') {
    // core/v1 SetDefaults_Service: no affinity, no affinity config (so ClientIP → None applies cleanly).
    delete spec.sessionAffinityConfig;
  }
  for (const p of objectsIn<NonNullable<ServiceSpec['ports']>[number]>(spec.ports)) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type === 'ExternalName') return;
  spec.internalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && !(spec.clusterIPs ?? []).length) spec.clusterIPs = [spec.clusterIP];
  const headlessNoSelector =
    spec.clusterIP === 'None' && Object.keys(isObject(spec.selector) ? spec.selector : {}).length === 0;
  spec.ipFamilyPolicy ||= headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
  if (!(spec.ipFamilies ?? []).length) spec.ipFamilies = ['IPv4'];
}

function defaultPod(obj: Rec): void {
  const spec = ((obj.spec as PodSpec | undefined) ??= { containers: [] });
  if (!isObject(spec)) return;
  defaultPodSpec(spec);
  defaultTolerations(spec);
  spec.priority ??= 0;
  const status = ((obj.status as Rec | undefined) ??= {});
  if (!isObject(status)) return;
  status.phase ??= 'Pending';
  status.qosClass ??= podQOSClass(spec);
}

function defaultWorkload(obj: Rec, kind: string): void {
  const spec = ((obj.spec as Rec | undefined) ??= {});
  if (!isObject(spec)) return;
  spec.replicas ??= 1;
  const template = spec.template as { spec?: PodSpec } | undefined;
  if (isObject(template) && isObject(template.spec)) defaultPodSpec(template.spec);
  if (kind !== 'Deployment') return;
  const strategy = ((spec.strategy as Rec | undefined) ??= {});
  if (!isObject(strategy)) return;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ((strategy.rollingUpdate as Rec | undefined) ??= {});
    if (isObject(ru)) {
      ru.maxUnavailable ??= '25%';
      ru.maxSurge ??= '25%';
    }
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

function defaultNamespace(obj: KubeObject): void {
  const spec = ((obj.spec as Rec | undefined) ??= {});
  if (!isObject(spec)) return;
  if (!Array.isArray(spec.finalizers) || spec.finalizers.length === 0) spec.finalizers = ['kubernetes'];
  const status = ((obj.status as Rec | undefined) ??= {});
  if (isObject(status)) status.phase ||= 'Active';
  if (isObject(obj.metadata) && obj.metadata.name)
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
}

function defaultPorts(ports: EndpointPort[] | null | undefined): void {
  for (const p of objectsIn<EndpointPort>(ports)) p.protocol ||= 'TCP';
}

/** Returns a copy of `obj` with Kubernetes defaults applied (after Go's decoder rules for object lists, see struct-lists.ts) (Service, Pod, Namespace, Endpoints, EndpointSlice, Deployment, ReplicaSet). */
export function defaultObject<T extends KubeObject>(obj: T): T {
  const out = structuredClone(obj);
  normalizeStructLists(out);
  switch (out.kind) {
    case 'Service':
      defaultService(out);
      break;
    case 'Pod':
      defaultPod(out);
      break;
    case 'Namespace':
      defaultNamespace(out);
      break;
    case 'Endpoints':
      for (const s of objectsIn<EndpointSubset>(out.subsets)) defaultPorts(s.ports);
      break;
    case 'EndpointSlice':
      defaultPorts(out.ports as EndpointPort[] | null);
      break;
    case 'Deployment':
    case 'ReplicaSet':
      defaultWorkload(out, out.kind);
      break;
  }
  return out;
}
