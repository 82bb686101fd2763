/**
 * Label selectors. A Service's selector is a plain map and matches by equality
 * (KUBERNETES.md §3): every key must be present with the same value.
 */

/** True when every key of `selector` is in `labels` with the same value; an empty selector matches everything. */
export function selectorMatches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** `a=b,c=d`, the way kubectl prints a selector map. */
export function formatSelector(selector: Record<string, string> | undefined): string {
  const entries = Object.entries(selector ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}
