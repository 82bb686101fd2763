/**
 * Nodes: a status subresource, but a create keeps the client's status, since a
 * node-agent registers its node with its addresses and capacity in one write, as the
 * kubelet does.
 */
import { statusStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

/** The strategy of nodes. */
export const nodeStrategy: ResourceStrategy = {
  ...statusStrategy,
  prepareForCreate() {},
};
