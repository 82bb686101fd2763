/**
 * The three patch types the apiserver accepts: strategic merge patch, JSON merge patch
 * (RFC 7386, below) and JSON patch (RFC 6902).
 */
export { strategicMergePatch } from './strategic-merge-patch.js';
export { jsonPatch } from './json-patch.js';
export type { JsonPatchOp } from './json-patch.js';

/** Applies an RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
export function jsonMergePatch<T>(original: T, patch: unknown): T {
  return merge(original, patch) as T;
}

function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}
