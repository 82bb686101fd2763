/**
 * Answers the apiserver's start requests for this node's pod streams: one subscription
 * per kind (logs, exec, attach). A handler checks the request against the node's view
 * and either refuses it with a Status or returns the function that runs the session;
 * the session's input subscription exists before the reply, so no early frame is lost.
 */
import type { Logger } from '@kemu/log';
import {
  type BusMsg,
  type ExecRequest,
  type LogRequest,
  type NodeBus,
  type StartReply,
  type StreamKind,
  type StreamStatus,
  decodeJson,
  encodeJson,
  startSubject,
} from '@kemu/pod-streams';
import { type StreamSession, openStreamSession } from './stream-session.js';

/** Checks a request and returns how to run it, or the Status refusing it. */
export type StreamHandler<R> = (request: R, session: StreamSession) => Promise<(() => void) | StreamStatus>;

/** The handlers of each kind. */
export interface PodStreamHandlers {
  logs: StreamHandler<LogRequest>;
  exec: StreamHandler<ExecRequest>;
  attach: StreamHandler<ExecRequest>;
}

/** Options of the stream server. */
export interface PodStreamServerOptions {
  bus: NodeBus;
  node: string;
  handlers: PodStreamHandlers;
  log: Logger;
  pingIntervalMs?: number;
}

/** A running stream server. */
export interface PodStreamServer {
  stop(): void;
}

function reply(msg: BusMsg, value: StartReply): void {
  msg.respond(encodeJson(value));
}

/** Subscribes to the node's start subjects. */
export function startPodStreamServer(o: PodStreamServerOptions): PodStreamServer {
  const { bus, log } = o;
  const kinds: StreamKind[] = ['logs', 'exec', 'attach'];

  async function onStart(kind: StreamKind, msg: BusMsg): Promise<void> {
    let request: LogRequest & ExecRequest;
    try {
      request = decodeJson(msg.data);
      if (typeof request.session !== 'string' || request.session === '') throw new Error('no session id');
    } catch (err) {
      reply(msg, { ok: false, status: { code: 400, reason: 'BadRequest', message: `bad ${kind} request: ${err}` } });
      return;
    }
    const session = openStreamSession(bus, request.session, log, o.pingIntervalMs);
    const slog = log.child({ pod: `${request.namespace}/${request.pod}`, container: request.container, kind });
    try {
      const started = await o.handlers[kind](request, session);
      if (typeof started !== 'function') {
        session.dispose();
        slog.info({ code: started.code, message: started.message }, 'pod stream refused');
        reply(msg, { ok: false, status: started });
        return;
      }
      reply(msg, { ok: true });
      slog.debug({ session: request.session }, 'pod stream started');
      started();
    } catch (err) {
      session.dispose();
      slog.warn({ err }, 'pod stream failed to start');
      reply(msg, { ok: false, status: { code: 500, reason: 'InternalError', message: String(err) } });
    }
  }

  const subs = kinds.map((kind) =>
    bus.subscribe(startSubject(o.node, kind), {
      callback: (err, msg) => {
        if (!err) void onStart(kind, msg);
      },
    }),
  );
  return {
    stop() {
      for (const s of subs) s.unsubscribe();
    },
  };
}
