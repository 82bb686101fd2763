/**
 * GET of one object and the replies of LIST (object-list.ts cuts the pages), from the
 * informer's view. A list carries the resourceVersion it was served as of, which a
 * following watch starts from. With `as=Table` both come back as a server-side Table.
 */
import { type KubeObject, type ResourceType, apiVersionOf, keyString, notFound } from '@kemu/api';
import type { ApiContext } from '../context.js';
import { buildTable, type IncludeObject } from '../tables/build-table.js';
import type { ListPage } from './list-page.js';
import { printerFor } from '../tables/printers.js';

/** How the reply should be shaped. */
export interface ReadFormat {
  table: boolean;
  includeObject: IncludeObject;
}

/** Reads one object or throws the 404 Status. */
export function getStored(ctx: ApiContext, type: ResourceType, namespace: string, name: string): KubeObject {
  const obj = ctx.informer.view.objects.get(keyString({ resource: type.resource, namespace, name }));
  if (!obj) throw notFound(type.resource, name, type.group);
  return obj;
}

/** The GET reply: the object, or a one-row Table. */
export function getReply(ctx: ApiContext, type: ResourceType, object: KubeObject, format: ReadFormat): unknown {
  if (!format.table) return object;
  return buildTable(printerFor(type.resource, ctx.version), [object], {
    now: ctx.clock(),
    includeObject: format.includeObject,
    resourceVersion: String(ctx.informer.view.seq),
  });
}

/** The matching objects of a collection now, in key order (namespace, then name) as etcd returns them. */
export function listMatching(
  ctx: ApiContext,
  type: ResourceType,
  namespace: string | undefined,
  matches: (o: KubeObject) => boolean,
): KubeObject[] {
  const out: KubeObject[] = [];
  for (const { object } of ctx.lists.current(type.resource).entries(namespace, undefined))
    if (matches(object)) out.push(object);
  return out;
}

/** The LIST reply: a `<Kind>List`, or a Table, with the page's list metadata. */
export function listReply(ctx: ApiContext, type: ResourceType, page: ListPage, format: ReadFormat): object {
  const { items, ...meta } = page;
  if (format.table) {
    const table = buildTable(printerFor(type.resource, ctx.version), items, {
      now: ctx.clock(),
      includeObject: format.includeObject,
    });
    table.metadata = meta;
    return table;
  }
  return { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: meta, items };
}
