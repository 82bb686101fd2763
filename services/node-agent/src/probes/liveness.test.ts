import type { Container, Probe } from '@kemu/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type HealthProbeKind, probeGraceMs, probeTiming, watchLiveness } from './liveness.js';
import type { ProbeResult } from './probe.js';

/** A prober whose answer per probe kind the test sets. */
function scripted() {
  const answers = new Map<Probe, boolean>();
  const calls: Probe[] = [];
  const attempt = async (probe: Probe): Promise<ProbeResult> => {
    calls.push(probe);
    return answers.get(probe)
      ? { ok: true, message: '' }
      : { ok: false, message: 'HTTP probe failed with statuscode: 503' };
  };
  return { answers, calls, attempt };
}

function recorder() {
  const seen: string[] = [];
  return {
    seen,
    handlers: {
      started: () => seen.push('started'),
      attemptFailed: (kind: HealthProbeKind) => seen.push(`${kind} attempt failed`),
      failed: (kind: HealthProbeKind) => seen.push(`${kind} failed`),
    },
  };
}

const target = (container: Partial<Container>) => ({
  podIP: '127.0.0.1',
  podNetns: 'unused',
  container: { name: 'c', image: 'x', ...container } as Container,
});

describe('probeTiming', () => {
  it('applies the Kubernetes defaults and floors', () => {
    expect(probeTiming({})).toEqual({ initialDelayMs: 0, periodMs: 10_000, failureThreshold: 3 });
    expect(probeTiming({ initialDelaySeconds: 5, periodSeconds: 0, failureThreshold: 0 })).toEqual({
      initialDelayMs: 5_000,
      periodMs: 1_000,
      failureThreshold: 1,
    });
  });
});

describe('probeGraceMs', () => {
  it("uses the failed probe's own terminationGracePeriodSeconds, else leaves the pod's grace", () => {
    const c = {
      name: 'c',
      image: 'x',
      livenessProbe: { exec: { command: ['false'] }, terminationGracePeriodSeconds: 5 },
      startupProbe: { exec: { command: ['false'] } },
    } as Container;
    expect(probeGraceMs(c, 'Liveness')).toBe(5_000);
    expect(probeGraceMs(c, 'Startup')).toBeUndefined();
    expect(probeGraceMs({ name: 'c', image: 'x' }, 'Liveness')).toBeUndefined();
  });
});

describe('watchLiveness (fake timers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fails after failureThreshold liveness failures in a row, probing every period after the initial delay', async () => {
    const liveness: Probe = { httpGet: { port: 8080, path: '/health' }, initialDelaySeconds: 5, periodSeconds: 2 };
    const p = scripted();
    p.answers.set(liveness, true);
    const r = recorder();
    watchLiveness({ ...target({ livenessProbe: liveness }), attempt: p.attempt }, r.handlers);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.seen).toEqual(['started']);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(p.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.calls).toHaveLength(1);
    p.answers.set(liveness, false);
    await vi.advanceTimersByTimeAsync(2_000 * 2);
    expect(r.seen).toEqual(['started', 'Liveness attempt failed', 'Liveness attempt failed']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(r.seen.at(-1)).toBe('Liveness failed');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(p.calls).toHaveLength(4);
  });

  it('resets the failure count on a success', async () => {
    const liveness: Probe = { exec: { command: ['true'] }, periodSeconds: 1, failureThreshold: 2 };
    const p = scripted();
    const r = recorder();
    watchLiveness({ ...target({ livenessProbe: liveness }), attempt: p.attempt }, r.handlers);
    await vi.advanceTimersByTimeAsync(0);
    p.answers.set(liveness, true);
    await vi.advanceTimersByTimeAsync(1_000);
    p.answers.set(liveness, false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.seen).not.toContain('Liveness failed');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.seen).toContain('Liveness failed');
  });

  it('holds liveness back until the startup probe passes', async () => {
    const startup: Probe = { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 30 };
    const liveness: Probe = { httpGet: { port: 8080, path: '/health' }, periodSeconds: 1 };
    const p = scripted();
    p.answers.set(liveness, true);
    const r = recorder();
    watchLiveness({ ...target({ startupProbe: startup, livenessProbe: liveness }), attempt: p.attempt }, r.handlers);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(r.seen).toEqual(['Startup attempt failed', 'Startup attempt failed', 'Startup attempt failed']);
    expect(p.calls.every((c) => c === startup)).toBe(true);
    p.answers.set(startup, true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.seen.at(-1)).toBe('started');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.calls.at(-1)).toBe(liveness);
  });

  it('fails when the startup probe never passes within failureThreshold', async () => {
    const startup: Probe = { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 };
    const p = scripted();
    const r = recorder();
    watchLiveness({ ...target({ startupProbe: startup }), attempt: p.attempt }, r.handlers);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.seen).toEqual(['Startup attempt failed', 'Startup attempt failed', 'Startup failed']);
  });

  it('skips the startup probe of a run that was already started (adopted)', async () => {
    const startup: Probe = { exec: { command: ['false'] }, periodSeconds: 1 };
    const p = scripted();
    const r = recorder();
    watchLiveness({ ...target({ startupProbe: startup }), alreadyStarted: true, attempt: p.attempt }, r.handlers);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(r.seen).toEqual(['started']);
    expect(p.calls).toHaveLength(0);
  });
});
