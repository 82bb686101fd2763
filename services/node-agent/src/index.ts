export { allocatePodIP, parseCidr, gatewayOf, ipToInt, intToIp, InvalidCidrError } from './pods/pod-ip-allocator.js';
export type { Cidr } from './pods/pod-ip-allocator.js';
export { containerLaunch, containerPorts, runsBuiltIn, expandVars } from './runtime/container-launch.js';
export type { ContainerLaunch, LaunchContext } from './runtime/container-launch.js';
export { serviceEnvVars } from './runtime/service-env.js';
export { createPodSandbox, resolvConf, hostsFile } from './pods/pod-sandbox.js';
export type { PodSandbox, PodSandboxOptions } from './pods/pod-sandbox.js';
export {
  startProcess,
  adoptProcess,
  readProcEnviron,
  readProcStat,
  ProcessStartError,
} from './runtime/process-runner.js';
export type { ContainerProcess, ProcessExit, ProcessSpec } from './runtime/process-runner.js';
export { resumePod, resumeContainer, pidOf, sandboxExisted } from './pods/pod-adoption.js';
export { startPodWorker } from './pods/pod-worker.js';
export { containerActors } from './runtime/container-actors.js';
export type { ContainerActorsContext } from './runtime/container-actors.js';
export type { PodWorker, PodWorkerDeps } from './pods/pod-worker.js';
export { createPodManager } from './pods/pod-manager.js';
export type { PodManager, PodManagerOptions } from './pods/pod-manager.js';
export {
  createNodeRegistration,
  desiredNode,
  nodeConditions,
  KUBELET_VERSION,
} from './registration/node-registration.js';
export type { NodeFacts, NodeRegistration } from './registration/node-registration.js';
export { readNodeFacts } from './registration/node-facts.js';
export { watchReadiness } from './probes/readiness.js';
export { runProbe } from './probes/probe.js';
export { startPodStreams } from './streams/pod-streams.js';
export type { PodStreams, PodStreamsOptions } from './streams/pod-streams.js';
export type { NodeBus } from '@kemu/eventlog';
