/**
 * The apiserver proxy's connections on this node (`services|pods|nodes/<name>/proxy`):
 * a TCP connection from the node's network namespace to a pod of this node or to the
 * node's own endpoints, relayed over the stream session like a port-forward. Any
 * other address is refused, so the node-agent is no open relay into the cluster.
 */
import type { Logger } from '@kemu/log';
import { type View, listObjects } from '@kemu/eventlog';
import { connect } from 'node:net';
import { type DialRequest, Frame, type StreamStatus } from '@kemu/pod-streams';
import type { StreamHandler } from './pod-stream-server.js';

/** What the dial handler needs. */
export interface DialServerOptions {
  view: View;
  node: string;
  /** The node's own addresses (its InternalIP). */
  nodeAddresses(): string[];
  log: Logger;
}

/** Whether `address` is the node itself or a running pod of this node. */
export function dialAllowed(view: View, node: string, nodeAddresses: string[], address: string): boolean {
  if (nodeAddresses.includes(address)) return true;
  return listObjects(view, 'pods').some(
    (p) => p.spec.nodeName === node && !p.spec.hostNetwork && p.status?.podIP === address,
  );
}

/** A socket error in Go's words, as kube-apiserver reports a failed dial. */
export function dialError(err: NodeJS.ErrnoException): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    EHOSTUNREACH: 'no route to host',
    ETIMEDOUT: 'connection timed out',
    ENETUNREACH: 'network is unreachable',
  };
  return words[err.code ?? ''] ?? err.message;
}

/** Creates the `dial` stream handler. */
export function createDialHandler(o: DialServerOptions): StreamHandler<DialRequest> {
  return async (req, session) => {
    if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) {
      return { code: 400, reason: 'BadRequest', message: `invalid port ${req.port}` } satisfies StreamStatus;
    }
    if (!dialAllowed(o.view, o.node, o.nodeAddresses(), req.address)) {
      return {
        code: 403,
        reason: 'Forbidden',
        message: `address ${req.address} is neither node "${o.node}" nor one of its pods`,
      } satisfies StreamStatus;
    }
    return () => {
      const socket = connect({ host: req.address, port: req.port });
      let connected = false;
      let finished = false;
      const finish = (status?: StreamStatus) => {
        if (finished) return;
        finished = true;
        session.end(status ? { status } : {});
      };
      socket.on('connect', () => {
        connected = true;
      });
      socket.on('data', (d: Buffer) => session.send(Frame.stdout, d));
      socket.on('error', (err) => {
        if (!connected) {
          finish({
            code: 503,
            reason: 'ServiceUnavailable',
            message: `dial tcp ${req.address}:${req.port}: connect: ${dialError(err)}`,
          });
        } else o.log.debug({ err, address: req.address, port: req.port }, 'proxied connection failed');
      });
      socket.on('close', () => finish());
      session.onInput((type, payload) => {
        if (type === Frame.stdin) socket.write(payload);
        else if (type === Frame.closeStdin) socket.end();
      });
      session.onCancel(() => socket.destroy());
    };
  };
}
