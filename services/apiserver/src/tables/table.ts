/**
 * The meta.k8s.io/v1 Table that kubectl asks for with `as=Table`: column definitions and
 * rows of cells that the server computes (kubectl 1.32 has no client-side printers for
 * built-in kinds). Each kind's printer lives in its own module beside this one.
 */
import type { KubeObject } from '@kemu/api';

/** One column as kubectl reads it; priority > 0 shows only with `-o wide`. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** A row condition, as printPod sets `Completed` for finished pods. */
export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One printed row; `object` feeds kubectl's NAMESPACE and LABELS columns. */
export interface TableRow {
  cells: unknown[];
  object?: unknown;
  conditions?: RowCondition[];
}

/** A metav1.Table. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

/** Prints one kind: its columns (in server order, wide ones included) and each object's cells. */
export interface Printer {
  columns: ColumnDefinition[];
  cells(object: KubeObject, now: number): unknown[];
  conditions?(object: KubeObject): RowCondition[] | undefined;
}

/** A column definition; `priority: 1` marks a wide-only column. */
export function column(
  name: string,
  description: string,
  options: { type?: string; format?: string; priority?: number } = {},
): ColumnDefinition {
  return {
    name,
    type: options.type ?? 'string',
    format: options.format ?? '',
    description,
    priority: options.priority ?? 0,
  };
}

/** The Name column every printer starts with; `format: name` gives kubectl its `kind/` prefixes. */
export const nameColumn: ColumnDefinition = column(
  'Name',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  { format: 'name' },
);

/** The Age column description (metadata.creationTimestamp's). */
export const ageColumn: ColumnDefinition = column(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
);
