/**
 * Failures of the container runtime, each with a stable `code` so callers branch on it
 * instead of on messages.
 */

/** An image's root filesystem could not be built (a host file of its recipe is missing, ldd failed). */
export class ImageBuildError extends Error {
  override readonly name = 'ImageBuildError';
  readonly code = 'ImageBuild';
}

/** A command of the runtime (runc, mount, umount) failed; `stderr` says why. */
export class RuntimeCommandError extends Error {
  override readonly name = 'RuntimeCommandError';
  readonly code = 'RuntimeCommand';
  readonly command: string;
  /** Exit code of the command, or null when it was killed or never started. */
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(command: string, exitCode: number | null, stderr: string, options?: { cause?: unknown }) {
    super(`${command} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`, options);
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** No container of that id exists on this runtime. */
export class ContainerNotFoundError extends Error {
  override readonly name = 'ContainerNotFoundError';
  readonly code = 'ContainerNotFound';
}

/** The operation needs another container state (start of a running container, exec into a stopped one). */
export class ContainerStateError extends Error {
  override readonly name = 'ContainerStateError';
  readonly code = 'ContainerState';
}

/** A container spec the runtime refuses (bad id, a volume type it does not support). */
export class InvalidContainerSpecError extends Error {
  override readonly name = 'InvalidContainerSpecError';
  readonly code = 'InvalidContainerSpec';
}

/** The runtime could not start the container's process (no such executable, a bad mount); Kubernetes' StartError. */
export class ContainerStartError extends Error {
  override readonly name = 'ContainerStartError';
  readonly code = 'ContainerStart';
}
