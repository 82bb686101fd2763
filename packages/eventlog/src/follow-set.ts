/**
 * What an informer follows: whole resources and single objects, as the filter subjects of
 * one consumer (nats-server 2.10 takes several, which must not overlap), so the server
 * delivers only those events: a proxy reads Services, EndpointSlices and its own pod, not
 * every Lease renewal and Event of the cluster. Nothing named: the whole log. The
 * resources pods and events come with their node-scoped subjects (docs/subject-layout.md):
 * every node's, or for pods only those of one node (a node-agent's `node`), so a
 * node-agent reads the spec of every pod but the status of its own pods only.
 */
import { type ObjectKey, keyString } from '@kemu/api';
import type { View } from './projection.js';
import {
  SUBJECT_PREFIX,
  keyFromSubject,
  nodeKeyFromSubject,
  NODE_SCOPED_RESOURCES,
  nodeResourceSubjects,
  EVERY_RECORD,
  subjectFor,
  subjectsForResources,
} from './subjects.js';

/** The resources and objects one informer follows. */
export interface FollowSet {
  /** The consumer's filter subjects (disjoint). */
  readonly subjects: readonly string[];
  /** True when every event of the log is followed. */
  readonly all: boolean;
  /** Whether events of this object are followed. */
  follows(key: ObjectKey): boolean;
  /** Whether events on this subject are followed. */
  followsSubject(subject: string): boolean;
  /** Removes from a view (a snapshot's, which holds everything) what is not followed, as replay would. */
  prune(view: View): void;
}

/**
 * The follow set of `resources` plus `objects`; both absent or empty: the whole log.
 * With `node`, pod status records of that node only (the pods' specs all the same).
 */
export function createFollowSet(
  resources?: readonly string[],
  objects?: readonly ObjectKey[],
  node?: string,
): FollowSet {
  const wanted = new Set(resources ?? []);
  // An object of a followed resource is followed already (and overlapping filters are refused).
  const single = (objects ?? []).filter((k) => !wanted.has(k.resource));
  const singleKeys = new Set(single.map(keyString));
  const all = wanted.size === 0 && single.length === 0;
  const follows = (key: ObjectKey) => all || wanted.has(key.resource) || singleKeys.has(keyString(key));
  // A single pod followed (a proxy's own mirror pod, which its component writes whole) comes without node records.
  const nodeScoped = NODE_SCOPED_RESOURCES.filter((r) => wanted.has(r));
  const nodeOf = (resource: string) => (resource === 'pods' ? node : undefined);
  const nodeSubjects = nodeScoped.map((r) => nodeResourceSubjects(r, nodeOf(r)));
  /** Whether a node-scoped subject is followed. */
  function followsNodeSubject(subject: string): boolean {
    const parsed = nodeKeyFromSubject(subject);
    if (!parsed || !wanted.has(parsed.key.resource)) return false;
    const only = nodeOf(parsed.key.resource);
    return only === undefined || parsed.node === only;
  }
  return {
    subjects: all
      ? [EVERY_RECORD]
      : [...new Set([...subjectsForResources([...wanted]), ...single.map(subjectFor), ...nodeSubjects])],
    all,
    follows,
    followsSubject(subject) {
      if (all) return true;
      if (!subject.startsWith(`${SUBJECT_PREFIX}.`)) return followsNodeSubject(subject);
      const key = keyFromSubject(subject);
      return key !== undefined && follows(key);
    },
    prune(view) {
      if (all) return;
      for (const map of [view.objects, view.lastSeq])
        for (const k of map.keys()) if (!followsKeyString(k)) map.delete(k);
      for (const subject of view.nodeSeq.keys()) if (!followsNodeSubject(subject)) view.nodeSeq.delete(subject);
    },
  };

  function followsKeyString(k: string): boolean {
    return wanted.has(k.slice(0, k.indexOf('/'))) || singleKeys.has(k);
  }
}
