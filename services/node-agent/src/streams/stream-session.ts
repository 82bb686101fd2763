/**
 * The node-agent's end of one pod stream session (see @kemu/pod-streams): frames
 * out, frames in, and a keepalive that cancels the session once the apiserver side
 * stops answering, so a follow or an exec'd shell never outlives its client.
 */
import type { Logger } from '@kemu/log';
import {
  Frame,
  type NodeBus,
  PING_INTERVAL_MS,
  type StreamEnd,
  dataFrames,
  decodeFrame,
  encodeFrame,
  encodeJson,
  sessionSubjects,
} from '@kemu/pod-streams';

/** One open session. */
export interface StreamSession {
  readonly id: string;
  /** Sends data on a channel (stdout, stderr), split into frames as needed. */
  send(type: number, data: Uint8Array): void;
  /** Sends the end frame and closes the session; later calls do nothing. */
  end(result?: StreamEnd): void;
  /** Closes without an end frame (the start was refused). */
  dispose(): void;
  /** Receives stdin, resize and close-stdin frames; frames that came earlier are delivered at once. */
  onInput(handler: (type: number, payload: Buffer) => void): void;
  /** Called once when the client cancels or is gone. */
  onCancel(handler: () => void): void;
  isClosed(): boolean;
}

/** Opens a session: subscribes to its input and starts the keepalive. */
export function openStreamSession(
  bus: NodeBus,
  id: string,
  log: Logger,
  pingIntervalMs = PING_INTERVAL_MS,
): StreamSession {
  const subjects = sessionSubjects(id);
  const queued: { type: number; payload: Buffer }[] = [];
  let inputHandler: ((type: number, payload: Buffer) => void) | undefined;
  const cancelHandlers: (() => void)[] = [];
  let closed = false;
  let cancelled = false;
  let misses = 0;

  function cancel(why: string): void {
    if (cancelled || closed) return;
    cancelled = true;
    log.debug({ session: id, why }, 'stream session cancelled');
    for (const h of cancelHandlers) h();
    close();
  }

  const sub = bus.subscribe(subjects.in, {
    callback: (err, msg) => {
      if (err) return;
      const frame = decodeFrame(msg.data);
      if (!frame) return;
      if (frame.type === Frame.cancel) cancel('client cancelled');
      else if (inputHandler) inputHandler(frame.type, frame.payload);
      else queued.push(frame);
    },
  });

  const pinger = setInterval(() => {
    bus.request(subjects.ping, new Uint8Array(0), { timeout: pingIntervalMs }).then(
      () => {
        misses = 0;
      },
      (err: Error) => {
        // No responders means the apiserver's subscription is gone: stop at once.
        if (/no responders/i.test(`${err.name} ${err.message}`) || ++misses >= 2) cancel('apiserver side gone');
      },
    );
  }, pingIntervalMs);
  pinger.unref();

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(pinger);
    sub.unsubscribe();
  }

  return {
    id,
    send(type, data) {
      if (closed || data.length === 0) return;
      for (const f of dataFrames(type, data)) bus.publish(subjects.out, f);
    },
    end(result = {}) {
      if (closed) return;
      bus.publish(subjects.out, encodeFrame(Frame.end, encodeJson(result)));
      close();
    },
    dispose: close,
    onInput(handler) {
      inputHandler = handler;
      for (const f of queued.splice(0)) handler(f.type, f.payload);
    },
    onCancel(handler) {
      if (cancelled) handler();
      else cancelHandlers.push(handler);
    },
    isClosed: () => closed,
  };
}
