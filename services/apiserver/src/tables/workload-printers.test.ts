import type { KubeObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { printerFor } from './printers.js';

const now = Date.parse('2025-01-01T01:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  creationTimestamp: '2025-01-01T00:57:57Z',
  ...extra,
});
const template = { spec: { containers: [{ name: 'c', image: 'nginx' }] } };

const print = (resource: string, obj: unknown) => printerFor(resource, 'v1.32.4').cells(obj as KubeObject, now);
const header = (resource: string) =>
  printerFor(resource, 'v1.32.4').columns.map((c) => (c.priority > 0 ? `(${c.name})` : c.name));

describe('the workload printers', () => {
  it('prints StatefulSets and ControllerRevisions as kubectl shows them', () => {
    expect(header('statefulsets')).toEqual(['Name', 'Ready', 'Age', '(Containers)', '(Images)']);
    const sts = { metadata: meta('web'), spec: { replicas: 3, template }, status: { readyReplicas: 2 } };
    expect(print('statefulsets', sts)).toEqual(['web', '2/3', '2m3s', 'c', 'nginx']);
    expect(header('controllerrevisions')).toEqual(['Name', 'Controller', 'Revision', 'Age']);
    const rev = {
      metadata: meta('web-abc', {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }],
      }),
      revision: 2,
    };
    expect(print('controllerrevisions', rev)).toEqual(['web-abc', 'statefulset.apps/web', 2, '2m3s']);
  });

  it('prints DaemonSets with their node selector', () => {
    expect(header('daemonsets')).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      '(Containers)',
      '(Images)',
      '(Selector)',
    ]);
    const ds = {
      metadata: meta('agent'),
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { spec: { ...template.spec, nodeSelector: { disk: 'ssd' } } },
      },
      status: {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        numberReady: 1,
        updatedNumberScheduled: 2,
        numberAvailable: 1,
      },
    };
    expect(print('daemonsets', ds)).toEqual(['agent', 2, 2, 1, 2, 1, 'disk=ssd', '2m3s', 'c', 'nginx', 'app=agent']);
  });

  it('prints Jobs with status, completions and duration, and CronJobs with their schedule', () => {
    expect(header('jobs')).toEqual([
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
      '(Containers)',
      '(Images)',
      '(Selector)',
    ]);
    const job = (status: Record<string, unknown>, spec: Record<string, unknown> = { completions: 3 }) => ({
      metadata: meta('pi'),
      spec: { ...spec, template },
      status,
    });
    const done = {
      succeeded: 3,
      startTime: '2025-01-01T00:58:00Z',
      completionTime: '2025-01-01T00:58:42Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    };
    expect(print('jobs', job(done)).slice(0, 4)).toEqual(['pi', 'Complete', '3/3', '42s']);
    expect(print('jobs', job({ startTime: '2025-01-01T00:59:00Z' }, { parallelism: 2 })).slice(0, 4)).toEqual([
      'pi',
      'Running',
      '0/1 of 2',
      '60s',
    ]);
    const failed = {
      failed: 2,
      conditions: [
        { type: 'FailureTarget', status: 'True' },
        { type: 'Failed', status: 'True' },
      ],
    };
    expect(print('jobs', job(failed, { completions: 1 })).slice(1, 3)).toEqual(['Failed', '0/1']);
    expect(header('cronjobs').slice(0, 7)).toEqual([
      'Name',
      'Schedule',
      'Timezone',
      'Suspend',
      'Active',
      'Last Schedule',
      'Age',
    ]);
    const cj = {
      metadata: meta('tick'),
      spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'tick-1' }], lastScheduleTime: '2025-01-01T00:59:00Z' },
    };
    expect(print('cronjobs', cj)).toEqual([
      'tick',
      '*/1 * * * *',
      '<none>',
      'False',
      1,
      '60s',
      '2m3s',
      'c',
      'nginx',
      '<none>',
    ]);
  });
});
