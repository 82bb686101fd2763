/**
 * `kubectl port-forward`: the upgrade of `pods/<name>/portforward`. kubectl 1.32 first
 * offers a WebSocket with the `SPDY/3.1+portforward.k8s.io` subprotocol and tunnels a
 * SPDY/3.1 connection in its binary messages; older clients (and kubectl when the
 * WebSocket upgrade fails) ask for a plain `Upgrade: SPDY/3.1` with
 * `X-Stream-Protocol-Version: portforward.k8s.io`. Both end in the same SPDY server
 * connection (spdy/spdy-connection.ts) whose stream pairs port-forward-session.ts
 * relays to the pod's node-agent. When the pod is deleted or finishes, its connections
 * are closed, and kubectl reports "lost connection to pod".
 */
import {
  type ApiError,
  type Pod,
  badRequest,
  methodNotAllowed,
  resourceByName,
  unauthorized,
  unavailable,
} from '@kemu/api';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer } from 'ws';
import type { ApiContext } from '../context.js';
import { pathNotFound, toApiError } from '../http/http-io.js';
import { parseRoute } from '../http/router.js';
import { getStored } from '../verbs/object-read.js';
import { type PortForwardPod, createPortForwardSession } from './port-forward-session.js';
import { offeredProtocols } from './remotecommand.js';
import { type SpdyConnection, createSpdyConnection } from './spdy/spdy-connection.js';

/** The WebSocket subprotocol of SPDY tunnelled in a WebSocket (client-go's WebsocketsSPDYTunnelingPortForwardV1). */
export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/**
 * What the tunnel's subprotocol is called while `ws` negotiates: `ws` refuses a
 * Sec-WebSocket-Protocol with `/` in it (not an RFC 7230 token), so the offer is
 * renamed to this token before the handshake and answered with the real name.
 */
