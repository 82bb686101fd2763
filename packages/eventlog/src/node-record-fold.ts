/**
 * How the projection folds the records of a node's subjects (docs/subject-layout.md),
 * where nats-server lets only that node (and the control plane) write: the status of a
 * pod bound to the node, and the Events the node records. What the permissions cannot
 * say — that the pod is bound to this node, that the record is of the pod's uid, that it
 * was built on the pod's latest status — the projection checks, identically in every
 * process, and refuses the record otherwise (the NodeRestriction rule).
 */
import { type Event, type ObjectKey, type Pod, keyString } from '@kemu/api';
import type { LogEvent } from './envelope.js';
import { type Folded, type View, withVersion } from './projection.js';

/** Folds a record stored at `seq` on `subject`, the node-scoped subject of `node` for `key`. */
export function foldNodeRecord(
  view: View,
  seq: number,
  subject: string,
  { node, key }: { node: string; key: ObjectKey },
  event: LogEvent,
): Folded {
  const prev = view.nodeSeq.get(subject) ?? 0;
  view.nodeSeq.set(subject, seq);
  if (keyString(event.key) !== keyString(key)) return { refused: `record for ${keyString(event.key)} on ${subject}` };
  return key.resource === 'pods'
    ? foldPodStatus(view, seq, node, key, prev, event)
    : foldNodeEvent(view, seq, node, key, event);
}

/**
 * A pod's status: it replaces `status` and nothing else (a Delete removes the pod, its
 * final removal), for a pod bound to the node, of the record's uid, whose node status has
 * not changed since the writer read it (`base` at or after the subject's previous record).
 */
function foldPodStatus(view: View, seq: number, node: string, key: ObjectKey, prev: number, event: LogEvent): Folded {
  const k = keyString(key);
  const old = view.objects.get(k);
  if (!old) return { refused: 'status of a pod not in the view' };
  const bound = (old as Pod).spec?.nodeName;
  if (bound !== node) return { refused: `status from node ${node} for a pod bound to ${bound || 'no node'}` };
  if (event.object.metadata.uid !== old.metadata.uid || event.uid !== old.metadata.uid)
    return { refused: 'status of another pod of that name (uid)' };
  if (event.base === undefined || prev > event.base)
    return { refused: `stale status: built on resourceVersion ${event.base ?? 'none'}, the node's last is ${prev}` };
  const object = withVersion({ ...old, status: event.object.status ?? old.status }, seq);
  if (event.type === 'Delete') {
    view.objects.delete(k);
    return { change: { type: 'DELETED', seq, key, object, old, event } };
  }
  view.objects.set(k, object);
  return { change: { type: 'MODIFIED', seq, key, object, old, event } };
}

/** An Event the node recorded: a whole object, whose source must be that node, as must an existing Event's. */
function foldNodeEvent(view: View, seq: number, node: string, key: ObjectKey, event: LogEvent): Folded {
  const k = keyString(key);
  const old = view.objects.get(k);
  const sourceOf = (e: Event) => e.source?.host ?? e.reportingInstance;
  if (sourceOf(event.object as Event) !== node) return { refused: `Event of another source on node ${node}'s subject` };
  if (old && sourceOf(old as Event) !== node) return { refused: `Event of another source on node ${node}'s subject` };
  if (event.type === 'Delete') {
    if (!old) return {};
    view.objects.delete(k);
    return { change: { type: 'DELETED', seq, key, object: withVersion(event.object, seq), old, event } };
  }
  const object = withVersion(event.object, seq);
  view.objects.set(k, object);
  return { change: { type: old ? 'MODIFIED' : 'ADDED', seq, key, object, old, event } };
}
