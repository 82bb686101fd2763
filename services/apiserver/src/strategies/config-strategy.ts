/**
 * ConfigMaps and Secrets. As in Kubernetes, a Secret's `stringData` is merged into `data`
 * when the request is decoded (defaultObject: the v1 → internal conversion), and the
 * `immutable` rules are validation (validateObject with the stored object), so the
 * strategies add nothing to the default verbs: no status, no subresources.
 */
import { defaultStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

/** The strategy of configmaps. */
export const configMapStrategy: ResourceStrategy = { ...defaultStrategy };

/** The strategy of secrets. */
export const secretStrategy: ResourceStrategy = { ...defaultStrategy };
