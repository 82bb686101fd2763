/**
 * The pods of the Services a pod belongs to, counted per node: what kube-scheduler's
 * default topology spread scores with (the selectors of the pod's Services, per
 * hostname), so a Service's pods spread over the nodes. Read from the Service → pods
 * index the endpoint controllers share (service-pod-index.ts); terminal and terminating
 * pods do not count, as upstream skips pods being deleted; bindings in flight count on
 * their assumed node.
 */
import type { Pod } from '@kemu/api';
import type { Informer } from '@kemu/eventlog';
import { isPodTerminal } from './conditions.js';
import { keyOf } from './controller.js';
import { servicePodIndex } from './service-pod-index.js';

/** Counts of a pod's Service peers per node. */
export interface ServicePeers {
  /** Node → pods (other than `pod`) of the Services selecting `pod`; `assumed` maps pod keys to nodes being bound. */
  perNode(pod: Pod, assumed: ReadonlyMap<string, string>): Map<string, number>;
}

/** Follows the informer's Services and pods through the shared index. */
export function trackServicePeers(informer: Informer): ServicePeers {
  const index = servicePodIndex(informer);
  return {
    perNode(pod, assumed) {
      const counts = new Map<string, number>();
      const services = index.servicesMatching(pod.metadata.namespace ?? 'default', pod.metadata.labels);
      const seen = services.length > 1 ? new Set<Pod>() : undefined;
      for (const service of services) {
        for (const peer of index.podsOf(service)) {
          if (peer.metadata.uid === pod.metadata.uid || peer.metadata.deletionTimestamp || isPodTerminal(peer))
            continue;
          if (seen?.has(peer)) continue;
          seen?.add(peer);
          const node = peer.spec.nodeName ?? assumed.get(keyOf('pods', peer));
          if (node) counts.set(node, (counts.get(node) ?? 0) + 1);
        }
      }
      return counts;
    },
  };
}
