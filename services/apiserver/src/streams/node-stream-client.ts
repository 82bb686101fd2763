/**
 * The apiserver's end of a pod stream session with a node-agent (see
 * @kemu/pod-streams): it subscribes to the session's output and keepalive, sends
 * the start request, turns a refusal into the Status to reply with, and then delivers
 * frames in order. A node-agent that stops pinging ends the session with a 500, so a
 * `logs -f` never hangs on a dead node.
 */
import { ApiError } from '@kemu/api';
import { randomUUID } from 'node:crypto';
import {
  Frame,
  type NodeBus,
  PING_INTERVAL_MS,
  type StartReply,
  type StreamEnd,
  type StreamKind,
  type StreamStatus,
  decodeFrame,
  decodeJson,
  encodeFrame,
  encodeJson,
  sessionSubjects,
  startSubject,
} from '@kemu/pod-streams';

/** Receives a session's output. */
export interface NodeStreamHandlers {
  /** Data on a channel (1 stdout, 2 stderr). */
  onData(type: number, data: Buffer): void;
  /** The session ended (exit code, or the Status of a failure). */
  onEnd(end: StreamEnd): void;
}

/** An open session. */
export interface NodeStream {
  /** Sends a frame to the node-agent: stdin, resize or close stdin. */
  send(type: number, payload?: Uint8Array): void;
  /** Tells the node-agent the client is gone and stops listening. */
  cancel(): void;
}

/** Options of one session. */
export interface NodeStreamOptions {
  /** How long the node-agent has to answer the start request. */
  startTimeoutMs?: number;
  pingIntervalMs?: number;
}

/** The Status of a stream failure as an ApiError. */
export function streamError(s: StreamStatus): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: s.message,
    reason: s.reason,
    code: s.code,
  });
}

/** Starts a session with the node-agent of `node`; throws an ApiError when it is refused or unanswered. */
export async function openNodeStream(
  bus: NodeBus,
  node: string,
  kind: StreamKind,
  request: object,
  handlers: NodeStreamHandlers,
  options: NodeStreamOptions = {},
): Promise<NodeStream> {
  const session = randomUUID();
  const subjects = sessionSubjects(session);
  const pingMs = options.pingIntervalMs ?? PING_INTERVAL_MS;
  const queued: Uint8Array[] = [];
  let started = false;
  let closed = false;
  let lastHeard = Date.now();

  function deliver(data: Uint8Array): void {
    const frame = decodeFrame(data);
    if (!frame || closed) return;
    if (frame.type !== Frame.end) {
      handlers.onData(frame.type, frame.payload);
      return;
    }
    close();
    let end: StreamEnd;
    try {
      end = decodeJson<StreamEnd>(frame.payload);
    } catch {
      end = { status: { code: 500, reason: 'InternalError', message: 'malformed end of stream from the node-agent' } };
    }
    handlers.onEnd(end);
  }

  const outSub = bus.subscribe(subjects.out, {
    callback: (err, msg) => {
      if (err) return;
      lastHeard = Date.now();
      if (started) deliver(msg.data);
      else queued.push(msg.data);
    },
  });
  const pingSub = bus.subscribe(subjects.ping, {
    callback: (err, msg) => {
      if (err) return;
      lastHeard = Date.now();
      msg.respond(new Uint8Array(0));
    },
  });
  const watchdog = setInterval(() => {
    if (closed || Date.now() - lastHeard < 3 * pingMs) return;
    close();
    handlers.onEnd({
      status: { code: 500, reason: 'InternalError', message: `the node-agent of node "${node}" stopped answering` },
    });
  }, pingMs);
  watchdog.unref();

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(watchdog);
    outSub.unsubscribe();
    pingSub.unsubscribe();
  }

  let reply: StartReply;
  try {
    const msg = await bus.request(startSubject(node, kind), encodeJson({ ...request, session }), {
      timeout: options.startTimeoutMs ?? 10_000,
    });
    reply = decodeJson<StartReply>(msg.data);
  } catch (err) {
    close();
    throw streamError({
      code: 500,
      reason: 'InternalError',
      message: `the node-agent of node "${node}" does not answer: ${(err as Error).message}`,
    });
  }
  if (!reply.ok) {
    close();
    throw streamError(reply.status);
  }
  // Frames that came with the reply are delivered once the caller has its stream in hand.
  setImmediate(() => {
    started = true;
    for (const data of queued.splice(0)) deliver(data);
  });

  return {
    send(type, payload) {
      if (!closed) bus.publish(subjects.in, encodeFrame(type, payload));
    },
    cancel() {
      if (closed) return;
      bus.publish(subjects.in, encodeFrame(Frame.cancel));
      close();
    },
  };
}
