import type { KubeObject, Pod } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from './envelope.js';
import { POD_NODE_NAME_INDEX, UnknownIndexError, createListers, podNodeName } from './listers.js';
import { type Change, applyEvent, createView } from './projection.js';
import { createHandlerRegistry, onEveryChange } from './resource-handlers.js';

const log = createLogger({ component: 'test', level: 'silent' });
const pod = (name: string, nodeName?: string, namespace = 'default'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid: `uid-${name}` },
  spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
});
const event = (type: 'Put' | 'Delete', object: KubeObject, resource = 'pods'): LogEvent => ({
  v: 1,
  type,
  key: { resource, namespace: object.metadata.namespace ?? '', name: object.metadata.name },
  uid: object.metadata.uid ?? '',
  time: '2026-01-01T00:00:00Z',
  actor: { component: 'test' },
  object,
});

// A view fed as the informer feeds it: indexes first, then handlers.
function setup() {
  const view = createView();
  const listers = createListers(view);
  const handlers = createHandlerRegistry(log);
  let seq = 0;
  const write = (type: 'Put' | 'Delete', object: KubeObject, resource = 'pods') => {
    const change = applyEvent(view, ++seq, event(type, object, resource));
    if (change) {
      listers.update(change);
      handlers.dispatch(change);
    }
  };
  return { view, listers, handlers, write };
}

describe('createListers', () => {
  it('lists, gets and looks pods up by node, following binds, moves and deletes', () => {
    const { listers, write } = setup();
    write('Put', pod('a', 'node-1'));
    const pods = listers.lister('pods');
    listers.addIndex('pods', POD_NODE_NAME_INDEX, podNodeName);
    write('Put', pod('b'));
    write('Put', pod('c', 'node-2', 'other'));
    expect(pods.byIndex(POD_NODE_NAME_INDEX, 'node-1').map((p) => p.metadata.name)).toEqual(['a']);
    write('Put', pod('b', 'node-1'));
    write('Put', pod('a', 'node-2'));
    expect(pods.byIndex(POD_NODE_NAME_INDEX, 'node-1').map((p) => p.metadata.name)).toEqual(['b']);
    expect(pods.byIndex(POD_NODE_NAME_INDEX, 'node-2').map((p) => p.metadata.name)).toEqual(['c', 'a']);
    write('Delete', pod('c', 'node-2', 'other'));
    expect(pods.byIndex(POD_NODE_NAME_INDEX, 'node-2').map((p) => p.metadata.name)).toEqual(['a']);
    expect(pods.list().map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(pods.list('other')).toEqual([]);
    expect(pods.get('default', 'b')?.spec.nodeName).toBe('node-1');
    expect(pods.get('default', 'c')).toBeUndefined();
    expect(listers.lister('nodes').list()).toEqual([]);
  });

  it('keeps a value through one object, two, one again and none', () => {
    const { listers, write } = setup();
    listers.addIndex('pods', POD_NODE_NAME_INDEX, podNodeName);
    const onNode = () =>
      listers
        .lister('pods')
        .byIndex(POD_NODE_NAME_INDEX, 'node-1')
        .map((p) => p.metadata.name);
    write('Put', pod('a', 'node-1'));
    write('Put', pod('a', 'node-1'));
    expect(onNode()).toEqual(['a']);
    write('Put', pod('b', 'node-1'));
    expect(onNode()).toEqual(['a', 'b']);
    write('Delete', pod('a', 'node-1'));
    expect(onNode()).toEqual(['b']);
    write('Put', pod('b', 'node-2'));
    expect(onNode()).toEqual([]);
    write('Put', pod('c', 'node-1'));
    expect(onNode()).toEqual(['c']);
  });

  it('refuses a lookup by an index never added', () => {
    const { listers } = setup();
    expect(() => listers.lister('pods').byIndex('nope', 'x')).toThrow(UnknownIndexError);
  });
});

describe('createHandlerRegistry', () => {
  it('calls the handlers of the changed resource with typed old and new objects, in registration order', () => {
    const { handlers, write } = setup();
    const calls: string[] = [];
    handlers.on('pods', {
      onAdd: (p) => calls.push(`add ${p.metadata.name} ${p.spec.nodeName ?? '-'}`),
      onUpdate: (old, p) => calls.push(`update ${old.spec.nodeName ?? '-'} -> ${p.spec.nodeName}`),
      onDelete: (p) => calls.push(`delete ${p.metadata.name}`),
    });
    handlers.onAnyChange((c: Change) => calls.push(`any ${c.type}`));
    const offNodes = handlers.on('nodes', { onAdd: () => calls.push('node') });
    write('Put', pod('a'));
    write('Put', pod('a', 'node-1'));
    write('Delete', pod('a', 'node-1'));
    offNodes();
    write('Put', { metadata: { name: 'node-1' } }, 'nodes');
    expect(calls).toEqual([
      'add a -',
      'any ADDED',
      'update - -> node-1',
      'any MODIFIED',
      'delete a',
      'any DELETED',
      'any ADDED',
    ]);
  });

  it('goes on with the other handlers when one throws', () => {
    const { handlers, write } = setup();
    const seen: string[] = [];
    handlers.on('pods', {
      onAdd: () => {
        throw new Error('boom');
      },
    });
    handlers.on(
      'pods',
      onEveryChange((p, old) => seen.push(`${p.metadata.name} ${old ? 'old' : 'new'}`)),
    );
    write('Put', pod('a'));
    write('Put', pod('a', 'node-1'));
    expect(seen).toEqual(['a new', 'a old']);
  });
});
