/**
 * One port-forward connection on this node: like the kubelet, the connection to the
 * port is made from inside the pod's network namespace to localhost, so a server bound
 * to 127.0.0.1 in the pod is reachable too and nothing is dialled from the host. The
 * socket comes from the namespace dialer (netns-dialer.ts) and is relayed here: stdin
 * frames are written to it, what the pod sends goes back as stdout frames, a client
 * half-close half-closes it, a cancel destroys it, and the pod's end of stream ends the
 * session (the kubelet stops when its copy from the pod is done).
 */
import type { Logger } from '@kemu/log';
import { type View, getObject } from '@kemu/eventlog';
import type { Socket } from 'node:net';
import { Frame, MAX_FRAME_DATA, type PortForwardRequest, type StreamStatus } from '@kemu/pod-streams';
import type { StreamHandler } from './pod-stream-server.js';
import { dialError } from './dial-server.js';
import { type NetnsDialer, NetnsDialError } from './netns-dialer.js';

/** What the port-forward handler needs. */
export interface PortForwardServerOptions {
  view: View;
  node: string;
  /** The argv prefix that runs a command in a pod's network namespace. */
  enterPodNetwork(uid: string): string[];
  dialer: NetnsDialer;
  log: Logger;
}

/** The kubelet-style failure message of a dial that made no connection. */
export function connectFailure(port: number, err: Error): string {
  const reason =
    err instanceof NetnsDialError && err.code !== 'EHELPER'
      ? `connect: ${dialError(err)}`
      : err.message.trim() || 'connection failed';
  return `failed to connect to localhost:${port} inside the pod's network namespace: dial tcp4 127.0.0.1:${port}: ${reason}`;
}

/** Creates the `portforward` stream handler. */
export function createPortForwardHandler(o: PortForwardServerOptions): StreamHandler<PortForwardRequest> {
  return async (req, session) => {
    const pod = getObject(o.view, { resource: 'pods', namespace: req.namespace, name: req.pod });
    if (!pod || (req.uid && pod.metadata.uid !== req.uid) || pod.spec.nodeName !== o.node) {
      return { code: 404, reason: 'NotFound', message: `pods "${req.pod}" not found on node "${o.node}"` };
    }
    const phase = pod.status?.phase;
    if (phase !== 'Running') {
      return {
        code: 400,
        reason: 'BadRequest',
        message: `unable to forward port because pod is not running. Current status=${phase ?? 'Pending'}`,
      } satisfies StreamStatus;
    }
    const uid = pod.metadata.uid ?? '';
    const prefix = pod.spec.hostNetwork ? [] : o.enterPodNetwork(uid);
    const log = o.log.child({ pod: `${req.namespace}/${req.pod}`, port: req.port });
    return () => {
      let finished = false;
      const finish = (status?: StreamStatus) => {
        if (finished) return;
        finished = true;
        session.end(status ? { status } : {});
      };
      // Input that arrives while the dial is under way waits for the socket.
      let socket: Socket | undefined;
      const early: { type: number; payload: Buffer }[] = [];
      let cancelled = false;
      session.onCancel(() => {
        cancelled = true;
        socket?.destroy();
      });
      o.dialer.dial(uid, prefix, req.port).then(
        (s) => {
          if (cancelled) {
            s.destroy();
            return;
          }
          socket = s;
          relay(s);
          for (const f of early.splice(0)) input(s, f.type, f.payload);
        },
        (err: Error) => {
          log.debug({ err }, 'port-forward dial failed');
          finish({ code: 500, reason: 'InternalError', message: connectFailure(req.port, err) });
        },
      );
      session.onInput((type, payload) => {
        if (socket) input(socket, type, payload);
        else early.push({ type, payload });
      });

      // Flow control: pause reading from the pod while `window` bytes are unacknowledged.
      let unacked = 0;
      const window = req.window;
      function input(s: Socket, type: number, payload: Buffer): void {
        if (type === Frame.stdin) s.write(payload);
        else if (type === Frame.closeStdin) s.end();
        else if (type === Frame.ack && payload.length >= 4) {
          unacked = Math.max(0, unacked - payload.readUInt32BE(0));
          if (window && unacked < window / 2 && s.isPaused()) s.resume();
        }
      }

      function relay(s: Socket): void {
        // As Go's dialer (the kubelet's) does: a client's small writes go out at once.
        s.setNoDelay(true);
        // What arrives in one turn goes out as one frame (up to MAX_FRAME_DATA each).
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = () => {
          if (pendingBytes === 0) return;
          const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          session.send(Frame.stdout, data);
        };
        s.on('data', (d: Buffer) => {
          unacked += d.length;
          if (window && unacked >= window) s.pause();
          if (pendingBytes === 0) setImmediate(flush);
          pending.push(d);
          pendingBytes += d.length;
          if (pendingBytes >= MAX_FRAME_DATA) flush();
        });
        s.on('error', (err) => log.debug({ err }, 'port-forward connection failed'));
        s.on('end', () => {
          flush();
          finish();
          s.destroy();
        });
        s.on('close', () => {
          flush();
          finish();
        });
        s.resume();
      }
    };
  };
}
