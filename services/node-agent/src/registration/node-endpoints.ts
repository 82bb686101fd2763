/**
 * The node's own HTTP endpoints, on its InternalIP at the port the Node object
 * advertises (status.daemonEndpoints.kubeletEndpoint, 10250), the way a kubelet's are
 * reached through `nodes/<name>/proxy/...`: `/healthz` and `/pods` (this node's pods as
 * a PodList), plus the extra paths the caller serves (/metrics, /metrics/resource). Plain HTTP: only the apiserver proxy reaches it, from inside the cluster.
 */
import type { Logger } from '@kemu/log';
import { type View, listObjects } from '@kemu/eventlog';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

/** The port of the node's endpoints (the kubelet's). */
export const NODE_ENDPOINTS_PORT = 10250;

/** Options of the node endpoints. */
export interface NodeEndpointsOptions {
  view: View;
  node: string;
  address: string;
  port?: number;
  /** More GET paths (exact match) and their handlers. */
  paths?: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>;
  log: Logger;
}

/** Starts serving; resolves with the server (closed by the caller). */
export async function startNodeEndpoints(o: NodeEndpointsOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://node').pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (path === '/pods') {
      const items = listObjects(o.view, 'pods').filter((p) => p.spec.nodeName === o.node);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
      return;
    }
    const extra = o.paths?.[path];
    if (extra) return void extra(req, res);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? NODE_ENDPOINTS_PORT, o.address, () => resolve());
  });
  o.log.info({ address: o.address, port: o.port ?? NODE_ENDPOINTS_PORT }, 'node endpoints listening');
  return server;
}
