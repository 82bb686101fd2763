/**
 * PATCH in the four content types kubectl sends: strategic merge (client-side apply,
 * `kubectl patch`), JSON merge, JSON patch, and apply-patch (server-side apply), which
 * kemu treats as "create, or strategic-merge into the object". The patched object goes
 * through the same update path as PUT; a compare-and-set lost to a concurrent writer is
 * retried on the newer object unless the patch itself pinned a resourceVersion.
 */
import {
  ApiError,
  type KubeObject,
  type ResourceType,
  badRequest,
  conflict,
  decodeBody,
  jsonMergePatch,
  jsonPatch,
  keyString,
  strategicMergePatch,
} from '@kemu/api';
import type { ApiContext } from '../context.js';
import { createObject } from './object-create.js';
import { getStored } from './object-read.js';
import { isConflict, storeUpdate } from './object-update.js';
import type { UpdateTarget } from '../strategies/resource-strategy.js';
import { type WriteOptions, asObjectOf, checkUnknownFields } from './write-options.js';

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

type PatchType = (typeof PATCH_TYPES)[number];

/** The result of a patch: the stored object, and whether apply created it (201). */
export interface PatchResult {
  object: KubeObject;
  created: boolean;
}

function patchType(contentType: string | undefined): PatchType {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if ((PATCH_TYPES as readonly string[]).includes(media)) return media as PatchType;
  throw new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
    reason: 'UnsupportedMediaType',
    details: {},
    code: 415,
  });
}

function applyPatch(kind: PatchType, current: KubeObject, patch: unknown, type: ResourceType): unknown {
  switch (kind) {
    case 'application/json-patch+json':
      if (!Array.isArray(patch))
        throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      return jsonPatch(current, patch);
    case 'application/merge-patch+json':
      return jsonMergePatch(current, patch);
    default:
      return strategicMergePatch(current, patch, type.kind);
  }
}

function pinnedVersion(patch: unknown): string | undefined {
  const meta = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string' && meta.resourceVersion !== '' ? meta.resourceVersion : undefined;
}

/** PATCH of `namespace/name` (namespace '' for cluster-scoped types). */
export async function patchObject(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string,
  name: string,
  body: string,
  contentType: string | undefined,
  target: UpdateTarget,
  options: WriteOptions,
): Promise<PatchResult> {
  const kind = patchType(contentType);
  const patch = decodeBody(body, kind);
  if (kind !== 'application/json-patch+json' && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    throw badRequest(
      `json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`,
    );
  }
  if (kind === 'application/apply-patch+yaml' && target === 'main') {
    const applied = asObjectOf(type, patch);
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const exists = ctx.informer.view.objects.has(keyString({ resource: type.resource, namespace, name }));
    if (!exists) {
      applied.metadata.name = name;
      return {
        object: await createObject(ctx, type, type.namespaced ? namespace : undefined, applied, options),
        created: true,
      };
    }
  }
  const pinned = kind === 'application/json-patch+json' ? undefined : pinnedVersion(patch);
  for (let attempt = 0; ; attempt++) {
    const current = getStored(ctx, type, namespace, name);
    if (pinned && pinned !== current.metadata.resourceVersion) throw conflict(type.resource, name, type.group);
    const patched = asObjectOf(type, applyPatch(kind, structuredClone(current), patch, type));
    checkUnknownFields(type, patched, options);
    if (patched.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    try {
      return { object: await storeUpdate(ctx, type, current, patched, target, options), created: false };
    } catch (err) {
      if (pinned || !isConflict(err) || attempt >= 4) throw err;
    }
  }
}
