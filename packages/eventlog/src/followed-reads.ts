/**
 * Direct reads of what an informer follows, for catch-up (catch-up.ts). The whole log is
 * read with direct gets, which any replica answers. A part of the log is read from the
 * stream's leader (`STREAM.MSG.GET`): the next event is the lowest of each filter
 * subject's next, and the reads of several subjects must agree on one history — from
 * different replicas, a lagging one could hide an event that another read's later one
 * would then make the informer skip for good.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { StoredEvent } from './catch-up.js';
import type { FollowSet } from './follow-set.js';
import { STREAM } from './subjects.js';

/** Reads for one informer's catch-up. */
export interface FollowedReads {
  /** The next followed event after `afterSeq`, or null. */
  readNext(afterSeq: number): Promise<StoredEvent | null>;
  /** The stream's last sequence (for a partial follow set; see catch-up.ts). */
  horizon?(): Promise<number>;
}

/** Creates the reads of `follow` through `jsm`. */
export function createFollowedReads(jsm: JetStreamManager, follow: FollowSet): FollowedReads {
  if (follow.all) {
    const filter = follow.subjects[0] as string;
    return {
      readNext: (afterSeq) => jsm.direct.getMessage(STREAM, { seq: afterSeq + 1, next_by_subj: filter }),
    };
  }
  return {
    async readNext(afterSeq) {
      const found = await Promise.all(
        follow.subjects.map((subject) =>
          // The server's STREAM.MSG.GET takes next_by_subj with seq; the client's type names only seq.
          jsm.streams.getMessage(STREAM, { seq: afterSeq + 1, next_by_subj: subject } as { seq: number }),
        ),
      );
      let next: StoredEvent | null = null;
      for (const m of found) if (m && (!next || m.seq < next.seq)) next = m;
      return next;
    },
    horizon: () => jsm.streams.info(STREAM).then((i) => i.state.last_seq),
  };
}
