/**
 * Stable slots for the topology grid: each member of a group (a node's pods, the
 * Services) keeps the row it was first given for as long as it exists, and a newcomer
 * takes the lowest free row (newcomers in key order). So a pod that appears never moves
 * another, whatever its name, and a deleted one leaves a hole the next newcomer fills.
 * From an empty start the rows are the key order: a fresh page shows the same picture for
 * the same cluster. Pure.
 */

/** The rows of `groups` (group → its member keys, sorted), keeping those of `prev`. */
export function assignSlots(prev, groups) {
  const next = new Map();
  for (const [group, keys] of groups) {
    const live = new Set(keys);
    const rows = new Map();
    for (const [k, r] of prev.get(group) ?? []) if (live.has(k)) rows.set(k, r);
    const used = new Set(rows.values());
    let free = 0;
    for (const k of keys) {
      if (rows.has(k)) continue;
      while (used.has(free)) free++;
      rows.set(k, free);
      used.add(free);
    }
    next.set(group, rows);
  }
  return next;
}
