/**
 * One Prometheus registry per component process, with prom-client's default process and
 * Node.js metrics (process_cpu_seconds_total, process_resident_memory_bytes, …) as every
 * Kubernetes component exports its process metrics, and the text exposition served at
 * `/metrics`. Components register their own metrics on the registry they get.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** A component's registry (prom-client's). */
export type MetricsRegistry = Registry;

/** Creates a registry holding the default process metrics. */
export function createMetricsRegistry(): MetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Answers a request with the registry in the Prometheus text format (0.0.4). */
export async function serveMetrics(
  registry: MetricsRegistry,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType }).end(body);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(err as Error).message}\n`);
  }
}
