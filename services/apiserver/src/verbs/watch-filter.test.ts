import type { KubeObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { type WatchChange, type WatchScope, watchEventFor } from './watch-filter.js';

const pod = (name: string, app: string, ns = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app } },
});
const change = (type: WatchChange['type'], object: KubeObject, old?: KubeObject): WatchChange => ({
  type,
  seq: 7,
  key: { resource: 'pods', namespace: object.metadata.namespace ?? '', name: object.metadata.name },
  object,
  old,
});
const webPods: WatchScope = {
  resource: 'pods',
  namespace: 'default',
  matches: (o) => o.metadata.labels?.app === 'web',
};

describe('watchEventFor', () => {
  it('passes changes of matching objects through', () => {
    expect(watchEventFor(webPods, change('ADDED', pod('a', 'web')))?.type).toBe('ADDED');
    expect(watchEventFor(webPods, change('MODIFIED', pod('a', 'web'), pod('a', 'web')))?.type).toBe('MODIFIED');
    expect(watchEventFor(webPods, change('DELETED', pod('a', 'web'), pod('a', 'web')))?.type).toBe('DELETED');
  });

  it('drops other resources, namespaces and non-matching objects', () => {
    expect(watchEventFor(webPods, change('ADDED', pod('a', 'db')))).toBeUndefined();
    expect(watchEventFor(webPods, change('ADDED', pod('a', 'web', 'prod')))).toBeUndefined();
    expect(watchEventFor({ ...webPods, resource: 'services' }, change('ADDED', pod('a', 'web')))).toBeUndefined();
    expect(watchEventFor({ ...webPods, namespace: undefined }, change('ADDED', pod('a', 'web', 'prod')))?.type).toBe(
      'ADDED',
    );
  });

  it('turns an object that starts matching into ADDED and one that stops matching into DELETED', () => {
    expect(watchEventFor(webPods, change('MODIFIED', pod('a', 'web'), pod('a', 'db')))?.type).toBe('ADDED');
    const gone = watchEventFor(webPods, change('MODIFIED', pod('a', 'db'), pod('a', 'web')));
    expect(gone?.type).toBe('DELETED');
    expect(gone?.object.metadata.labels?.app).toBe('db');
    expect(watchEventFor(webPods, change('MODIFIED', pod('a', 'db'), pod('a', 'db')))).toBeUndefined();
  });
});
