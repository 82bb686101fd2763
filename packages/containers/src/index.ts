export {
  ContainerNotFoundError,
  ContainerStartError,
  ContainerStateError,
  ImageBuildError,
  InvalidContainerSpecError,
  RuntimeCommandError,
} from './errors.js';
export {
  DEFAULT_PATH,
  WORKLOAD_DIR,
  containerArgv,
  containerEnvironment,
  imageDefinition,
  parseImageReference,
} from './image-reference.js';
export type { ImageConfig, ImageDefinition, RootfsKind } from './image-reference.js';
export { createImageStore, imageStoreDir } from './image-store.js';
export type { Image, ImageMount, ImageStore, ImageStoreOptions } from './image-store.js';
export { DEFAULT_CAPABILITIES, MASKED_PATHS, READONLY_PATHS, capabilitySet, ociSpec } from './oci-spec.js';
export type { ContainerMount, ContainerUser, OciSpecInput } from './oci-spec.js';
export { containerExecArgv, createContainerRuntime, findContainerByPid, nodeRuntimeDir } from './container-runtime.js';
export type { ContainerCreate, ContainerRuntime, ContainerRuntimeOptions } from './container-runtime.js';
export type { ContainerExit, ContainerState } from './container-state.js';
export { removeRuntime } from './runtime-cleanup.js';
export { adoptContainer, runContainer } from './container-run.js';
export type { ContainerRun } from './container-run.js';
export type { RuncExecOptions } from './runc-cli.js';
