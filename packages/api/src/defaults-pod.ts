/**
 * Pod spec defaulting (SetDefaults_PodSpec, _Container, _Probe of core/v1) and the QoS
 * class the registry records, shared by Pods and workload templates.
 */
import { isQuantity, milliValue, parseQuantity } from './quantity.js';
import { NOT_READY_TAINT, UNREACHABLE_TAINT } from './well-known.js';
import type { Container, PodSpec, Probe } from './types.js';

/** Whether `v` is a JSON object (not null, not an array): defaulting only descends into these. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object entries of `list` when it is an array, else none: defaulting skips what validation will reject (`[null]`, a string). */
export function objectsIn<T>(list: unknown): T[] {
  return Array.isArray(list) ? (list.filter(isObject) as T[]) : [];
}

/** Always for `:latest` or untagged images, IfNotPresent for any other tag or a digest. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 || last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe | undefined): void {
  if (!isObject(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (isObject(p.httpGet)) {
    p.httpGet.path ||= '/';
    p.httpGet.scheme ||= 'HTTP';
  }
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.imagePullPolicy ||= typeof c.image === 'string' && c.image ? defaultPullPolicy(c.image) : 'IfNotPresent';
  c.resources ??= {};
  for (const p of objectsIn<NonNullable<Container['ports']>[number]>(c.ports)) {
    p.protocol ||= 'TCP';
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
  for (const e of objectsIn<NonNullable<Container['env']>[number]>(c.env)) {
    const from = e.valueFrom as { fieldRef?: { apiVersion?: string } } | undefined;
    if (isObject(from) && isObject(from.fieldRef)) from.fieldRef.apiVersion ||= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/** Applies pod-spec defaults in place (the caller owns the copy). */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ||= 'Always';
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const c of objectsIn<Container>(spec.containers)) defaultContainer(c, spec.hostNetwork === true);
  for (const c of objectsIn<Container>(spec.initContainers)) defaultContainer(c, spec.hostNetwork === true);
}

/** The not-ready/unreachable tolerations (300 s) the DefaultTolerationSeconds admission plugin adds to Pods. */
export function defaultTolerations(spec: PodSpec): void {
  const list = ((spec.tolerations as Record<string, unknown>[] | undefined) ??= []);
  if (!Array.isArray(list)) return;
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!list.some((t) => isObject(t) && t.key === key && (t.effect === 'NoExecute' || !t.effect))) {
      list.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
}

/** The pod's QoS class: Guaranteed (cpu and memory limits equal requests everywhere), BestEffort (nothing set) or Burstable. */
export function podQOSClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...objectsIn<Container>(spec.containers), ...objectsIn<Container>(spec.initContainers)];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const resources = isObject(c.resources) ? c.resources : {};
    const req = isObject(resources.requests) ? resources.requests : {};
    const lim = isObject(resources.limits) ? resources.limits : {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || q === undefined) guaranteed = false;
      else if (!isQuantity(l) || !isQuantity(q))
        guaranteed = false; // validation rejects it
      else if (r === 'cpu' ? milliValue(q) !== milliValue(l) : parseQuantity(q) !== parseQuantity(l))
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
