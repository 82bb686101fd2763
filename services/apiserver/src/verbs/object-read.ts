/**
 * GET of one object and the replies of LIST (object-list.ts cuts the pages), from the
 * informer's view. A list carries the resourceVersion it was served as of, which a
 * following watch starts from. With `as=Table` both come back as a server-side Table.
 */
import { type KubeObject, type ResourceType, apiVersionOf, keyString, notFound } from '@kemu/api';
import type { ApiContext } from '../context.js';
import { buildTable, type IncludeObject, printRow } from '../tables/build-table.js';
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
  const { body, print } = unprintedListReply(ctx, type, page, format);
  if (!print) return body;
  const table = body as { rows: KubeObject[] };
  return { ...table, rows: table.rows.map(print) };
}

/**
 * The LIST reply with a Table's rows not printed yet: `rows` holds the objects and `print`
 * makes each one's row, so the list writer prints a piece's rows as it sends them and a
 * 10 000-row Table is never all in memory at once.
 */
export function unprintedListReply(
  ctx: ApiContext,
  type: ResourceType,
  page: ListPage,
  format: ReadFormat,
): { body: object; print?: (object: KubeObject) => unknown } {
  const { items, ...meta } = page;
  if (format.table) {
    const printer = printerFor(type.resource, ctx.version);
    const options = { now: ctx.clock(), includeObject: format.includeObject };
    const table = buildTable(printer, [], options);
    table.metadata = meta;
    return { body: { ...table, rows: items }, print: (o) => printRow(printer, o, options) };
  }
  return { body: { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: meta, items } };
}
