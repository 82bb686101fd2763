/**
 * Serialises opening and closing of one listener: callers state whether it should be
 * open, and queued steps, run one at a time, bring the listener to the latest wish.
 * Overlapping wishes never run two opens at once, and a step that finds the listener
 * already as wished does nothing.
 */

/** A listener that can be switched on and off. */
export interface ListenerSwitch {
  /** Asks for the listener to be open or closed; resolves once the queued step ran (rejects when opening failed). */
  set(open: boolean): Promise<void>;
  isOpen(): boolean;
}

/** Creates a switch over the given open and close steps. */
export function createListenerSwitch(steps: { open: () => Promise<void>; close: () => void }): ListenerSwitch {
  let want = false;
  let open = false;
  let tail: Promise<void> = Promise.resolve();

  async function step(): Promise<void> {
    if (want === open) return;
    if (want) {
      await steps.open();
      open = true;
    } else {
      steps.close();
      open = false;
    }
  }

  return {
    set(next) {
      want = next;
      const done = tail.then(step);
      tail = done.catch(() => undefined);
      return done;
    },
    isOpen: () => open,
  };
}