const TUNNEL_TOKEN = 'kemu-spdy-portforward-tunnel';
/** The port-forward protocol of a plain SPDY upgrade. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

/** Handles the `upgrade` events addressed at `pods/<name>/portforward`. */
export interface PortForwardUpgrades {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, reject: (socket: Duplex, err: ApiError) => void): void;
  close(): void;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function headerList(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Creates the port-forward upgrade handler; it watches pods to end forwards of deleted ones. */
export function createPortForwardUpgrades(
  ctx: ApiContext,
  authenticate?: (req: IncomingMessage, pathname: string) => boolean,
): PortForwardUpgrades {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(TUNNEL_TOKEN) ? SPDY_TUNNEL_PROTOCOL : false),
  });
  const byPod = new Map<string, Set<SpdyConnection>>();

  function endForwards(uid: string | undefined): void {
    if (!uid) return;
    const conns = byPod.get(uid);
    if (!conns) return;
    byPod.delete(uid);
    ctx.log.info({ uid, connections: conns.size }, 'pod gone: closing its port-forwards');
    for (const c of conns) c.close();
  }
  const stopWatching = ctx.informer.on('pods', {
    onDelete: (pod) => endForwards(pod.metadata.uid),
    onUpdate: (_old, pod) => {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') endForwards(pod.metadata.uid);
    },
  });

  function target(req: IncomingMessage, url: URL): PortForwardPod {
    if (authenticate && !authenticate(req, url.pathname)) throw unauthorized();
    const route = parseRoute(url.pathname);
    if (route.kind !== 'resource' || route.name === undefined || route.namespace === undefined) throw pathNotFound();
    if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
    if (!ctx.informer.isSynced()) throw unavailable('the apiserver is starting: its view is not synced yet');
    const type = resourceByName('pods');
    if (!type) throw new Error('pods are not a known resource');
    const pod = getStored(ctx, type, route.namespace, route.name) as Pod;
    if (!pod.spec.nodeName) throw badRequest(`pod ${route.name} does not have a host assigned`);
    if (!ctx.nodeBus) throw unavailable('port-forward is not available: the apiserver has no connection to the nodes');
    return { namespace: route.namespace, name: route.name, uid: pod.metadata.uid ?? '', node: pod.spec.nodeName };
  }

  function track(pod: PortForwardPod, conn: SpdyConnection): () => void {
    const set = byPod.get(pod.uid) ?? new Set();
    set.add(conn);
    byPod.set(pod.uid, set);
    return () => {
      set.delete(conn);
      if (set.size === 0 && byPod.get(pod.uid) === set) byPod.delete(pod.uid);
    };
  }

  function serve(pod: PortForwardPod, transport: 'websocket' | 'spdy', open: (c: SpdyConnection) => void) {
    const log = ctx.log.child({ pod: `${pod.namespace}/${pod.name}`, kind: 'portforward', transport });
    return (write: (b: Buffer, written?: () => void) => void, closeTransport: () => void) => {
      const conn = createSpdyConnection({
        transport: { write, close: closeTransport },
        onStream: createPortForwardSession(ctx.nodeBus!, pod, log),
        onError: (err) => log.info({ err }, 'port-forward protocol error'),
      });
      const untrack = track(pod, conn);
      log.debug('port-forward started');
      open(conn);
      return () => {
        untrack();
        conn.transportClosed();
        log.debug('port-forward ended');
      };
    };
  }

  return {
    handle(req, socket, head, reject) {
      const url = new URL(req.url ?? '/', 'http://apiserver');
      let pod: PortForwardPod;
      const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
      try {
        pod = target(req, url);
        if (
          upgrade === 'websocket' &&
          !offeredProtocols(req.headers['sec-websocket-protocol']).has(SPDY_TUNNEL_PROTOCOL)
        ) {
          throw badRequest(`no supported subprotocol offered: use ${SPDY_TUNNEL_PROTOCOL}`);
        }
        if (upgrade !== 'websocket' && !upgrade.startsWith('spdy/3.1')) {
          throw badRequest(`upgrade ${req.headers.upgrade} is not supported: use SPDY/3.1 or a WebSocket`);
        }
        if (
          upgrade !== 'websocket' &&
          !headerList(req.headers['x-stream-protocol-version']).includes(PORT_FORWARD_PROTOCOL)
        ) {
          throw badRequest(`unable to upgrade: no supported stream protocol offered: use ${PORT_FORWARD_PROTOCOL}`);
        }
      } catch (err) {
        const apiErr = toApiError(err);
        ctx.log.debug({ path: url.pathname, reason: apiErr.reason, message: apiErr.message }, 'upgrade refused');
        reject(socket, apiErr);
        return;
      }
      if (upgrade === 'websocket') {
        req.headers['sec-websocket-protocol'] = TUNNEL_TOKEN;
        wss.handleUpgrade(req, socket, head, (ws) => {
          const start = serve(pod, 'websocket', (conn) => {
            ws.on('message', (data: RawData) => conn.receive(toBuffer(data)));
          });
          const stop = start(
            (b, written) => {
              if (ws.readyState === ws.OPEN) ws.send(b, { binary: true }, () => written?.());
            },
            () => ws.close(1000),
          );
          ws.on('error', () => undefined);
          ws.on('close', stop);
        });
        return;
      }
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\n' +
          'Connection: Upgrade\r\n' +
          'Upgrade: SPDY/3.1\r\n' +
          `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
      );
      const start = serve(pod, 'spdy', (conn) => {
        if (head.length > 0) conn.receive(head);
        socket.on('data', (d: Buffer) => conn.receive(d));
      });
      const stop = start(
        (b, written) => {
          if (!socket.destroyed) socket.write(b, () => written?.());
        },
        () => socket.end(),
      );
      socket.on('close', stop);
    },
    close() {
      stopWatching();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const conns of byPod.values()) for (const c of conns) c.close();
      byPod.clear();
    },
  };
}
