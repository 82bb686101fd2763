/**
 * Catch-up by direct reads: reads the events after the last applied one with direct gets
 * (the next message matching the informer's filter), which any replica of the stream
 * answers, so an informer whose consumer died with a NATS cluster member still sees a
 * write as soon as the stream takes writes again. At most `max` events per catch-up (the
 * next one goes on); one catch-up at a time (a second caller shares the running one).
 * An informer that follows part of the log also reads the stream's last sequence first
 * (`horizon`): when no followed event comes after the applied one, it has seen the log up
 * to that sequence (`skipTo`), so a writer waiting for an event it does not follow (its
 * own Event, another process's Lease) is released without the consumer ever delivering it.
 */
import type { Logger } from '@kemu/log';

/** One stored event as a direct read returns it. */
export interface StoredEvent {
  seq: number;
  subject: string;
  data: Uint8Array;
}

/** What a catch-up reads from and applies to. */
export interface CatchUpOptions {
  /** The next event after `afterSeq` matching the filter; null when there is none. Throws when the stream does not answer. */
  readNext(afterSeq: number): Promise<StoredEvent | null>;
  /** The last applied sequence. */
  appliedSeq(): number;
  /** Applies an event; false when it was applied already. */
  apply(event: StoredEvent): boolean;
  /**
   * The stream's last sequence, read before the events (from the stream's leader, as the
   * reads must be: a lagging replica could miss a followed event); absent for an informer
   * of the whole log, which sees every sequence anyway.
   */
  horizon?(): Promise<number>;
  /** Records that every followed event up to `seq` has been applied (there are none after the applied one). */
  skipTo?(seq: number): void;
  /** Called after each read event and after a skip (the sequence waiters' release). */
  afterEach(): void;
  isStopped(): boolean;
  /** Events read per catch-up. */
  max: number;
  log: Logger;
}

/** Runs a catch-up: resolves how many events it applied, or undefined when the stream did not answer. */
export type CatchUp = () => Promise<number | undefined>;

/** Creates the single-flight catch-up. */
export function createCatchUp(o: CatchUpOptions): CatchUp {
  let running: Promise<number | undefined> | undefined;

  async function run(): Promise<number | undefined> {
    let applied = 0;
    try {
      const horizon = await o.horizon?.();
      // Nothing after the applied event in the whole stream: no reads (a quiet cluster's checks cost one request).
      if (horizon !== undefined && horizon <= o.appliedSeq()) return 0;
      while (!o.isStopped() && applied < o.max) {
        const m = await o.readNext(o.appliedSeq());
        // Past the horizon, reads of several subjects made one after another can miss an
        // event another subject's later one would skip: those are the consumer's (or the
        // next catch-up's).
        if (!m || (horizon !== undefined && m.seq > horizon)) {
          if (horizon !== undefined && horizon > o.appliedSeq()) {
            o.skipTo?.(horizon);
            o.afterEach();
          }
          break;
        }
        if (o.apply(m)) applied++;
        o.afterEach();
      }
      if (applied > 0) o.log.info({ applied, seq: o.appliedSeq() }, 'informer caught up with direct reads');
      return applied;
    } catch (err) {
      o.log.debug({ err, applied }, 'informer direct read failed');
      return applied > 0 ? applied : undefined;
    }
  }

  return () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
}
