/**
 * An informer over a view the test changes by hand: put() and remove() apply a record as
 * the real informer does (the projection, then the handlers in registration order), for
 * tests of what controllers keep up to date from changes.
 */
import type { KubeObject, ResourceName } from '@kemu/api';
import {
  type Change,
  type Informer,
  type LogEvent,
  type ResourceEventHandler,
  SCHEMA_VERSION,
  applyEvent,
  createView,
  fixedInformer,
} from '@kemu/eventlog';

/** The informer and the hand-applied changes. */
export interface LiveInformer {
  informer: Informer;
  put(resource: ResourceName, object: KubeObject): void;
  remove(resource: ResourceName, object: KubeObject): void;
}

/** An empty live informer. */
export function liveInformer(): LiveInformer {
  const view = createView();
  const handlers: { resource: string; handler: ResourceEventHandler<KubeObject> }[] = [];
  let seq = 0;
  const apply = (type: 'Put' | 'Delete', resource: ResourceName, object: KubeObject) => {
    const key = { resource, namespace: object.metadata.namespace ?? '', name: object.metadata.name };
    const uid = object.metadata.uid ?? '';
    const event: LogEvent = { v: SCHEMA_VERSION, type, key, uid, time: '', actor: { component: 'test' }, object };
    const change = applyEvent(view, ++seq, event) as Change;
    for (const { resource: r, handler } of handlers) {
      if (r !== resource) continue;
      if (change.type === 'ADDED') handler.onAdd?.(change.object, change);
      else if (change.type === 'MODIFIED') handler.onUpdate?.(change.old as KubeObject, change.object, change);
      else handler.onDelete?.(change.object, change);
    }
  };
  const informer: Informer = {
    ...fixedInformer(view),
    on(resource, handler) {
      const entry = { resource, handler: handler as ResourceEventHandler<KubeObject> };
      handlers.push(entry);
      return () => void handlers.splice(handlers.indexOf(entry), 1);
    },
  };
  return {
    informer,
    put: (resource, object) => apply('Put', resource, object),
    remove: (resource, object) => apply('Delete', resource, object),
  };
}
