import type { KubeObject, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { buildMirrorPod, mirrorPodStatus } from './mirror-pod.js';

const container = {
  name: 'kube-proxy',
  image: 'kemu/kube-proxy',
  lastTerminated: { exitCode: 0, reason: 'Completed' },
};
const run = { node: 'node-1', nodeIP: '10.250.0.11', containerID: 'kemu://1', startedAt: '2026-11-26T18:00:00Z' };
const bare: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-proxy-node-1' }, spec: {} };

describe('mirrorPodStatus', () => {
  it('shows the process Running on the node IP, and nothing to change the second time', () => {
    const pod = mirrorPodStatus(bare, run, container, true) as Pod;
    expect(pod.status?.podIP).toBe('10.250.0.11');
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, ready: true, lastState: {} });
    expect(mirrorPodStatus(pod, run, container, true)).toBeUndefined();
  });

  it('counts a new process as a restart with the last state, and can mark it not ready', () => {
    const first = mirrorPodStatus(bare, run, container, true) as Pod;
    const second = mirrorPodStatus(first, { ...run, containerID: 'kemu://2' }, container, true) as Pod;
    expect(second.status?.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      lastState: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    const stopping = mirrorPodStatus(second, { ...run, containerID: 'kemu://2' }, container, false) as Pod;
    expect(stopping.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(stopping.status?.containerStatuses?.[0]?.restartCount).toBe(1);
  });
});

describe('buildMirrorPod', () => {
  it('binds the pod to its node with host networking and marks it as a mirror of its own uid', () => {
    const key = { resource: 'pods', namespace: 'kube-system', name: 'kube-proxy-node-1' };
    const pod = buildMirrorPod(
      key,
      run,
      'kube-proxy',
      { containers: [{ name: 'p', image: 'i' }], nodeName: 'x' },
      'u1',
    );
    expect(pod.metadata).toMatchObject({
      name: 'kube-proxy-node-1',
      namespace: 'kube-system',
      uid: 'u1',
      labels: { 'k8s-app': 'kube-proxy' },
      annotations: { 'kubernetes.io/config.mirror': 'u1' },
    });
    expect(pod.spec).toMatchObject({ nodeName: 'node-1', hostNetwork: true, restartPolicy: 'Always' });
  });
});
