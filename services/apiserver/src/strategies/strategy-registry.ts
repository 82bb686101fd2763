/** Which strategy each resource uses; resources not listed use the default strategy. */
import type { ResourceType } from '@kemu/api';
import { configMapStrategy, secretStrategy } from './config-strategy.js';
import { defaultStrategy, statusStrategy } from './default-strategy.js';
import { jobStrategy } from './job-strategy.js';
import { namespaceStrategy } from './namespace-strategy.js';
import { nodeStrategy } from './node-strategy.js';
import { podStrategy } from './pod-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';
import { serviceAccountStrategy } from './serviceaccount-strategy.js';
import { serviceStrategy } from './service-strategy.js';
import { workloadStrategy } from './workload-strategy.js';

const STRATEGIES: ReadonlyMap<string, ResourceStrategy> = new Map([
  ['pods', podStrategy],
  ['services', serviceStrategy],
  ['serviceaccounts', serviceAccountStrategy],
  ['namespaces', namespaceStrategy],
  ['nodes', nodeStrategy],
  ['deployments', workloadStrategy],
  ['replicasets', workloadStrategy],
  ['configmaps', configMapStrategy],
  ['secrets', secretStrategy],
  ['statefulsets', workloadStrategy],
  ['daemonsets', statusStrategy],
  ['jobs', jobStrategy],
  ['cronjobs', statusStrategy],
]);

/** The strategy of a resource type. */
export function strategyFor(type: ResourceType): ResourceStrategy {
  return STRATEGIES.get(type.resource) ?? defaultStrategy;
}
