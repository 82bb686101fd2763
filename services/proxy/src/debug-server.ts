/**
 * The proxy's debug endpoint, like kube-proxy's :10249 on the node's address: `/healthz`
 * answers once the first sync is done, `/endpoints` lists what every service port
 * forwards to right now. The chaos runner polls it through the underlay to time when a
 * killed pod's endpoint left each node's proxy. `/metrics` is kube-proxy's Prometheus
 * endpoint, on the same port as kube-proxy serves it.
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from '@kemu/log';
import { type MetricsRegistry, serveMetrics } from '@kemu/metrics';
import type { AppliedServicePort } from './proxier.js';

/** kube-proxy's metrics/health port, used for the debug endpoint. */
export const DEBUG_PORT = 10249;

/** What the debug endpoint reads. */
export interface DebugServerOptions {
  host: string;
  port: number;
  node: string;
  servicePorts(): AppliedServicePort[];
  /** Served at /metrics when given. */
  metrics?: MetricsRegistry;
  log: Logger;
}

/** A listening debug endpoint. */
export interface DebugServer {
  /** The port it listens on (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** The `/endpoints` reply. */
export interface EndpointsReply {
  node: string;
  time: string;
  servicePorts: AppliedServicePort[];
}

/** Starts the debug endpoint; resolves once it listens. */
export async function startDebugServer(o: DebugServerOptions): Promise<DebugServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/metrics' && o.metrics) return void serveMetrics(o.metrics, req, res);
    if (path === '/endpoints') {
      const body: EndpointsReply = { node: o.node, time: new Date().toISOString(), servicePorts: o.servicePorts() };
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  o.log.info({ listen: `${o.host}:${o.port}` }, 'debug endpoint listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : o.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
