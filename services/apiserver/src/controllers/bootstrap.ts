/**
 * What a kube-apiserver creates at start: the system namespaces, the `default/kubernetes`
 * Service on the first address of the Service range, and, when the apiserver has an
 * advertised address, that Service's Endpoints and EndpointSlice pointing at it.
 * Idempotent and safe when several apiservers start at once: everything is created with
 * compare-and-set, an existing object is left alone (or updated if it points elsewhere),
 * and a lost race is re-read and re-checked.
 */
import {
  ApiError,
  type KubeObject,
  cidrAddress,
  type ResourceType,
  keyString,
  resourceByName,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  SKIP_MIRROR_LABEL,
} from '@kemu/api';
import { isIPv4 } from 'node:net';
import type { ApiContext } from '../context.js';
import { createObject } from '../verbs/object-create.js';
import { storeUpdate } from '../verbs/object-update.js';
import type { WriteOptions } from '../verbs/write-options.js';

/** The namespaces every cluster has. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Where this apiserver can be reached from pods (`host:port`), if anywhere. */
export interface BootstrapOptions {
  advertise?: string;
}

function typeOf(resource: string): ResourceType {
  const t = resourceByName(resource);
  if (!t) throw new Error(`unknown resource ${resource}`);
  return t;
}

const quiet = (): WriteOptions => ({ dryRun: false, fieldValidation: 'Ignore', warnings: [] });

function isRace(err: unknown): boolean {
  return err instanceof ApiError && (err.reason === 'AlreadyExists' || err.reason === 'Conflict');
}

/** Makes `desired` exist; when `sameAs` says the stored one differs, updates it. Retries lost races. */
async function ensure(
  ctx: ApiContext,
  resource: string,
  desired: KubeObject,
  sameAs?: (stored: KubeObject) => boolean,
): Promise<void> {
  const type = typeOf(resource);
  const namespace = type.namespaced ? (desired.metadata.namespace ?? '') : '';
  const key = keyString({ resource, namespace, name: desired.metadata.name });
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = ctx.informer.view.objects.get(key);
    try {
      if (!stored)
        await createObject(ctx, type, type.namespaced ? namespace : undefined, structuredClone(desired), quiet());
      else if (sameAs && !sameAs(stored)) {
        const next = { ...structuredClone(desired), metadata: { ...stored.metadata, labels: desired.metadata.labels } };
        await storeUpdate(ctx, type, stored, next, 'main', quiet());
      }
      return;
    } catch (err) {
      if (!isRace(err)) throw err;
      ctx.log.debug({ key, attempt }, 'bootstrap lost a race, re-reading');
    }
  }
}

/** Creates the system namespaces and the `kubernetes` Service (with Endpoints when advertised). */
export async function bootstrap(ctx: ApiContext, options: BootstrapOptions = {}): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(ctx, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  let host: string | undefined;
  let port = 6443;
  if (options.advertise) {
    const i = options.advertise.lastIndexOf(':');
    host = options.advertise.slice(0, i);
    port = Number(options.advertise.slice(i + 1));
    if (!isIPv4(host) || !Number.isInteger(port)) {
      ctx.log.warn(
        { advertise: options.advertise },
        'advertised address is not IPv4 host:port, no kubernetes endpoints',
      );
      host = undefined;
      port = 6443;
    }
  }
  const clusterIP = cidrAddress(ctx.allocator.cidr, 1);
  await ensure(ctx, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
      sessionAffinity: 'None',
    },
  });
  if (!host) return;
  const ip = host;
  await ensure(
    ctx,
    'endpoints',
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { [SKIP_MIRROR_LABEL]: 'true' },
      },
      subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    },
    (stored) =>
      JSON.stringify(stored.subsets) ===
      JSON.stringify([{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]),
  );
  const endpoints = [{ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } }];
  const ports = [{ name: 'https', port, protocol: 'TCP' }];
  await ensure(
    ctx,
    'endpointslices',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: {
          [SERVICE_NAME_LABEL]: 'kubernetes',
          [MANAGED_BY_LABEL]: 'endpointslicemirroring-controller.k8s.io',
        },
      },
      addressType: 'IPv4',
      endpoints,
      ports,
    },
    (stored) =>
      JSON.stringify(stored.endpoints) === JSON.stringify(endpoints) &&
      JSON.stringify(stored.ports) === JSON.stringify(ports),
  );
}
