/**
 * `kubectl exec` and `kubectl attach`: the WebSocket upgrade of `pods/<name>/exec|attach`
 * with the remotecommand v5 (or v4) subprotocol, relayed frame by frame to a session
 * with the pod's node-agent over NATS. Checks that can fail (pod, container, node,
 * phase) are made before the upgrade, so kubectl prints them as Status errors. Exec
 * ends with the exit code's Status on channel 3; attach always ends with Success (run
 * -it takes the exit code from the pod status, and a failure there makes kubectl fall
 * back to printing the logs). Then the socket closes with 1000.
 */
import { type ApiError, badRequest, methodNotAllowed, unauthorized, unavailable } from '@kemu/api';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { ApiContext } from '../context.js';
import { pathNotFound, toApiError } from '../http/http-io.js';
import { isTrue } from '../http/negotiation.js';
import { type NodeStream, openNodeStream } from './node-stream-client.js';
import { Frame, type StreamEnd } from '@kemu/pod-streams';
import { podStreamTarget } from './pod-stream-target.js';
import {
  Channel,
  type ClientMessage,
  REMOTECOMMAND_PROTOCOLS,
  channelMessage,
  exitStatus,
  failureStatus,
  offeredProtocols,
  parseClientMessage,
  pickProtocol,
} from './remotecommand.js';
import { parseRoute } from '../http/router.js';

/** Handles `upgrade` events of the apiserver's HTTP servers. */
export interface PodStreamUpgrades {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every open exec/attach socket. */
  close(): void;
}

/** What an exec or attach asks for. */
interface SessionRequest {
  kind: 'exec' | 'attach';
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  node: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Answers an upgrade request with a Status instead of switching protocols. */
function rejectUpgrade(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.status);
  socket.end(
    `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Creates the upgrade handler; `authenticate` (when given) must accept the request. */
export function createPodStreamUpgrades(
  ctx: ApiContext,
  authenticate?: (req: IncomingMessage, pathname: string) => boolean,
): PodStreamUpgrades {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => pickProtocol(offered) ?? false,
  });

  function sessionRequest(req: IncomingMessage, url: URL): SessionRequest {
    if (authenticate && !authenticate(req, url.pathname)) throw unauthorized();
    const route = parseRoute(url.pathname);
    if (
      route.kind !== 'resource' ||
      route.type.resource !== 'pods' ||
      route.name === undefined ||
      route.namespace === undefined ||
      (route.subresource !== 'exec' && route.subresource !== 'attach')
    ) {
      throw pathNotFound();
    }
    if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
    if (!ctx.informer.isSynced()) throw unavailable('the apiserver is starting: its view is not synced yet');
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'websocket') {
      throw badRequest(
        `upgrade ${req.headers.upgrade} is not supported: use a WebSocket with ${REMOTECOMMAND_PROTOCOLS[0]}`,
      );
    }
    if (!pickProtocol(offeredProtocols(req.headers['sec-websocket-protocol']))) {
      throw badRequest(`no supported subprotocol offered: use ${REMOTECOMMAND_PROTOCOLS.join(' or ')}`);
    }
    const q = url.searchParams;
    const kind = route.subresource;
    const command = q.getAll('command');
    if (kind === 'exec' && command.length === 0) throw badRequest('you must specify at least 1 command');
    const flags = {
      stdin: isTrue(q.get('stdin')),
      stdout: isTrue(q.get('stdout')),
      stderr: isTrue(q.get('stderr')),
      tty: isTrue(q.get('tty')),
    };
    if (!flags.stdin && !flags.stdout && !flags.stderr) {
      throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    }
    const target = podStreamTarget(ctx, route.namespace, route.name, q.get('container'));
    if (!target.node) throw badRequest(`pod ${route.name} does not have a host assigned`);
    const phase = target.pod.status?.phase;
    if (kind === 'exec' && (phase === 'Succeeded' || phase === 'Failed')) {
      throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    }
    if (!ctx.nodeBus) throw unavailable(`${kind} is not available: the apiserver has no connection to the nodes`);
    return {
      kind,
      namespace: route.namespace,
      pod: route.name,
      uid: target.pod.metadata.uid ?? '',
      container: target.container,
      node: target.node,
      command,
      ...flags,
    };
  }

  async function runSession(ws: WebSocket, protocol: string, r: SessionRequest): Promise<void> {
    const log = ctx.log.child({ pod: `${r.namespace}/${r.pod}`, container: r.container, kind: r.kind });
    const started = Date.now();
    const pending: ClientMessage[] = [];
    let stream: NodeStream | undefined;
    let finished = false;
    let clientGone = false;

    const forward = (m: ClientMessage) => {
      if (!stream) return;
      if (m.kind === 'stdin') stream.send(Frame.stdin, m.data);
      else if (m.kind === 'resize') stream.send(Frame.resize, m.payload);
      else if (m.kind === 'close' && m.stream === Channel.stdin) stream.send(Frame.closeStdin);
    };
    const finish = (end: StreamEnd) => {
      if (finished) return;
      finished = true;
      const status = end.status
        ? failureStatus(end.status.code, end.status.reason, end.status.message)
        : r.kind === 'exec'
          ? exitStatus(r.command, end.exitCode ?? 0)
          : { metadata: {}, status: 'Success' };
      log.info({ exitCode: end.exitCode, failure: end.status?.message, ms: Date.now() - started }, 'pod stream ended');
      if (ws.readyState !== ws.OPEN) return;
      ws.send(channelMessage(Channel.error, JSON.stringify(status)), () => ws.close(1000));
    };

    ws.on('message', (data: RawData) => {
      const m = parseClientMessage(toBuffer(data), protocol);
      if (m.kind === 'ignored') return;
      if (stream) forward(m);
      else pending.push(m);
    });
    ws.on('error', (err) => log.debug({ err }, 'websocket error'));
    ws.on('close', () => {
      clientGone = true;
      if (!finished) stream?.cancel();
    });

    try {
      stream = await openNodeStream(
        ctx.nodeBus!,
        r.node,
        r.kind,
        {
          namespace: r.namespace,
          pod: r.pod,
          uid: r.uid,
          container: r.container,
          command: r.command,
          stdin: r.stdin,
          stdout: r.stdout,
          stderr: r.stderr,
          tty: r.tty,
        },
        {
          onData: (type, data) => {
            if (ws.readyState === ws.OPEN) ws.send(channelMessage(type, data));
          },
          onEnd: finish,
        },
      );
    } catch (err) {
      const e = toApiError(err);
      finish({ status: { code: e.code, reason: e.reason, message: e.message } });
      return;
    }
    log.debug({ command: r.command, tty: r.tty, stdin: r.stdin }, 'pod stream started');
    if (clientGone) {
      stream.cancel();
      return;
    }
    for (const m of pending.splice(0)) forward(m);
  }

  return {
    handle(req, socket, head) {
      socket.on('error', () => undefined);
      const url = new URL(req.url ?? '/', 'http://apiserver');
      let request: SessionRequest;
      try {
        request = sessionRequest(req, url);
      } catch (err) {
        const apiErr = toApiError(err);
        if (apiErr.code >= 500) ctx.log.error({ err, path: url.pathname }, 'upgrade failed');
        else ctx.log.debug({ path: url.pathname, reason: apiErr.reason, message: apiErr.message }, 'upgrade refused');
        rejectUpgrade(socket, apiErr);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        void runSession(ws, ws.protocol, request);
      });
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
