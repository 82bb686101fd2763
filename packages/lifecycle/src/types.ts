/** Data shared by the pod and container machines and by the status mapping. */

/** Kubernetes' restartPolicy. */
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** One finished run of a container, as ContainerStateTerminated records it. */
export interface Termination {
  exitCode: number;
  /** Signal number when the process was killed by a signal. */
  signal?: number;
  /** Completed (exit 0), Error, or ContainerStatusUnknown (exit status lost, e.g. after an agent restart). */
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt: string;
  /** `kemu://<pid>` of the run. */
  containerID?: string;
}

/** CrashLoopBackOff timing; Kubernetes uses 10 s doubling up to 300 s. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Kubernetes' kubelet defaults: backOffPeriod 10 s, MaxContainerBackOff 300 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };

/** The 2 s minimum shutdown window (kuberuntime `minimumGracePeriodInSeconds`). */
export const MIN_GRACE_MS = 2_000;

/** How one container starts: fresh, adopted from a previous agent, or already finished. */
export interface ContainerInput {
  name: string;
  restartPolicy: RestartPolicy;
  /** Restarts so far (kept across agent restarts). */
  restartCount?: number;
  /** A process from a previous node-agent that still runs: watch it instead of spawning. */
  adopt?: AdoptedProcess;
  /** The previous run (shown as lastState). */
  lastTermination?: Termination;
  /** The container already finished for good (restartPolicy keeps it down): start in `terminated`. */
  terminated?: Termination;
  backoff?: BackoffPolicy;
  /** The container has a startupProbe: each run is not `started` until STARTUP_SUCCEEDED. */
  startupProbe?: boolean;
  /** SIGTERM→SIGKILL window when a failed liveness probe kills the container (the pod's terminationGracePeriodSeconds). */
  graceMs?: number;
  /** The container has lifecycle.preStop: every stop and kill runs the `preStop` actor before SIGTERM. */
  preStop?: boolean;
  /** The container has lifecycle.postStart: every run runs the `postStart` actor before it counts as running. */
  postStart?: boolean;
}

/** What the `preStop` and `postStart` hook actors get. */
export interface HookInput {
  name: string;
  pid: number;
  /** How long the hook may take before the kubelet stops waiting for it. */
  timeoutMs: number;
}

/** A running process left by a previous node-agent, with the readiness it had published. */
export interface AdoptedProcess {
  pid: number;
  startedAt: string;
  ready?: boolean;
}

/** What the `runContainer` actor gets: it spawns (or adopts) one run of the container. */
export interface RunContainerInput {
  name: string;
  restartCount: number;
  adopt?: AdoptedProcess;
}

/** What the `readiness` actor gets: it reports READINESS_SUCCEEDED/FAILED while the run lasts. */
export interface ReadinessInput {
  name: string;
  pid: number;
  /** Ready already (an adopted process that was published ready): report only changes. */
  initiallyReady: boolean;
}

/** Events the running process sends to its container machine. */
export type ProcessEvent =
  | { type: 'PROCESS_STARTED'; pid: number; startedAt: string }
  /** The container cannot be created yet (a missing ConfigMap or Secret); the runtime keeps trying. */
  | { type: 'CONFIG_ERROR'; reason: string; message: string }
  /** exitCode undefined: the process is gone but its status is unknown (an adopted pid). */
  | {
      type: 'PROCESS_EXITED';
      exitCode?: number;
      signal?: number;
      finishedAt: string;
      /** Why the runtime ended it, when it did (OOMKilled, StartError); otherwise derived from the exit code. */
      reason?: string;
      /** What went wrong, when the runtime knows (a StartError's cause). */
      message?: string;
    };

/** Readiness results; today from the node-agent's checker, later from probes. */
export type ReadinessEvent = { type: 'READINESS_SUCCEEDED' } | { type: 'READINESS_FAILED' };

/**
 * Health results of the `liveness` actor: STARTUP_SUCCEEDED once the startupProbe passed,
 * LIVENESS_FAILED once the startup or liveness probe failed failureThreshold times in a row.
 */
export type LivenessEvent =
  /** graceMs: the failed probe's own terminationGracePeriodSeconds, when it sets one. */
  { type: 'LIVENESS_FAILED'; message?: string; graceMs?: number } | { type: 'STARTUP_SUCCEEDED' };

/** What the container machine sends to its `runContainer` actor. */
export type KillEvent = { type: 'KILL'; signal: 'SIGTERM' | 'SIGKILL' };
