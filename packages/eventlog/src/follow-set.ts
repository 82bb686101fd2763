/**
 * What an informer follows: whole resources and single objects, as the filter subjects of
 * one consumer (nats-server 2.10 takes several, which must not overlap), so the server
 * delivers only those events: a proxy reads Services, EndpointSlices and its own pod, not
 * every Lease renewal and Event of the cluster. Nothing named: the whole log.
 */
import { type ObjectKey, keyString } from '@kemu/api';
import type { View } from './projection.js';
import { SUBJECT_PREFIX, keyFromSubject, subjectFor, subjectsForResources } from './subjects.js';

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

/** The follow set of `resources` plus `objects`; both absent or empty: the whole log. */
export function createFollowSet(resources?: readonly string[], objects?: readonly ObjectKey[]): FollowSet {
  const wanted = new Set(resources ?? []);
  // An object of a followed resource is followed already (and overlapping filters are refused).
  const single = (objects ?? []).filter((k) => !wanted.has(k.resource));
  const singleKeys = new Set(single.map(keyString));
  const all = wanted.size === 0 && single.length === 0;
  const follows = (key: ObjectKey) => all || wanted.has(key.resource) || singleKeys.has(keyString(key));
  return {
    subjects: all
      ? [`${SUBJECT_PREFIX}.>`]
      : [...new Set([...subjectsForResources([...wanted]), ...single.map(subjectFor)])],
    all,
    follows,
    followsSubject(subject) {
      if (all) return true;
      const key = keyFromSubject(subject);
      return key !== undefined && follows(key);
    },
    prune(view) {
      if (all) return;
      for (const map of [view.objects, view.lastSeq])
        for (const k of map.keys()) if (!followsKeyString(k)) map.delete(k);
    },
  };

  function followsKeyString(k: string): boolean {
    return wanted.has(k.slice(0, k.indexOf('/'))) || singleKeys.has(k);
  }
}
