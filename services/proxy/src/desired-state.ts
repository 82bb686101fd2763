/**
 * What the proxy should serve, computed from the trackers: per service port its
 * ClusterIP listener and the endpoints new connections may use. Endpoint choice follows
 * kube-proxy's CategorizeEndpoints: the Ready endpoints; if none is Ready, the ones that
 * are Serving and Terminating (KEP-1669). internalTrafficPolicy=Local applies the same
 * rule to the endpoints on this node only.
 */
import type { EndpointInfo } from './endpoints-tracker.js';
import type { ServicePortInfo } from './service-tracker.js';

/** One service port as the data plane should serve it. */
export interface DesiredServicePort {
  info: ServicePortInfo;
  /** `ip:port` of the endpoints new connections may go to; empty means refuse. */
  endpoints: string[];
  /** resourceVersions of the EndpointSlices the endpoints came from (for flow records). */
  sliceVersions?: string[];
}

/** The endpoints new connections may use, by the Kubernetes rules. */
export function selectEndpoints(all: readonly EndpointInfo[], local: boolean, node: string): string[] {
  const candidates = local ? all.filter((e) => e.nodeName === node) : all;
  const ready = candidates.filter((e) => e.ready);
  if (ready.length > 0) return ready.map((e) => e.endpoint);
  return candidates.filter((e) => e.serving && e.terminating).map((e) => e.endpoint);
}

/** The desired state of every service port, keyed by ServicePortName. */
export function computeDesiredState(
  servicePorts: readonly ServicePortInfo[],
  endpointsFor: (servicePort: string) => readonly EndpointInfo[],
  node: string,
  sliceVersionsFor?: (servicePort: string) => string[],
): Map<string, DesiredServicePort> {
  const out = new Map<string, DesiredServicePort>();
  for (const info of servicePorts) {
    const endpoints = selectEndpoints(endpointsFor(info.servicePort), info.internalTrafficPolicy === 'Local', node);
    const sliceVersions = sliceVersionsFor?.(info.servicePort);
    out.set(info.servicePort, sliceVersions ? { info, endpoints, sliceVersions } : { info, endpoints });
  }
  return out;
}
