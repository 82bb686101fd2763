/**
 * A short wait before the controllers collect a dependent whose owner is gone: the
 * apiserver removes an owner first and then deletes or releases (`--cascade=orphan`) its
 * dependents, so a dependent is collected only once it has still named the missing owner
 * for `graceMs`, and never one the apiserver has released meanwhile.
 */

/** How long a dependent must name a missing owner before it is collected. */
export const GC_GRACE_MS = 2_000;

/** Remembers since when each dependent (by uid) has been seen without its owner. */
export interface GcGrace {
  /** Milliseconds until `uid` may be collected (0: now); starts its clock on first sight. */
  remainingMs(uid: string, nowMs: number): number;
  /** Forgets `uid` (collected, or no longer without owner). */
  forget(uid: string): void;
}

/** Creates the tracker; entries older than ten graces are dropped when new ones arrive. */
export function createGcGrace(graceMs: number): GcGrace {
  const firstSeen = new Map<string, number>();
  return {
    remainingMs(uid, nowMs) {
      const since = firstSeen.get(uid);
      if (since === undefined) {
        for (const [u, t] of firstSeen) if (nowMs - t > graceMs * 10) firstSeen.delete(u);
        firstSeen.set(uid, nowMs);
        return graceMs;
      }
      return Math.max(0, since + graceMs - nowMs);
    },
    forget(uid) {
      firstSeen.delete(uid);
    },
  };
}
