/**
 * Deployments, ReplicaSets and their pods for the workload planner tests: a Deployment
 * `default/shop` selecting `app: shop` with an nginx template, and helpers that give a
 * ReplicaSet a size and a status.
 */
import { type Deployment, type Pod, type ReplicaSet, defaultObject } from '@kemu/api';
import { newControllerRef } from '../controller-ref.js';
import { newReplicaSet } from '../reconcile-deployment.js';

/** A fixed clock value for the tests. */
export const NOW = new Date('2026-01-01T12:00:00Z');

/** Deployment `default/shop` (uid `d-uid`) with `replicas` of image `image`, defaulted as the apiserver stores it. */
export function deployment(replicas: number, image = 'nginx', spec: Partial<Deployment['spec']> = {}): Deployment {
  return defaultObject<Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'shop', namespace: 'default', uid: 'd-uid', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'shop' } },
      template: {
        metadata: { labels: { app: 'shop' } },
        spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      ...spec,
    },
  });
}

/** The Deployment's ReplicaSet for its current template, sized `replicas`, with `available` pods reported. */
export function replicaSetOf(
  d: Deployment,
  replicas: number,
  available = replicas,
  o: { revision?: number; created?: string; uid?: string } = {},
): ReplicaSet {
  const rs = newReplicaSet(d, replicas, o.revision ?? 1, new Date(o.created ?? '2026-01-01T10:00:00Z'));
  return {
    ...rs,
    metadata: { ...rs.metadata, uid: o.uid ?? `uid-${rs.metadata.name}`, resourceVersion: '7' },
    status: {
      replicas: available,
      readyReplicas: available,
      availableReplicas: available,
      fullyLabeledReplicas: available,
      observedGeneration: 1,
    },
  };
}

/** How a test pod of a ReplicaSet differs from a Running, Ready, scheduled one. */
export interface RsPodOpts {
  ready?: boolean;
  node?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  created?: string;
  deleting?: boolean;
  restarts?: number;
}

/** A pod `name` controlled by `rs`. */
export function podOf(rs: ReplicaSet, name: string, o: RsPodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: o.created ?? '2026-01-01T11:00:00Z',
      labels: { ...rs.spec.template.metadata?.labels },
      ownerReferences: [newControllerRef(rs)],
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T12:00:30Z' } : {}),
    },
    spec: { containers: [{ name: 'web', image: 'nginx' }], ...(o.node === '' ? {} : { nodeName: o.node ?? 'node-1' }) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.created }],
      containerStatuses: [
        {
          name: 'web',
          image: 'nginx',
          imageID: '',
          ready: o.ready !== false,
          restartCount: o.restarts ?? 0,
          state: {},
          lastState: {},
        },
      ],
    },
  };
}
