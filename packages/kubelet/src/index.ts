export { KUBELET_VERSION, desiredNode, nodeConditions } from './node-object.js';
export type { NodeFacts } from './node-object.js';
export { NODE_LEASE_DURATION_SECONDS, microTime, renewedLease } from './node-lease-object.js';
export { allocatePodIP, gatewayOf, parsePodCidr } from './pod-ip-allocator.js';
export { HOLLOW_NODE_IP, hollowNodeLayout, hollowStopFile } from './hollow-layout.js';
export type { HollowNodeLayout } from './hollow-layout.js';
