/** Jobs (batch/v1): a status subresource, and the selector the apiserver generates on create. */
import { generateJobSelector } from '@kemu/api';
import { statusStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

/** The strategy of Jobs. */
export const jobStrategy: ResourceStrategy = {
  ...statusStrategy,
  prepareForCreate(obj) {
    statusStrategy.prepareForCreate(obj);
    generateJobSelector(obj);
  },
};
