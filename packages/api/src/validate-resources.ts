/**
 * Container resource requirements (ValidateResourceRequirements): known resource names,
 * non-negative quantities, and requests no larger than limits.
 */
import type { StatusCause } from './errors.js';
import { invalidEach, invalidValue } from './field-errors.js';
import { isQualifiedName } from './names.js';
import { isQuantity, parseQuantity } from './quantity.js';

const standard = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Hugepages may not be overcommitted: request must equal limit. */
const overcommitForbidden = (name: string): boolean => name.startsWith('hugepages-');

function validateName(name: string, field: string): StatusCause[] {
  if (name.includes('/')) return invalidEach(field, name, isQualifiedName(name));
  if (standard.has(name) || name.startsWith('hugepages-')) return [];
  return [invalidValue(field, name, 'must be a standard resource for containers')];
}

function validateList(list: Record<string, unknown>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [name, q] of Object.entries(list)) {
    const at = `${path}[${name}]`;
    causes.push(...validateName(name, at));
    if (isQuantity(q) && parseQuantity(q as string) < 0)
      causes.push(invalidValue(at, String(q), 'must be greater than or equal to 0'));
  }
  return causes;
}

/** Validates `resources` of a container at `path`. */
export function validateResources(resources: unknown, path: string): StatusCause[] {
  if (!resources || typeof resources !== 'object') return [];
  const { limits = {}, requests = {} } = resources as {
    limits?: Record<string, unknown>;
    requests?: Record<string, unknown>;
  };
  const causes = [...validateList(limits, `${path}.limits`), ...validateList(requests, `${path}.requests`)];
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined || !isQuantity(q) || !isQuantity(limit)) continue;
    const req = parseQuantity(q as string);
    const lim = parseQuantity(limit as string);
    if (overcommitForbidden(name) && req !== lim)
      causes.push(invalidValue(`${path}.requests`, String(q), `must be equal to ${name} limit of ${String(limit)}`));
    else if (req > lim)
      causes.push(
        invalidValue(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limit)}`),
      );
  }
  return causes;
}
