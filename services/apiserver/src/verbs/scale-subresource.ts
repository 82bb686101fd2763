/**
 * The `/scale` subresource of Deployments and ReplicaSets (autoscaling/v1 Scale), which
 * `kubectl scale` patches: reading it shows spec/status replicas and the selector;
 * writing it changes only the workload's spec.replicas.
 */
import {
  type KubeObject,
  type LabelSelectorObject,
  type ResourceType,
  badRequest,
  conflict,
  decodeBody,
  jsonMergePatch,
  jsonPatch,
} from '@kemu/api';
import type { ApiContext } from '../context.js';
import { getStored } from './object-read.js';
import { isConflict, storeUpdate } from './object-update.js';
import { formatLabelSelector } from '../tables/label-selector-string.js';
import type { WriteOptions } from './write-options.js';

/** The Scale view of a workload. */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = (obj.spec as { replicas?: number; selector?: LabelSelectorObject } | undefined) ?? {};
  const status = (obj.status as { replicas?: number } | undefined) ?? {};
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: formatLabelSelector(spec.selector) },
  };
}

/** Writes a new Scale (from PUT, or from a patch of the current one) to the workload; returns the new Scale. */
export async function writeScale(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string,
  name: string,
  next: (current: KubeObject) => unknown,
  options: WriteOptions,
): Promise<KubeObject> {
  for (let attempt = 0; ; attempt++) {
    const current = getStored(ctx, type, namespace, name);
    const scale = next(scaleOf(current)) as {
      metadata?: { resourceVersion?: string };
      spec?: { replicas?: unknown };
    } | null;
    const replicas = scale?.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw badRequest(
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      );
    }
    const pinned = scale?.metadata?.resourceVersion;
    if (pinned && pinned !== current.metadata.resourceVersion) throw conflict(type.resource, name, type.group);
    const updated = structuredClone(current);
    updated.spec = { ...((updated.spec as Record<string, unknown>) ?? {}), replicas };
    try {
      return scaleOf(await storeUpdate(ctx, type, current, updated, 'main', options));
    } catch (err) {
      if (pinned || !isConflict(err) || attempt >= 4) throw err;
    }
  }
}

/** Applies a PATCH body to a Scale. */
export function patchScale(scale: KubeObject, body: string, contentType: string | undefined): unknown {
  const media = (contentType ?? '').split(';')[0]?.trim();
  const patch = decodeBody(body, media);
  if (media === 'application/json-patch+json') return jsonPatch(scale, patch);
  return jsonMergePatch(scale, patch);
}
