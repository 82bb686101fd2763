import type { Pod } from '@kemu/api';
import type { Change, Informer, ObjectWriter, ResourceEventHandler } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { describe, expect, it } from 'vitest';
import type { ControllerDeps } from './controller.js';
import { createQueuedController } from './queued-controller.js';

// An informer whose changes the test emits by hand.
function fakeInformer() {
  const handlers = new Set<ResourceEventHandler<Pod>>();
  const informer = {
    on(resource: string, handler: ResourceEventHandler<Pod>) {
      if (resource !== 'pods') throw new Error(`unexpected resource ${resource}`);
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  } as unknown as Informer;
  const emit = (name: string) => {
    const pod = { metadata: { name, namespace: 'default' } } as Pod;
    const change = { type: 'ADDED', key: { resource: 'pods', namespace: 'default', name }, object: pod } as Change;
    for (const h of handlers) h.onAdd?.(pod, change);
  };
  return { informer, emit, handlers };
}

function setup() {
  const { informer, emit, handlers } = fakeInformer();
  const deps: ControllerDeps = {
    informer,
    writer: {} as ObjectWriter,
    log: createLogger({ component: 'test', level: 'silent' }),
    now: () => new Date(0),
  };
  const calls: string[] = [];
  const { controller, queue } = createQueuedController('test', deps, {
    sync: async (key) => void calls.push(`sync ${key}`),
    observers: { pods: { onAdd: (p) => calls.push(`observe ${p.metadata.name}`) } },
    handlers: {
      pods: {
        onAdd: (p) => {
          calls.push(`onChange ${p.metadata.name}`);
          queue.add(p.metadata.name);
        },
      },
    },
    enqueueAll: () => queue.add('all'),
    onStart: () => calls.push('onStart'),
    onStop: () => calls.push(`onStop, ${handlers.size} handlers`),
  });
  return { controller, emit, calls };
}

describe('createQueuedController', () => {
  it('observes every change but acts on changes only once started', async () => {
    const { controller, emit, calls } = setup();
    emit('early');
    controller.enqueueAll();
    controller.start();
    await controller.idle();
    emit('late');
    await controller.idle();
    expect(calls).toEqual(['observe early', 'sync all', 'onStart', 'observe late', 'onChange late', 'sync late']);
    await controller.stop();
  });

  it('names the controller and stops its handler before onStop', async () => {
    const { controller, emit, calls } = setup();
    expect(controller.name).toBe('test');
    controller.start();
    await controller.stop();
    emit('after');
    expect(calls).toEqual(['onStart', 'onStop, 0 handlers']);
  });
});
