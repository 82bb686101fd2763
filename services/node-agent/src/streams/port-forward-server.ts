/**
 * One port-forward connection on this node: like the kubelet (dockershim ran
 * `nsenter -n socat - TCP4:localhost:PORT`), the connection to the port is made from
 * inside the pod's network namespace to localhost, so a server bound to 127.0.0.1 in
 * the pod is reachable too and nothing is dialled from the host. The connector is
 * busybox `nc`, one process per connection: stdin frames go to its stdin, its stdout
 * comes back as stdout frames, a client half-close closes its stdin (nc then
 * half-closes the socket), and a cancel kills it.
 */
import type { Logger } from '@kemu/log';
import { type View, getObject } from '@kemu/eventlog';
import { spawn } from 'node:child_process';
import { Frame, MAX_FRAME_DATA, type PortForwardRequest, type StreamStatus } from '@kemu/pod-streams';
import type { StreamHandler } from './pod-stream-server.js';

/** What the port-forward handler needs. */
export interface PortForwardServerOptions {
  view: View;
  node: string;
  /** The argv prefix that runs a command in a pod's network namespace. */
  enterPodNetwork(uid: string): string[];
  log: Logger;
}

/** The connector's argv after the namespace prefix. */
export function connectorArgv(port: number): string[] {
  return ['busybox', 'nc', '127.0.0.1', String(port)];
}

/** The kubelet-style failure message of a connector that exited without a connection. */
export function connectFailure(port: number, stderr: string): string {
  const reason = /refused/i.test(stderr) ? 'connect: connection refused' : stderr.trim() || 'connection failed';
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
    const argv = [
      ...(pod.spec.hostNetwork ? [] : o.enterPodNetwork(pod.metadata.uid ?? '')),
      ...connectorArgv(req.port),
    ];
    const log = o.log.child({ pod: `${req.namespace}/${req.pod}`, port: req.port });
    return () => {
      const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let received = 0;
      let stderr = '';
      let finished = false;
      // nc writes in small pieces: gather what arrives in one turn into one frame.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = () => {
        if (pendingBytes === 0) return;
        const data = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        session.send(Frame.stdout, data);
      };
      // Flow control: pause reading from the pod while `window` bytes are unacknowledged.
      let unacked = 0;
      const window = req.window;
      child.stdout.on('data', (d: Buffer) => {
        received += d.length;
        unacked += d.length;
        if (window && unacked >= window) child.stdout.pause();
        if (pendingBytes === 0) setImmediate(flush);
        pending.push(d);
        pendingBytes += d.length;
        if (pendingBytes >= MAX_FRAME_DATA) flush();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
      });
      child.stdin.on('error', () => undefined);
      const finish = (status?: StreamStatus) => {
        if (finished) return;
        finished = true;
        session.end(status ? { status } : {});
      };
      child.once('error', (err) => {
        log.warn({ err }, 'port-forward connector failed to start');
        finish({ code: 500, reason: 'InternalError', message: `port-forward connector: ${err.message}` });
      });
      child.once('close', (code) => {
        flush();
        if (code !== 0 && received === 0) {
          finish({ code: 500, reason: 'InternalError', message: connectFailure(req.port, stderr) });
        } else finish();
      });
      session.onInput((type, payload) => {
        if (type === Frame.stdin) child.stdin.write(payload);
        else if (type === Frame.closeStdin) child.stdin.end();
        else if (type === Frame.ack && payload.length >= 4) {
          unacked = Math.max(0, unacked - payload.readUInt32BE(0));
          if (window && unacked < window / 2 && child.stdout.isPaused()) child.stdout.resume();
        }
      });
      session.onCancel(() => child.kill('SIGKILL'));
    };
  };
}
