/** The pod's QoS class from its containers' cpu and memory requests and limits (Kubernetes' GetPodQOS). */
import type { Container } from '@kemu/api';

/** Kubernetes QoS classes. */
export type QosClass = 'BestEffort' | 'Burstable' | 'Guaranteed';

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a resource quantity such as `250m`, `0.5`, `64Mi` or `1e3`; NaN when malformed. */
export function parseQuantity(q: string): number {
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const factor = SUFFIX[m[2] ?? ''];
  return factor === undefined ? Number.NaN : Number(m[1]) * factor;
}

const QOS_RESOURCES = ['cpu', 'memory'] as const;

/** Computes status.qosClass. */
export function qosClass(containers: readonly Container[]): QosClass {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of QOS_RESOURCES) {
      const limit = limits[r];
      const request = requests[r] ?? limit;
      if (request !== undefined && parseQuantity(request) !== 0) any = true;
      if (limit !== undefined && parseQuantity(limit) !== 0) any = true;
      if (limit === undefined || request === undefined || parseQuantity(limit) !== parseQuantity(request)) {
        guaranteed = false;
      }
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
