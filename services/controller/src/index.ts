export { createControllerManager } from './controller-manager.js';
export type { ControllerManager, ControllerManagerOptions } from './controller-manager.js';
export type { Controller } from './controller.js';
export { createWorkQueue } from './work-queue.js';
export type { WorkQueue, WorkQueueOptions } from './work-queue.js';
export { pickNode } from './pick-node.js';
export { reconcileEndpoints } from './reconcile-endpoints.js';
export {
  reconcileEndpointSlices,
  ENDPOINTSLICE_CONTROLLER,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
} from './reconcile-endpoint-slices.js';
