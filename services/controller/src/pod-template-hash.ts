/**
 * The pod-template-hash a Deployment gives each ReplicaSet: FNV-1a (32 bit) over the
 * pod template (keys in a canonical order) and the collision count, printed in decimal
 * and mapped into the safe alphabet, as controller.ComputeHash does. Equal templates
 * hash equally, so the same template finds its ReplicaSet again.
 */
import { type PodTemplateSpec, POD_TEMPLATE_HASH_LABEL } from '@kemu/api';
import { safeEncodeString } from './random-suffix.js';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The hash of `template` (its own pod-template-hash label left out) and `collisionCount`. */
export function podTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  const t = withoutHashLabel(template);
  const suffix = collisionCount === undefined ? '' : `#${collisionCount}`;
  return safeEncodeString(String(fnv32a(canonical(t) + suffix)));
}

/** A copy of `template` without the pod-template-hash label. */
export function withoutHashLabel(template: PodTemplateSpec): PodTemplateSpec {
  const t = structuredClone(template);
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}
