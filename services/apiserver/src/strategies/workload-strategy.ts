/** Deployments and ReplicaSets: a status subresource and the autoscaling/v1 `scale` subresource. */
import { statusStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

/** The strategy of scalable workloads (deployments, replicasets). */
export const workloadStrategy: ResourceStrategy = {
  ...statusStrategy,
  subresources: [
    { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  ],
};
