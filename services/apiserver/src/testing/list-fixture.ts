/** A view fed as the informer feeds the apiserver's (object, then the history's record), for list tests. */
import type { KubeObject, ObjectKey } from '@kemu/api';
import type { View } from '@kemu/eventlog';
import { type ChangeHistory, type HistoryLimits, createChangeHistory } from '../verbs/change-history.js';
import { type ListSnapshots, createListSnapshots } from '../verbs/list-snapshots.js';

/** A Map that counts the reads a list makes of it: point reads and whole passes. */
export class CountingMap<K, V> extends Map<K, V> {
  gets = 0;
  passes = 0;
  override get(k: K): V | undefined {
    this.gets++;
    return super.get(k);
  }
  override keys(): MapIterator<K> {
    this.passes++;
    return super.keys();
  }
  override values(): MapIterator<V> {
    this.passes++;
    return super.values();
  }
  override entries(): MapIterator<[K, V]> {
    this.passes++;
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    this.passes++;
    return super.entries();
  }
}

/** A pod, or another resource's object, with a label. */
export function object(namespace: string, name: string, app = 'a', kind = 'Pod'): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { namespace, name, labels: { app } } } as KubeObject;
}

/** A view, its history and its list snapshots, with writes applied as the informer applies them. */
export interface ListFixture {
  view: View & { objects: CountingMap<string, KubeObject> };
  history: ChangeHistory;
  lists: ListSnapshots;
  put(resource: string, o: KubeObject): void;
  remove(resource: string, namespace: string, name: string): void;
}

/** Starts the fixture with `initial` objects of `resource` already in the view. */
export function listFixture(resource: string, initial: KubeObject[], limits?: HistoryLimits): ListFixture {
  const objects = new CountingMap<string, KubeObject>();
  const keyOf = (namespace: string, name: string): ObjectKey => ({ resource, namespace, name });
  for (const o of initial) objects.set(`${resource}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  const view = { objects, lastSeq: new Map(), nodeSeq: new Map(), seq: 1 };
  const history = createChangeHistory(view.seq, limits);
  const lists = createListSnapshots(view, history);
  return {
    view,
    history,
    lists,
    put(r, o) {
      const key = { ...keyOf(o.metadata.namespace ?? '', o.metadata.name), resource: r };
      const k = `${r}/${key.namespace}/${key.name}`;
      const old = objects.get(k);
      view.seq += 1;
      objects.set(k, o);
      history.record({ type: old ? 'MODIFIED' : 'ADDED', seq: view.seq, key, object: o, old });
    },
    remove(r, namespace, name) {
      const key = { resource: r, namespace, name };
      const k = `${r}/${namespace}/${name}`;
      const old = objects.get(k) as KubeObject;
      view.seq += 1;
      objects.delete(k);
      history.record({ type: 'DELETED', seq: view.seq, key, object: old, old });
    },
  };
}
