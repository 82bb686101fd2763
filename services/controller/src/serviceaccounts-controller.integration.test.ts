import type { Namespace } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { eventually, startEventLogFixture } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createServiceAccountsController } from './serviceaccounts-controller.js';

const log = createLogger({ component: 'test', level: 'silent' });
const ns = (name: string, terminating = false): Namespace =>
  ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid: `uid-${name}` },
    status: { phase: terminating ? 'Terminating' : 'Active' },
  }) as Namespace;

describe('serviceaccounts controller (real nats-server)', () => {
  it('gives every active namespace a default ServiceAccount, again after it is deleted', async () => {
    await using fx = await startEventLogFixture({ component: 'controller' });
    const { informer, api: writer } = fx;
    await writer.put({ resource: 'namespaces', namespace: '', name: 'before' }, ns('before'), 0);
    const controller = createServiceAccountsController({ informer, writer, log, now: () => new Date() });
    controller.enqueueAll();
    controller.start();
    const sa = (namespace: string) => informer.lister('serviceaccounts').get(namespace, 'default');
    await eventually(() => sa('before') !== undefined, {
      timeoutMs: 5_000,
      what: 'default SA in an existing namespace',
    });
    await writer.put({ resource: 'namespaces', namespace: '', name: 'team' }, ns('team'), 0);
    await writer.put({ resource: 'namespaces', namespace: '', name: 'going' }, ns('going', true), 0);
    await eventually(() => sa('team') !== undefined, { timeoutMs: 5_000, what: 'default SA in a new namespace' });
    expect(sa('team')?.metadata.uid).toBeTruthy();
    const first = sa('team');
    await writer.remove({ resource: 'serviceaccounts', namespace: 'team', name: 'default' }, first as never);
    await eventually(() => sa('team') !== undefined && sa('team')?.metadata.uid !== first?.metadata.uid, {
      timeoutMs: 5_000,
      what: 'the deleted default SA to come back',
    });
    expect(sa('going')).toBeUndefined();
    await controller.stop();
  });
});
