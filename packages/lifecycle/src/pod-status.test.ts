import type { Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import type { ContainerRuntime, PodRuntime } from './pod-runtime.js';
import { podPhase, podStatus } from './pod-status.js';
import type { RestartPolicy, Termination } from './types.js';

const NOW = '2025-01-01T00:01:00.000Z';
const EARLIER = '2025-01-01T00:00:00.000Z';
const exit = (exitCode: number, pid = 10): Termination => ({
  exitCode,
  reason: exitCode === 0 ? 'Completed' : 'Error',
  startedAt: EARLIER,
  finishedAt: NOW,
  containerID: `kemu://${pid}`,
});
const c = (phase: ContainerRuntime['phase'], o: Partial<ContainerRuntime> = {}): ContainerRuntime => ({
  name: 'web',
  phase,
  ready: false,
  restartCount: 0,
  ...o,
});

describe('podPhase', () => {
  it.each<[string, ContainerRuntime[], RestartPolicy, string]>([
    ['creating', [c('creating')], 'Always', 'Pending'],
    ['running', [c('running')], 'Always', 'Running'],
    ['restarting after a crash', [c('creating', { exit: exit(1) })], 'Always', 'Running'],
    ['CrashLoopBackOff', [c('backOff', { exit: exit(1) })], 'Always', 'Running'],
    ['OnFailure in backoff', [c('backOff', { exit: exit(1) })], 'OnFailure', 'Running'],
    ['Never, exit 0', [c('terminated', { exit: exit(0) })], 'Never', 'Succeeded'],
    ['Never, exit 1', [c('terminated', { exit: exit(1) })], 'Never', 'Failed'],
    ['Never, one done one running', [c('terminated', { exit: exit(0) }), c('running')], 'Never', 'Running'],
    ['one creating one running', [c('creating'), c('running')], 'Always', 'Pending'],
    ['Always, stopped by deletion with exit 0', [c('stopped', { exit: exit(0) })], 'Always', 'Succeeded'],
    ['Always, killed on deletion', [c('stopped', { exit: exit(137) })], 'Always', 'Failed'],
    ['terminating, still running', [c('stopping', { startedAt: EARLIER })], 'Always', 'Running'],
  ])('%s → %s', (_what, containers, policy, phase) => {
    expect(podPhase(containers, policy)).toBe(phase);
  });
});

const pod = (o: Partial<Pod['spec']> = {}, status?: Pod['status']): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1' },
  spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx' }], ...o },
  ...(status ? { status } : {}),
});
const runtime = (containers: ContainerRuntime[], o: Partial<PodRuntime> = {}): PodRuntime => ({
  stage: 'running',
  sandboxReady: true,
  sandboxCreated: true,
  podIP: '10.244.1.7',
  hostIP: '10.250.0.11',
  startTime: EARLIER,
  containers,
  ...o,
});

describe('podStatus', () => {
  it('shows a new pod as Pending with ContainerCreating and no IP', () => {
    const s = podStatus(
      runtime([c('creating')], { stage: 'containerCreating', sandboxReady: false, sandboxCreated: false }),
      pod(),
      NOW,
    );
    expect(s).toMatchObject({ phase: 'Pending', hostIP: '10.250.0.11', startTime: EARLIER, qosClass: 'BestEffort' });
    expect(s.podIP).toBeUndefined();
    expect(s.containerStatuses).toEqual([
      {
        name: 'web',
        image: 'nginx',
        imageID: '',
        restartCount: 0,
        ready: false,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      },
    ]);
    expect(Object.fromEntries(s.conditions!.map((x) => [x.type, x.status]))).toEqual({
      PodReadyToStartContainers: 'False',
      Initialized: 'True',
      Ready: 'False',
      ContainersReady: 'False',
      PodScheduled: 'True',
    });
  });

  it('shows a running container that has not passed its startupProbe as not started', () => {
    const s = podStatus(runtime([c('running', { pid: 321, startedAt: EARLIER, startupPending: true })]), pod(), NOW);
    expect(s.containerStatuses?.[0]).toMatchObject({ started: false, ready: false });
  });

  it('shows a ready running container with its pid as containerID', () => {
    const s = podStatus(runtime([c('running', { ready: true, pid: 321, startedAt: EARLIER })]), pod(), NOW);
    expect(s.phase).toBe('Running');
    expect(s.podIPs).toEqual([{ ip: '10.244.1.7' }]);
    expect(s.containerStatuses?.[0]).toMatchObject({
      ready: true,
      started: true,
      containerID: 'kemu://321',
      imageID: 'kemu://image/nginx',
      state: { running: { startedAt: EARLIER } },
    });
    expect(s.conditions?.find((x) => x.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: NOW,
    });
  });

  it('shows CrashLoopBackOff with the last termination and the kubelet message', () => {
    const s = podStatus(runtime([c('backOff', { restartCount: 2, backoffMs: 20_000, exit: exit(1) })]), pod(), NOW);
    expect(s.containerStatuses?.[0]).toMatchObject({
      restartCount: 2,
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: 'back-off 20s restarting failed container=web pod=web-1_shop(uid-1)',
        },
      },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: NOW, containerID: 'kemu://10' } },
    });
  });

  it('shows a completed container as terminated with its previous run as lastState', () => {
    const s = podStatus(
      runtime([c('terminated', { restartCount: 1, exit: exit(0, 11), previousExit: exit(1, 10) })]),
      pod({ restartPolicy: 'OnFailure' }),
      NOW,
    );
    expect(s.phase).toBe('Succeeded');
    expect(s.containerStatuses?.[0]).toMatchObject({
      state: { terminated: { exitCode: 0, reason: 'Completed', containerID: 'kemu://11' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', containerID: 'kemu://10' } },
      containerID: 'kemu://11',
    });
  });

  it('keeps lastTransitionTime and startTime of unchanged conditions and foreign conditions', () => {
    const previous = podStatus(runtime([c('running', { ready: true, pid: 1, startedAt: EARLIER })]), pod(), EARLIER);
    previous.conditions!.push({ type: 'DisruptionTarget', status: 'True', lastTransitionTime: EARLIER });
    previous.startTime = '2024-12-31T00:00:00.000Z';
    const again = podStatus(
      runtime([c('running', { ready: true, pid: 1, startedAt: EARLIER })]),
      pod({}, previous),
      NOW,
    );
    expect(again).toEqual(previous);
    const unready = podStatus(runtime([c('running', { pid: 1, startedAt: EARLIER })]), pod({}, previous), NOW);
    expect(unready.conditions?.find((x) => x.type === 'Ready')?.lastTransitionTime).toBe(NOW);
    expect(unready.conditions?.find((x) => x.type === 'Initialized')?.lastTransitionTime).toBe(EARLIER);
  });

  it('computes the QoS class from the spec', () => {
    const spec = {
      containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '250m', memory: '64Mi' } } }],
    };
    expect(podStatus(runtime([c('creating')]), pod(spec), NOW).qosClass).toBe('Burstable');
  });

  it('shows a container that cannot be configured yet as waiting with its reason and the kubelet message', () => {
    const configError = { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' };
    const s = podStatus(runtime([c('creating', { configError })]), pod(), NOW);
    expect(s.containerStatuses?.[0]?.state).toEqual({ waiting: configError });
  });
});
