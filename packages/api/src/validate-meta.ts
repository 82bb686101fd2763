/**
 * ObjectMeta validation (ValidateObjectMeta / ValidateObjectMetaUpdate) and the label
 * and annotation rules shared by selectors and templates.
 */
import type { StatusCause } from './errors.js';
import { invalidEach, invalidValue, required, tooLong } from './field-errors.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, validateName } from './names.js';
import type { ObjectMeta } from './types.js';

/** Field messages Kubernetes uses for an immutable field. */
export const fieldImmutable = 'field is immutable';

/** ValidateLabels: each key a qualified name, each value a label value; causes point at the map itself. */
export function validateLabels(labels: unknown, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!labels || typeof labels !== 'object') return causes;
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    causes.push(...invalidEach(field, k, isQualifiedName(k)));
    const value = typeof v === 'string' ? v : String(v);
    causes.push(...invalidEach(field, value, isValidLabelValue(value)));
  }
  return causes;
}

const totalAnnotationSizeLimit = 256 * 1024;

/** ValidateAnnotations: qualified-name keys (case-insensitive), at most 256 KiB in total. */
export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!annotations || typeof annotations !== 'object') return causes;
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    causes.push(...invalidEach(field, k, isQualifiedName(k.toLowerCase())));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > totalAnnotationSizeLimit) causes.push(tooLong(field, totalAnnotationSizeLimit));
  return causes;
}

/** ValidateObjectMeta for an object of `kind`: name (or generateName), namespace, generation, labels, annotations. */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  kind: string,
  namespaced: boolean,
  path = 'metadata',
): StatusCause[] {
  const m: Partial<ObjectMeta> = meta ?? {};
  const causes: StatusCause[] = [];
  if (m.generateName)
    causes.push(...invalidEach(`${path}.generateName`, m.generateName, validateName(kind, m.generateName, true)));
  if (!m.name) causes.push(required(`${path}.name`, 'name or generateName is required'));
  else causes.push(...invalidEach(`${path}.name`, m.name, validateName(kind, m.name)));
  if (namespaced) {
    if (!m.namespace) causes.push(required(`${path}.namespace`));
    else causes.push(...invalidEach(`${path}.namespace`, m.namespace, isDNS1123Label(m.namespace)));
  }
  if (typeof m.generation === 'number' && m.generation < 0)
    causes.push(invalidValue(`${path}.generation`, m.generation, 'must be greater than or equal to 0'));
  causes.push(...validateLabels(m.labels, `${path}.labels`));
  causes.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  return causes;
}

/** ValidateObjectMetaUpdate: name, namespace, uid and creationTimestamp may not change. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const now = meta[key];
    const before = old[key];
    if (before !== undefined && now !== undefined && now !== before)
      causes.push(invalidValue(`metadata.${key}`, now, fieldImmutable));
  }
  return causes;
}
