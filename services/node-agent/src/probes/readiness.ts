/**
 * Readiness of one container run, reported as events for the lifecycle machine. Without
 * a readinessProbe the container is ready once its process runs, and for the built-in
 * HTTP workload once every container port accepts TCP (polled every 20 ms for the first
 * 2 s, when a just-started workload is about to listen, then every 100 ms). With a
 * readinessProbe the kubelet's rules apply: first attempt after initialDelaySeconds,
 * then every periodSeconds; successThreshold / failureThreshold consecutive results flip it.
 */
import type { Container } from '@kemu/api';
import { type ProbeTarget, probeOnce, tcpConnects } from './probe.js';

/** What to watch. */
export interface ReadinessOptions extends ProbeTarget {
  /** The built-in HTTP workload (ports must accept connections). */
  builtIn: boolean;
  ports: number[];
  /** Already reported ready (adopted process): report only a change. */
  initiallyReady?: boolean;
  pollMs?: number;
  /** Called with the prober's message after each failed readinessProbe attempt (the kubelet's Unhealthy event). */
  onProbeFailure?: (message: string) => void;
}

/** Starts watching; `report(true|false)` on each change of readiness. Returns the stopper. */
export function watchReadiness(options: ReadinessOptions, report: (ready: boolean) => void): () => void {
  const probe = (options.container as Container).readinessProbe;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const later = (ms: number, fn: () => Promise<void>) => {
    if (!stopped) timer = setTimeout(() => void fn(), ms);
  };

  if (!probe) {
    if (options.initiallyReady) {
      // Ready already and nothing probes it: nothing to report.
    } else if (!options.builtIn) {
      queueMicrotask(() => !stopped && report(true));
    } else {
      const ports = options.ports.length > 0 ? options.ports : [8080];
      const started = Date.now();
      const pollMs = () => options.pollMs ?? (Date.now() - started < 2_000 ? 20 : 100);
      const poll = async () => {
        const results = await Promise.all(ports.map((p) => tcpConnects(options.podIP, p, 1_000)));
        if (stopped) return;
        if (results.every(Boolean)) report(true);
        else later(pollMs(), poll);
      };
      void poll();
    }
  } else {
    const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const successThreshold = Math.max(1, probe.successThreshold ?? 1);
    const failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
    let ready = options.initiallyReady === true;
    let successes = 0;
    let failures = 0;
    const attempt = async () => {
      const { ok, message } = await probeOnce(probe, options);
      if (stopped) return;
      if (!ok) options.onProbeFailure?.(message);
      successes = ok ? successes + 1 : 0;
      failures = ok ? 0 : failures + 1;
      if (!ready && successes >= successThreshold) {
        ready = true;
        report(true);
      } else if (ready && failures >= failureThreshold) {
        ready = false;
        report(false);
      }
      later(period, attempt);
    };
    later(Math.max(0, probe.initialDelaySeconds ?? 0) * 1000, attempt);
  }
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
