/**
 * Builds the Table reply: one row per object, each row carrying the object as
 * PartialObjectMetadata (the server default), the full object (`includeObject=Object`)
 * or nothing (`includeObject=None`).
 */
import type { KubeObject } from '@kemu/api';
import type { Printer, Table, TableRow } from './table.js';

/** What each row's `object` holds. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Options of one Table reply. */
export interface TableOptions {
  now: number;
  includeObject: IncludeObject;
  resourceVersion?: string;
}

/** The row `object` for an object under `includeObject`. */
export function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** One printed row. */
export function printRow(printer: Printer, object: KubeObject, options: TableOptions): TableRow {
  const row: TableRow = { cells: printer.cells(object, options.now) };
  const obj = rowObject(object, options.includeObject);
  if (obj !== undefined) row.object = obj;
  const conditions = printer.conditions?.(object);
  if (conditions) row.conditions = conditions;
  return row;
}

/** A Table of `objects` printed by `printer`. */
export function buildTable(printer: Printer, objects: readonly KubeObject[], options: TableOptions): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion },
    columnDefinitions: printer.columns,
    rows: objects.map((o) => printRow(printer, o, options)),
  };
}
