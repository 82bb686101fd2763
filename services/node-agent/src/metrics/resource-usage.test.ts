import { pod } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { measureResourceUsage } from './resource-usage.js';

describe('measureResourceUsage', () => {
  it("measures each running container by the pid in its containerID; the node is its pods plus the agent's own", () => {
    const running = (name: string, pid: number) => ({
      name,
      ready: true,
      restartCount: 0,
      image: 'busybox',
      imageID: '',
      containerID: `kemu://${pid}`,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    });
    const web = pod('web', { node: 'n1' });
    web.status = { phase: 'Running', containerStatuses: [running('app', 10), running('gone', 11)] };
    const pending = pod('pending', { node: 'n1', phase: 'Pending' });
    const usage = measureResourceUsage({
      pods: () => [web, pending],
      measure: (pid) => (pid === 10 ? { cpuSeconds: 2, memoryBytes: 100 } : undefined),
      own: (pids) => {
        expect([...pids]).toEqual([10, 11]);
        return { cpuSeconds: 1, memoryBytes: 50 };
      },
      now: () => 1234,
    });
    expect(usage).toEqual({
      timestampMs: 1234,
      node: { cpuSeconds: 3, memoryBytes: 150 },
      containers: [
        {
          namespace: 'default',
          pod: 'web',
          container: 'app',
          cpuSeconds: 2,
          memoryBytes: 100,
          startTime: Date.parse('2026-01-01T00:00:00Z') / 1000,
        },
      ],
    });
  });

  it("measures a mirror pod by the process its containerID ends in, and no other pod's that way", () => {
    const status = (id: string) => ({
      phase: 'Running' as const,
      containerStatuses: [
        { name: 'p', ready: true, restartCount: 0, image: '', imageID: '', containerID: id, state: { running: {} } },
      ],
    });
    const proxy = pod('kube-proxy-n1', {
      node: 'n1',
      metadata: { annotations: { 'kubernetes.io/config.mirror': 'x' } },
    });
    proxy.status = status('kemu://kube-proxy-n1-4321');
    const other = pod('other', { node: 'n1' });
    other.status = status('kemu://something-99');
    const measured: number[] = [];
    const usage = measureResourceUsage({
      pods: () => [proxy, other],
      measure: (pid) => {
        measured.push(pid);
        return { cpuSeconds: 1, memoryBytes: 1 };
      },
      own: () => undefined,
    });
    expect(measured).toEqual([4321]);
    expect(usage.containers.map((c) => c.pod)).toEqual(['kube-proxy-n1']);
  });
});
