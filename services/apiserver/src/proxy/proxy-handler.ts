/**
 * The apiserver proxy (`services|pods|nodes/<name>/proxy/<path>`, what `kubectl proxy`
 * and `kubectl get --raw` reach): the request is sent to the resolved target over a
 * connection the target's node-agent makes (node-dial.ts), never from the apiserver
 * host to a cluster address. Node's HTTP client runs over that connection (TLS on top
 * for an `https:` prefix, without verification, as kube-apiserver does for these
 * backends), and the answer is streamed back. The caller's credentials and
 * hop-by-hop headers are not passed on. A failed connection is a 503 Status as
 * kube-apiserver words it ("error trying to reach service: ...").
 */
import { ApiError, unavailable } from '@kemu/api';
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, request } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { ApiContext } from '../context.js';
import { sendError } from '../http/http-io.js';
import { dialThroughNode } from './node-dial.js';
import type { ProxyRoute } from './proxy-route.js';
import { proxyTarget } from './proxy-target.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The headers to pass on, without hop-by-hop ones (and, towards the backend, without credentials). */
export function forwardedHeaders(
  headers: IncomingHttpHeaders,
  towardsBackend: boolean,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (towardsBackend && (name === 'authorization' || name === 'host')) continue;
    out[name] = value;
  }
  return out;
}

function reachError(err: unknown): ApiError {
  const message = err instanceof ApiError ? err.message : (err as Error).message;
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `error trying to reach service: ${message}`,
    reason: 'ServiceUnavailable',
    code: 503,
  });
}

/** Serves one proxy request. */
export async function serveProxy(
  ctx: ApiContext,
  route: ProxyRoute,
  req: IncomingMessage,
  res: ServerResponse,
  search: string,
): Promise<void> {
  if (!ctx.informer.isSynced()) throw unavailable('the apiserver is starting: its view is not synced yet');
  if (!ctx.nodeBus) throw unavailable('the proxy is not available: the apiserver has no connection to the nodes');
  const target = proxyTarget(ctx, route);
  let conn: Duplex;
  try {
    conn = await dialThroughNode(ctx.nodeBus, target.node, target.address, target.port);
  } catch (err) {
    throw reachError(err);
  }
  const socket = target.scheme === 'https' ? tlsConnect({ socket: conn, rejectUnauthorized: false }) : conn;
  const host = `${target.address}:${target.port}`;
  const upstream = request({
    method: req.method,
    path: `${route.path || '/'}${search}`,
    headers: { ...forwardedHeaders(req.headers, true), host, connection: 'close' },
    createConnection: () => socket as never,
  });
  await new Promise<void>((resolve) => {
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, forwardedHeaders(answer.headers, false));
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) sendError(res, reachError(err));
      else res.destroy();
      resolve();
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      resolve();
    });
    req.pipe(upstream);
  });
}
