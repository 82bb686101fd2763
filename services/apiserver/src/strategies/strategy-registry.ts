/** Which strategy each resource uses; resources not listed use the default strategy. */
import type { ResourceType } from '@kemu/api';
import { defaultStrategy } from './default-strategy.js';
import { namespaceStrategy } from './namespace-strategy.js';
import { nodeStrategy } from './node-strategy.js';
import { podStrategy } from './pod-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';
import { serviceStrategy } from './service-strategy.js';
import { workloadStrategy } from './workload-strategy.js';

const STRATEGIES: ReadonlyMap<string, ResourceStrategy> = new Map([
  ['pods', podStrategy],
  ['services', serviceStrategy],
  ['namespaces', namespaceStrategy],
  ['nodes', nodeStrategy],
  ['deployments', workloadStrategy],
  ['replicasets', workloadStrategy],
]);

/** The strategy of a resource type. */
export function strategyFor(type: ResourceType): ResourceStrategy {
  return STRATEGIES.get(type.resource) ?? defaultStrategy;
}
