/** What a request asks for in its Accept header and query: a Table, and what its rows carry. */
import { badRequest } from '@kemu/api';
import type { IncludeObject } from '../tables/build-table.js';

/** True when the Accept header asks for a meta.k8s.io Table (`as=Table`). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && !params.some((p) => p.startsWith('g=') && p !== 'g=meta.k8s.io');
  });
}

/** The `includeObject` query parameter (default Metadata, as real servers use). */
export function includeObjectParam(value: string | null): IncludeObject {
  if (value === null || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'Object' || value === 'None') return value;
  throw badRequest(`unsupported includeObject value: ${JSON.stringify(value)}`);
}

/** True for `watch=true` / `watch=1`. */
export function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}
