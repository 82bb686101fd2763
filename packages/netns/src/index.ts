export { NetnsCommandError, InvalidLayoutError } from './errors.js';
export { run } from './run.js';
export type { RunOptions, RunResult } from './run.js';
export {
  ipIn,
  ipBatch,
  listNetns,
  netnsExists,
  addNetns,
  deleteNetns,
  netnsPids,
  killNetnsPids,
  linkExists,
  deleteLink,
} from './netns.js';
export { createPodNetwork, deletePodNetwork } from './pod-network.js';
export type { Exec, PodNetworkOptions, PodNetworkRef } from './pod-network.js';
export { createCommandRunner } from './command-runner.js';
export type { CommandRunner } from './command-runner.js';
export {
  MAX_NODES,
  validateClusterName,
  subnetIndexFor,
  clusterNetnsPrefix,
  nodeNetnsName,
  podNetnsName,
  podHostVethName,
  clusterLayout,
} from './cluster-layout.js';
export type { ClusterLayout, NodeLayout } from './cluster-layout.js';
export { createClusterNetwork, deleteClusterNetwork } from './cluster-network.js';
export type { ClusterNetworkOptions } from './cluster-network.js';
export { POD_FENCE_TABLE, FENCE_OPEN_PORTS, fencePods, podFenceRuleset, subnetOf } from './pod-fence.js';
export type { PodFenceOptions } from './pod-fence.js';
export {
  routeTo,
  findL2Network,
  nodeVethName,
  attachNodeNetns,
  detachNodeNetns,
  addressesSeenOn,
  podBridgeMac,
  ensurePodBridge,
} from './node-attach.js';
export type { L2Network, AttachNodeOptions } from './node-attach.js';
