/**
 * An informer over a fixed view that never follows the log: synced from the start, no
 * changes, every sequence up to the view's already seen. For the apiserver's read-only
 * (replay) mode and for tests of consumers that only read.
 */
import type { Informer } from './informer.js';
import { createListers } from './listers.js';
import type { View } from './projection.js';

/** An informer over `view` that never changes. */
export function fixedInformer(view: View): Informer {
  const listers = createListers(view);
  return {
    view,
    synced: Promise.resolve(),
    isSynced: () => true,
    skippedEvents: () => 0,
    refusedEvents: () => 0,
    on: () => () => undefined,
    onAnyChange: () => () => undefined,
    lister: listers.lister,
    addIndex: listers.addIndex,
    follows: () => true,
    waitForSeq: (seq) => Promise.resolve(seq <= view.seq),
    stop: () => Promise.resolve(),
  };
}
