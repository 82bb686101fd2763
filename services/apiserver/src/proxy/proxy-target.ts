/**
 * Where an apiserver proxy request goes, as kube-apiserver's ResourceLocation works it
 * out: a pod's IP (port 80 unless given), a ready endpoint of a Service port (by the
 * Service port's name or number, through its EndpointSlices; 503 when none is
 * ready), or a node's InternalIP at its kubelet port. Every target names the node
 * whose node-agent makes the connection.
 */
import { type Pod, type Service, badRequest, notFound, resourceByName, unavailable } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import type { ApiContext } from '../context.js';
import { getStored } from '../verbs/object-read.js';
import type { ProxyRoute } from './proxy-route.js';

/** A resolved proxy target. */
export interface ProxyTarget {
  node: string;
  address: string;
  port: number;
  scheme: 'http' | 'https';
}

function stored<T>(ctx: ApiContext, resource: string, namespace: string | undefined, name: string): T {
  const type = resourceByName(resource);
  if (!type) throw new Error(`${resource} are not a known resource`);
  return getStored(ctx, type, namespace ?? '', name) as T;
}

function portNumber(text: string, fallback: number): number {
  if (text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw badRequest(`invalid port "${text}"`);
  return n;
}

function podTarget(ctx: ApiContext, r: ProxyRoute): ProxyTarget {
  const pod = stored<Pod>(ctx, 'pods', r.namespace, r.name);
  const address = pod.status?.podIP;
  if (!address || !pod.spec.nodeName) throw badRequest(`pod ${r.name} does not have an IP address yet`);
  let port = 80;
  if (r.port !== '') {
    const named = pod.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === r.port);
    port = named ? named.containerPort : portNumber(r.port, 80);
  }
  return { node: pod.spec.nodeName, address, port, scheme: r.scheme === 'https' ? 'https' : 'http' };
}

function serviceTarget(ctx: ApiContext, r: ProxyRoute): ProxyTarget {
  const svc = stored<Service>(ctx, 'services', r.namespace, r.name);
  const ports = svc.spec.ports ?? [];
  const svcPort =
    r.port === ''
      ? ports.length === 1
        ? ports[0]
        : ports.find((p) => !p.name)
      : ports.find((p) => p.name === r.port || String(p.port) === r.port);
  if (!svcPort) throw unavailable(`no endpoints available for service "${r.name}"`);
  const slices = listObjects(ctx.informer.view, 'endpointslices', r.namespace).filter(
    (s) => s.metadata.labels?.['kubernetes.io/service-name'] === r.name && s.addressType === 'IPv4',
  );
  const candidates: ProxyTarget[] = [];
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (svcPort.name ?? ''));
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false || !ep.nodeName) continue;
      for (const address of ep.addresses) {
        candidates.push({
          node: ep.nodeName,
          address,
          port: port.port,
          scheme: r.scheme === 'https' ? 'https' : 'http',
        });
      }
    }
  }
  const pick = candidates[Math.floor(Math.random() * candidates.length)];
  if (!pick) throw unavailable(`no endpoints available for service "${r.name}"`);
  return pick;
}

function nodeTarget(ctx: ApiContext, r: ProxyRoute): ProxyTarget {
  const node = stored<{
    status?: {
      addresses?: { type: string; address: string }[];
      daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
    };
  }>(ctx, 'nodes', undefined, r.name);
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!address) throw badRequest(`node ${r.name} has no InternalIP`);
  const port = portNumber(r.port, node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250);
  return { node: r.name, address, port, scheme: r.scheme === 'https' ? 'https' : 'http' };
}

/** Resolves a proxy route against the apiserver's view. */
export function proxyTarget(ctx: ApiContext, r: ProxyRoute): ProxyTarget {
  if (r.resource === 'pods') return podTarget(ctx, r);
  if (r.resource === 'services') return serviceTarget(ctx, r);
  if (r.resource === 'nodes') return nodeTarget(ctx, r);
  throw notFound(r.resource, r.name);
}
