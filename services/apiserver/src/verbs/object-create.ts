/**
 * Create (POST, and the create half of server-side apply): the namespace comes from the
 * URL and must exist, the server sets uid, creationTimestamp and generation, generateName
 * gets its random suffix, the resource's strategy clears what a client may not set,
 * defaults are applied before validation (422 Invalid), the strategy reserves what the
 * object needs (a Service's ClusterIP), and the object is stored with compare-and-set on
 * "not there".
 */
import {
  type KubeObject,
  type ResourceType,
  alreadyExists,
  badRequest,
  defaultObject,
  invalid,
  keyString,
  notFound,
  validateObject,
} from '@kemu/api';
import { ConflictError, expectedSeq } from '@kemu/eventlog';
import { randomInt, randomUUID } from 'node:crypto';
import type { ApiContext } from '../context.js';
import { forbiddenError } from '../http/http-io.js';
import { strategyFor } from '../strategies/strategy-registry.js';
import { rfc3339 } from './timestamps.js';
import { type WriteOptions, asObjectOf, checkUnknownFields, writeFailure } from './write-options.js';

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` plus five random characters, as the apiserver's SimpleNameGenerator does. */
export function generateName(prefix: string): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return base + s;
}

/** Checks that a namespaced create targets an existing namespace that is not being deleted. */
export function checkNamespace(ctx: ApiContext, type: ResourceType, namespace: string, name: string): void {
  const ns = ctx.informer.view.objects.get(keyString({ resource: 'namespaces', namespace: '', name: namespace }));
  if (!ns) throw notFound('namespaces', namespace);
  if (ns.metadata.deletionTimestamp) {
    throw forbiddenError(
      type.resource,
      name,
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      type.group,
    );
  }
}

/** Creates an object from a decoded body posted to `namespace` (undefined for cluster-scoped types); returns it as stored. */
export async function createObject(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string | undefined,
  body: unknown,
  options: WriteOptions,
): Promise<KubeObject> {
  const input = asObjectOf(type, body);
  checkUnknownFields(type, input, options);
  const meta = input.metadata;
  if (type.namespaced) {
    if (namespace === undefined)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if (meta.namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) {
    for (let i = 0; i < 8; i++) {
      meta.name = generateName(meta.generateName);
      if (
        !ctx.informer.view.objects.has(
          keyString({ resource: type.resource, namespace: meta.namespace ?? '', name: meta.name }),
        )
      )
        break;
    }
  }
  for (const f of [
    'resourceVersion',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'selfLink',
    'managedFields',
  ] as const)
    delete meta[f];
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(ctx.clock());
  meta.generation = 1;
  const strategy = strategyFor(type);
  strategy.prepareForCreate(input);

  const obj = defaultObject(input);
  const causes = validateObject(obj);
  if (causes.length > 0) throw invalid(type.kind, meta.name ?? '', causes, type.group);
  const name = obj.metadata.name;
  if (type.namespaced) checkNamespace(ctx, type, obj.metadata.namespace ?? '', name);

  const key = { resource: type.resource, namespace: obj.metadata.namespace ?? '', name };
  if (ctx.informer.view.objects.has(keyString(key))) throw alreadyExists(type.resource, name, type.group);
  if (options.dryRun) return obj;

  const finish = await strategy.beginCreate?.(ctx, obj);
  try {
    const stored = await ctx.writer.put(key, obj, expectedSeq(ctx.informer.view, key));
    await finish?.(true);
    return stored;
  } catch (err) {
    await finish?.(false);
    if (err instanceof ConflictError) throw alreadyExists(type.resource, name, type.group);
    throw writeFailure(err, type, name);
  }
}
