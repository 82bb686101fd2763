import type { ContainerStatus, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { pidOf, resumeContainer, resumePod } from './pod-adoption.js';

const T = '2025-01-01T00:00:00.000Z';
const running = (pid: number, restartCount = 0, o: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name: 'c',
  image: 'nginx',
  imageID: '',
  containerID: `kemu://${pid}`,
  ready: true,
  restartCount,
  state: { running: { startedAt: T } },
  lastState: {},
  ...o,
});
const terminated = (exitCode: number, restartCount = 0): ContainerStatus => ({
  name: 'c',
  image: 'nginx',
  imageID: '',
  containerID: 'kemu://5',
  ready: false,
  restartCount,
  state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: T } },
  lastState: {},
});

describe('resumeContainer', () => {
  it('adopts a live process with its restart count and last state', () => {
    const s = running(42, 3, { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: T } } });
    expect(resumeContainer('c', 'Always', s, true)).toEqual({
      name: 'c',
      restartPolicy: 'Always',
      restartCount: 3,
      adopt: { pid: 42, startedAt: T, ready: true },
      lastTermination: { exitCode: 1, reason: 'Error', finishedAt: T },
    });
  });

  it('restarts a process that died unseen, with status unknown', () => {
    const r = resumeContainer('c', 'Always', running(42, 1), false);
    expect(r).toMatchObject({
      restartCount: 2,
      lastTermination: { exitCode: 137, reason: 'ContainerStatusUnknown', containerID: 'kemu://42' },
    });
    expect(r.adopt).toBeUndefined();
  });

  it.each<['Never' | 'OnFailure' | 'Always', ContainerStatus, string]>([
    ['Never', terminated(0), 'terminated'],
    ['Never', terminated(2), 'terminated'],
    ['OnFailure', terminated(0), 'terminated'],
    ['OnFailure', terminated(2), 'restart'],
    ['Always', terminated(0), 'restart'],
  ])('restartPolicy %s after %o: %s', (policy, status, what) => {
    const r = resumeContainer('c', policy, status, false);
    if (what === 'terminated') expect(r.terminated).toMatchObject({ exitCode: status.state.terminated?.exitCode });
    else expect(r).toMatchObject({ restartCount: 1, lastTermination: { exitCode: status.state.terminated?.exitCode } });
  });

  it('starts a container that never started from scratch', () => {
    const creating: ContainerStatus = {
      ...running(0),
      containerID: undefined,
      state: { waiting: { reason: 'ContainerCreating' } },
    };
    expect(resumeContainer('c', 'Always', creating, false)).toEqual({
      name: 'c',
      restartPolicy: 'Always',
      restartCount: 0,
    });
    expect(resumeContainer('c', 'Always', undefined, false)).toEqual({ name: 'c', restartPolicy: 'Always' });
  });

  it('parses kemu container IDs', () => {
    expect(pidOf('kemu://123')).toBe(123);
    expect(pidOf('containerd://abc')).toBeUndefined();
  });
});

describe('resumePod', () => {
  it('adopts only a pid whose environment names this pod and container', async () => {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default', uid: 'uid-1' },
      spec: {
        containers: [
          { name: 'c', image: 'nginx' },
          { name: 'd', image: 'nginx' },
        ],
      },
      status: { containerStatuses: [running(10), { ...running(11), name: 'd' }] },
    };
    const environ = async (pid: number) =>
      pid === 10
        ? { KEMU_POD_UID: 'uid-1', KEMU_CONTAINER_NAME: 'c' }
        : { KEMU_POD_UID: 'other', KEMU_CONTAINER_NAME: 'd' };
    const [c, d] = await resumePod(pod, environ);
    expect(c?.adopt).toEqual({ pid: 10, startedAt: T, ready: true });
    expect(d?.adopt).toBeUndefined();
    expect(d?.restartCount).toBe(1);
  });
});
