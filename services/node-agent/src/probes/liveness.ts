/**
 * Startup and liveness probing of one container run, as the kubelet's prober does it:
 * the startupProbe (if any) runs first and gates the others — it passes after
 * successThreshold (always 1) successes, and failureThreshold failures in a row fail
 * it; then the livenessProbe runs, and failureThreshold failures in a row fail it.
 * Each attempt waits initialDelaySeconds first, then periodSeconds between attempts.
 * A failure of either means the container is killed and restarted (the machine decides).
 */
import type { Container, Probe } from '@kemu/api';
import { type ProbeResult, type ProbeTarget, probeOnce } from './probe.js';

/** Which probe an attempt belongs to. */
export type HealthProbeKind = 'Startup' | 'Liveness';

/** Callbacks of `watchLiveness`. */
export interface LivenessHandlers {
  /** The startup probe passed (or there is none): readiness probing may begin. */
  started(): void;
  /** A startup or liveness attempt failed with `message` (the kubelet's Unhealthy event). */
  attemptFailed(kind: HealthProbeKind, message: string): void;
  /** failureThreshold attempts in a row failed: the container must be killed. */
  failed(kind: HealthProbeKind, message: string): void;
}

/** What `watchLiveness` needs besides the target. */
export interface LivenessOptions extends ProbeTarget {
  /** Startup already passed for this run (an adopted process): start with liveness. */
  alreadyStarted?: boolean;
  /** Replaces the real probe attempt in tests. */
  attempt?: (probe: Probe, target: ProbeTarget) => Promise<ProbeResult>;
}

/** Probe timing with the Kubernetes defaults (period 10 s, failureThreshold 3, floors of 1). */
export function probeTiming(probe: Probe): { initialDelayMs: number; periodMs: number; failureThreshold: number } {
  return {
    initialDelayMs: Math.max(0, probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, probe.periodSeconds ?? 10) * 1000,
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
  };
}

/**
 * The kill grace of a failed startup or liveness probe: its own terminationGracePeriodSeconds
 * when set (Kubernetes 1.25+), else undefined (the pod's grace applies).
 */
export function probeGraceMs(container: Container, kind: HealthProbeKind): number | undefined {
  const probe = (kind === 'Startup' ? container.startupProbe : container.livenessProbe) as
    | (Probe & { terminationGracePeriodSeconds?: number })
    | undefined;
  const seconds = probe?.terminationGracePeriodSeconds;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Starts startup-then-liveness probing of one run; returns the stopper. */
export function watchLiveness(options: LivenessOptions, handlers: LivenessHandlers): () => void {
  const attemptOnce = options.attempt ?? probeOnce;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const later = (ms: number, fn: () => Promise<void>) => {
    if (!stopped) timer = setTimeout(() => void fn(), ms);
  };

  /** Runs `probe` until it succeeds once (`untilSuccess`) or fails failureThreshold times in a row. */
  const loop = (kind: HealthProbeKind, probe: Probe, untilSuccess: boolean, next: () => void) => {
    const { initialDelayMs, periodMs, failureThreshold } = probeTiming(probe);
    let failures = 0;
    const attempt = async () => {
      const { ok, message } = await attemptOnce(probe, options);
      if (stopped) return;
      if (ok) {
        failures = 0;
        if (untilSuccess) return next();
      } else {
        failures++;
        handlers.attemptFailed(kind, message);
        if (failures >= failureThreshold) {
          stopped = true;
          handlers.failed(kind, message);
          return;
        }
      }
      later(periodMs, attempt);
    };
    later(initialDelayMs, attempt);
  };

  const liveness = () => {
    handlers.started();
    const probe = options.container.livenessProbe;
    if (probe) loop('Liveness', probe, false, () => undefined);
  };
  const startup = options.container.startupProbe;
  if (startup && !options.alreadyStarted) loop('Startup', startup, true, liveness);
  else queueMicrotask(() => !stopped && liveness());

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
