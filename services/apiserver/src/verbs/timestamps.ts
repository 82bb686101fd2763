/** Kubernetes timestamps: RFC 3339 in UTC with whole seconds (metav1.Time). */

/** Formats epoch milliseconds as `2025-01-01T00:00:00Z`. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
