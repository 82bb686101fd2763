/**
 * The apiserver's replay mode, which `kemu replay` starts as a process: with
 * KEMU_APISERVER_REPLAY_AT set, the apiserver builds the projection of the event log up to
 * that moment once, closes the log and serves the projection read-only (frozenInformer,
 * refusingWriter) instead of following the log. It announces itself with one log line,
 * `apiserver replay ready`, carrying `seq`, `at` (that event's time) and the bound
 * `addresses`, which the CLI waits for. The moment is absolute (`seq:N` or an RFC 3339
 * time): relative moments are resolved by the CLI, which knows when the user asked.
 */
import type { Ipv4Cidr } from '@kemu/api';
import { type EventLog, projectionAt } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { frozenInformer, refusingWriter } from './read-only.js';
import { type ApiServer, createApiServer } from './http/server.js';

/** The moment a replay shows: a stream sequence or a time. */
export type ReplayAt = number | Date;

/** KEMU_APISERVER_REPLAY_AT is not `seq:N` or an RFC 3339 time. */
export class InvalidReplayMomentError extends Error {
  override name = 'InvalidReplayMomentError';
  readonly code = 'InvalidReplayMoment';
}

/** The event log holds no event at or before the moment. */
export class NothingToReplayError extends Error {
  override name = 'NothingToReplayError';
  readonly code = 'NothingToReplay';
}

/** Parses KEMU_APISERVER_REPLAY_AT: `seq:N` or an RFC 3339 time; throws InvalidReplayMomentError. */
export function parseReplayAt(text: string): ReplayAt {
  const seq = /^seq:(\d+)$/.exec(text);
  if (seq) return Number(seq[1]);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text)) {
    const t = new Date(text);
    if (!Number.isNaN(t.getTime())) return t;
  }
  throw new InvalidReplayMomentError(
    `KEMU_APISERVER_REPLAY_AT must be seq:N or an RFC 3339 time, got ${JSON.stringify(text)}`,
  );
}

/** What a replay apiserver needs besides the moment. */
export interface ReplayServerOptions {
  eventLog: EventLog;
  at: ReplayAt;
  cluster: string;
  serviceCidr: Ipv4Cidr;
  log: Logger;
  tls?: { cert: Buffer; key: Buffer };
  tokens?: string[];
}

/** A read-only apiserver over the projection at a moment, not yet listening. */
export interface ReplayServer {
  server: ApiServer;
  /** Sequence of the last event in the projection. */
  seq: number;
  /** When the log stored that event. */
  time: Date | undefined;
}

/** Builds the projection at `at` and a read-only apiserver over it; throws NothingToReplayError. */
export async function createReplayServer(o: ReplayServerOptions): Promise<ReplayServer> {
  const snapshot = await projectionAt(o.eventLog, o.at, o.log);
  if (snapshot.seq === 0) {
    const at = typeof o.at === 'number' ? `seq:${o.at}` : o.at.toISOString();
    throw new NothingToReplayError(`the event log of cluster ${o.cluster} holds no event at or before ${at}`);
  }
  const when = snapshot.time?.toISOString() ?? '';
  const message = `this is kemu replay: a read-only view of cluster ${o.cluster} at sequence ${snapshot.seq} (${when}); write to the live cluster instead`;
  const server = createApiServer({
    informer: frozenInformer(snapshot.view),
    writer: refusingWriter(message),
    serviceCidr: o.serviceCidr,
    log: o.log,
    // Ages in tables are told as they were at the moment, not as they would be now.
    clock: () => snapshot.time?.getTime() ?? Date.now(),
    ...(o.tls ? { tls: o.tls } : {}),
    ...(o.tokens ? { tokens: o.tokens } : {}),
    readOnly: { message },
  });
  return { server, seq: snapshot.seq, time: snapshot.time };
}
