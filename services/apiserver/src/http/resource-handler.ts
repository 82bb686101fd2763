/**
 * Dispatches a request on a resource path by method and subresource to the read, watch
 * and write modules, and shapes their replies (201 for creates, Table when asked for).
 */
import {
  type KubeObject,
  type ResourceType,
  badRequest,
  decodeBody,
  findDuplicateJsonKeys,
  invalid,
  methodNotAllowed,
} from '@kemu/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../context.js';
import { pathNotFound, readBody, readBodyBytes, sendJson } from './http-io.js';
import { sendList } from './list-writer.js';
import { decodeKubernetesProtobuf, isProtobuf } from './kubernetes-protobuf.js';
import { includeObjectParam, isTrue, wantsTable } from './negotiation.js';
import { createObject } from '../verbs/object-create.js';
import { type DeleteOptions, deleteObject } from '../verbs/object-delete.js';
import { objectMatcher } from '../verbs/object-matcher.js';
import { patchObject } from '../verbs/object-patch.js';
import { servePodLog } from '../streams/pod-log.js';
import { listCollection } from '../verbs/object-list.js';
import {
  type ReadFormat,
  getReply,
  getStored,
  listMatching,
  listReply,
  unprintedListReply,
} from '../verbs/object-read.js';
import { updateObject } from '../verbs/object-update.js';
import type { ResourceRoute } from './router.js';
import { patchScale, scaleOf, writeScale } from '../verbs/scale-subresource.js';
import type { UpdateTarget } from '../strategies/resource-strategy.js';
import { requestToken } from '../verbs/token-request.js';
import { serveWatch, timeoutSecondsParam } from '../verbs/watch.js';
import { type WriteOptions, fieldValidationParam } from '../verbs/write-options.js';

function writeOptions(q: URLSearchParams): WriteOptions {
  const dryRun = q.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw badRequest(`Invalid dryRun value: ${dryRun.join(',')}; it must be All`);
  return { dryRun: dryRun.length > 0, fieldValidation: fieldValidationParam(q.get('fieldValidation')), warnings: [] };
}

function integerParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${name} ${JSON.stringify(v)}`);
  return n;
}

async function deleteOptionsOf(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const text = await readBody(req);
  const body = (text.trim() === '' ? {} : decodeBody(text, req.headers['content-type'])) as Record<
    string,
    unknown
  > | null;
  const opts: DeleteOptions = {};
  const grace = integerParam(q, 'gracePeriodSeconds') ?? (body?.gracePeriodSeconds as number | undefined);
  if (grace !== undefined && grace !== null) opts.gracePeriodSeconds = grace;
  const policy = q.get('propagationPolicy') ?? (body?.propagationPolicy as string | undefined);
  if (policy) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan')
      throw badRequest(`Invalid propagationPolicy: ${policy}`);
    opts.propagationPolicy = policy;
  }
  if (q.get('orphanDependents') === 'true' || body?.orphanDependents === true) opts.propagationPolicy = 'Orphan';
  if (body?.preconditions) opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
  const dryRun = [...q.getAll('dryRun'), ...((body?.dryRun as string[] | undefined) ?? [])];
  if (dryRun.length > 0) opts.dryRun = true;
  return opts;
}

function updateTarget(sub: string | undefined): UpdateTarget {
  if (sub === undefined) return 'main';
  if (sub === 'status' || sub === 'finalize') return sub;
  throw methodNotAllowed();
}

function sendWrite(res: ServerResponse, code: number, obj: KubeObject, opts: WriteOptions): void {
  sendJson(res, code, obj, 'application/json', opts.warnings);
}

/** Reads and decodes a create/update body: JSON, YAML or Kubernetes protobuf; notes JSON's duplicate keys in `opts`. */
async function requestObject(req: IncomingMessage, opts: WriteOptions): Promise<unknown> {
  const contentType = req.headers['content-type'];
  const bytes = await readBodyBytes(req);
  if (isProtobuf(contentType)) return decodeKubernetesProtobuf(bytes);
  const text = bytes.toString('utf8');
  const body = decodeBody(text, contentType);
  if (!(contentType ?? '').includes('yaml')) opts.duplicateFields = findDuplicateJsonKeys(text);
  return body;
}

/** Handles one request on a resource route. */
export async function handleResource(
  ctx: ApiContext,
  route: ResourceRoute,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { type, name, subresource } = route;
  const q = url.searchParams;
  const namespace = route.namespace ?? '';
  if (subresource === 'scale' && name !== undefined) {
    await handleScale(ctx, type, namespace, name, req, res, q);
    return;
  }
  if (subresource === 'token' && name !== undefined) {
    if (req.method !== 'POST') throw methodNotAllowed();
    const bytes = await readBodyBytes(req);
    const contentType = req.headers['content-type'];
    const body = isProtobuf(contentType)
      ? decodeKubernetesProtobuf(bytes)
      : decodeBody(bytes.toString('utf8'), contentType);
    sendJson(res, 201, requestToken(ctx, namespace, name, body));
    return;
  }
  // The router admits a subresource only where the resource's strategy lists it: `log` is a pod's.
  if (subresource === 'log' && name !== undefined && req.method === 'GET') {
    return servePodLog(ctx, namespace, name, res, q);
  }
  if (subresource === 'exec' || subresource === 'attach') throw badRequest('Upgrade request required');
  if (subresource !== undefined && subresource !== 'status' && subresource !== 'finalize') throw pathNotFound();
  const method = req.method ?? 'GET';
  const watch = route.watchPrefix || isTrue(q.get('watch'));

  if (method === 'GET') {
    const format: ReadFormat = {
      table: wantsTable(req.headers.accept),
      includeObject: includeObjectParam(q.get('includeObject')),
    };
    if (watch) {
      startWatch(ctx, type, route, req, res, q, format);
      return;
    }
    if (name !== undefined) {
      sendJson(res, 200, getReply(ctx, type, getStored(ctx, type, namespace, name), format));
      return;
    }
    const reply = unprintedListReply(ctx, type, await listCollection(ctx, type, route.namespace, q), format);
    await sendList(res, reply.body, reply.print);
    return;
  }

  if (method === 'POST') {
    if (name !== undefined || subresource !== undefined) throw methodNotAllowed();
    const opts = writeOptions(q);
    const body = await requestObject(req, opts);
    sendWrite(res, opts.dryRun ? 200 : 201, await createObject(ctx, type, route.namespace, body, opts), opts);
    return;
  }

  if (method === 'PUT') {
    if (name === undefined) throw methodNotAllowed();
    const opts = writeOptions(q);
    const body = await requestObject(req, opts);
    sendWrite(res, 200, await updateObject(ctx, type, namespace, name, body, updateTarget(subresource), opts), opts);
    return;
  }

  if (method === 'PATCH') {
    if (name === undefined) throw methodNotAllowed();
    const opts = writeOptions(q);
    // Server-side apply names its field manager, as kube-apiserver requires.
    if ((req.headers['content-type'] ?? '').startsWith('application/apply-patch') && !q.get('fieldManager'))
      throw invalid(
        'PatchOptions',
        '',
        [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: is required for apply patch',
            field: 'fieldManager',
          },
        ],
        'meta.k8s.io',
      );
    const result = await patchObject(
      ctx,
      type,
      namespace,
      name,
      await readBody(req),
      req.headers['content-type'],
      updateTarget(subresource),
      opts,
    );
    sendWrite(res, result.created ? 201 : 200, result.object, opts);
    return;
  }

  if (method === 'DELETE') {
    if (subresource !== undefined) throw methodNotAllowed();
    const opts = await deleteOptionsOf(req, q);
    if (name !== undefined) {
      sendJson(res, 200, await deleteObject(ctx, type, namespace, name, opts));
      return;
    }
    const matches = objectMatcher(type.resource, q.get('labelSelector'), q.get('fieldSelector'));
    const deleted: KubeObject[] = [];
    for (const obj of listMatching(ctx, type, route.namespace, matches)) {
      deleted.push(await deleteObject(ctx, type, obj.metadata.namespace ?? '', obj.metadata.name, opts));
    }
    const page = { items: deleted, resourceVersion: String(ctx.informer.view.seq) };
    sendJson(res, 200, listReply(ctx, type, page, { table: false, includeObject: 'Object' }));
    return;
  }

  throw methodNotAllowed();
}

async function handleScale(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  q: URLSearchParams,
): Promise<void> {
  switch (req.method) {
    case 'GET':
      return sendJson(res, 200, scaleOf(getStored(ctx, type, namespace, name)));
    case 'PUT': {
      const opts = writeOptions(q);
      const body = await requestObject(req, opts);
      return sendWrite(res, 200, await writeScale(ctx, type, namespace, name, () => body, opts), opts);
    }
    case 'PATCH': {
      const opts = writeOptions(q);
      const text = await readBody(req);
      const contentType = req.headers['content-type'];
      return sendWrite(
        res,
        200,
        await writeScale(ctx, type, namespace, name, (scale) => patchScale(scale, text, contentType), opts),
        opts,
      );
    }
    default:
      throw methodNotAllowed();
  }
}

function startWatch(
  ctx: ApiContext,
  type: ResourceType,
  route: ResourceRoute,
  req: IncomingMessage,
  res: ServerResponse,
  q: URLSearchParams,
  format: ReadFormat,
): void {
  const matches = objectMatcher(type.resource, q.get('labelSelector'), q.get('fieldSelector'), route.name);
  serveWatch(ctx, req, res, {
    type,
    scope: { resource: type.resource, namespace: route.namespace, matches },
    resourceVersion: q.get('resourceVersion'),
    allowBookmarks: isTrue(q.get('allowWatchBookmarks')),
    timeoutSeconds: timeoutSecondsParam(q.get('timeoutSeconds')),
    table: format.table ? { includeObject: format.includeObject } : undefined,
  });
}
