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
});
