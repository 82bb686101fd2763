/**
 * Kubernetes defaulting for the kinds kemu serves, as the apiserver applies it before
 * validation and storage (core/v1 and apps/v1 SetDefaults_*, plus the registry's
 * ClusterIP-family and Namespace rules). Pure: returns a defaulted copy.
 */
import { defaultPodSpec, defaultTolerations, podQOSClass } from './defaults-pod.js';
import type { EndpointPort, EndpointSubset, KubeObject, PodSpec, ServiceSpec } from './types.js';

type Rec = Record<string, unknown>;

function defaultService(obj: Rec): void {
  const spec = ((obj.spec as ServiceSpec | undefined) ??= {}) as ServiceSpec;
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = (spec.sessionAffinityConfig ??= {});
    const ip = (cfg.clientIP ??= {});
    ip.timeoutSeconds ??= 10800;
  } else if (spec.sessionAffinity === 'None') {
    // core/v1 SetDefaults_Service: no affinity, no affinity config (so ClientIP → None applies cleanly).
    delete spec.sessionAffinityConfig;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type === 'ExternalName') return;
  spec.internalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && !(spec.clusterIPs ?? []).length) spec.clusterIPs = [spec.clusterIP];
  const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy ||= headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
  if (!(spec.ipFamilies ?? []).length) spec.ipFamilies = ['IPv4'];
}

function defaultPod(obj: Rec): void {
  const spec = ((obj.spec as PodSpec | undefined) ??= { containers: [] });
  defaultPodSpec(spec);
  defaultTolerations(spec);
  spec.priority ??= 0;
  const status = ((obj.status as Rec | undefined) ??= {});
  status.phase ??= 'Pending';
  status.qosClass ??= podQOSClass(spec);
}

function defaultWorkload(obj: Rec, kind: string): void {
  const spec = ((obj.spec as Rec | undefined) ??= {});
  spec.replicas ??= 1;
  const template = spec.template as { spec?: PodSpec } | undefined;
  if (template?.spec) defaultPodSpec(template.spec);
  if (kind !== 'Deployment') return;
  const strategy = ((spec.strategy as Rec | undefined) ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ((strategy.rollingUpdate as Rec | undefined) ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

function defaultNamespace(obj: KubeObject): void {
  const spec = ((obj.spec as Rec | undefined) ??= {});
  if (!Array.isArray(spec.finalizers) || spec.finalizers.length === 0) spec.finalizers = ['kubernetes'];
  const status = ((obj.status as Rec | undefined) ??= {});
  status.phase ||= 'Active';
  if (obj.metadata?.name)
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
}

function defaultPorts(ports: EndpointPort[] | null | undefined): void {
  for (const p of ports ?? []) p.protocol ||= 'TCP';
}

/** Returns a copy of `obj` with Kubernetes defaults applied (Service, Pod, Namespace, Endpoints, EndpointSlice, Deployment, ReplicaSet). */
export function defaultObject<T extends KubeObject>(obj: T): T {
  const out = structuredClone(obj);
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
      for (const s of (out.subsets as EndpointSubset[] | undefined) ?? []) defaultPorts(s.ports);
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
