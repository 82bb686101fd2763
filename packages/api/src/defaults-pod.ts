/**
 * Pod spec defaulting (SetDefaults_PodSpec, _Container, _Probe of core/v1) and the QoS
 * class the registry records, shared by Pods and workload templates.
 */
import { NOT_READY_TAINT, UNREACHABLE_TAINT } from './well-known.js';
import { milliValue, parseQuantity } from './quantity.js';
import type { Container, PodSpec, Probe } from './types.js';

/** Always for `:latest` or untagged images, IfNotPresent for any other tag or a digest. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 || last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ||= '/';
    p.httpGet.scheme ||= 'HTTP';
  }
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.imagePullPolicy ||= typeof c.image === 'string' && c.image ? defaultPullPolicy(c.image) : 'IfNotPresent';
  c.resources ??= {};
  for (const p of c.ports ?? []) {
    p.protocol ||= 'TCP';
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
  for (const e of c.env ?? []) {
    const ref = (e.valueFrom as { fieldRef?: { apiVersion?: string } } | undefined)?.fieldRef;
    if (ref) ref.apiVersion ||= 'v1';
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
  for (const c of spec.containers ?? []) defaultContainer(c, spec.hostNetwork === true);
  for (const c of spec.initContainers ?? []) defaultContainer(c, spec.hostNetwork === true);
}

/** The not-ready/unreachable tolerations (300 s) the DefaultTolerationSeconds admission plugin adds to Pods. */
export function defaultTolerations(spec: PodSpec): void {
  const list = ((spec.tolerations as Record<string, unknown>[] | undefined) ??= []);
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!list.some((t) => t.key === key && (t.effect === 'NoExecute' || !t.effect))) {
      list.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
}

/** The pod's QoS class: Guaranteed (cpu and memory limits equal requests everywhere), BestEffort (nothing set) or Burstable. */
export function podQOSClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || q === undefined) guaranteed = false;
      else if (r === 'cpu' ? milliValue(q) !== milliValue(l) : parseQuantity(q) !== parseQuantity(l))
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
