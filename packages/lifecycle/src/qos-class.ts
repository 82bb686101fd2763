/** The pod's QoS class from its containers' cpu and memory requests and limits (Kubernetes' GetPodQOS). */
import { type Container, parseQuantity as parseApiQuantity } from '@kemu/api';

/** Kubernetes QoS classes. */
export type QosClass = 'BestEffort' | 'Burstable' | 'Guaranteed';

/** Parses a resource quantity such as `250m`, `0.5`, `64Mi` or `1e3`; NaN when malformed. */
export function parseQuantity(q: string): number {
  try {
    return parseApiQuantity(q.trim());
  } catch {
    return Number.NaN;
  }
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
