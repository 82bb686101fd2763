export { containerMachine } from './container-machine.js';
export type { ContainerContext, ContainerEvent, ContainerOutput } from './container-machine.js';
export { podMachine, containerActorId } from './pod-machine.js';
export type { PodContext, PodEvent, PodInput, SandboxInput } from './pod-machine.js';
export { podRuntimeFromSnapshot } from './pod-runtime.js';
export type { ContainerPhase, ContainerRuntime, PodRuntime, PodSnapshot, PodStage } from './pod-runtime.js';
export { podStatus, podStatusFromSnapshot, podPhase } from './pod-status.js';
export { qosClass, parseQuantity } from './qos-class.js';
export type { QosClass } from './qos-class.js';
export { nextRestartDelay } from './backoff.js';
export type { BackoffState } from './backoff.js';
export { DEFAULT_BACKOFF, MIN_GRACE_MS } from './types.js';
export type {
  AdoptedProcess,
  BackoffPolicy,
  ContainerInput,
  HookInput,
  KillEvent,
  LivenessEvent,
  ProcessEvent,
  ReadinessEvent,
  ReadinessInput,
  RestartPolicy,
  RunContainerInput,
  Termination,
} from './types.js';
