import { describe, expect, it } from 'vitest';
import { Counter } from 'prom-client';
import { createMetricsRegistry } from './metrics-registry.js';
import { startMetricsServer } from './metrics-server.js';

describe('startMetricsServer', () => {
  it('serves /metrics in the Prometheus text format, /healthz, extra paths, and 404 elsewhere', async () => {
    const registry = createMetricsRegistry();
    new Counter({ name: 'kemu_test_total', help: 'A test counter.', registers: [registry] }).inc(3);
    const server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      paths: { '/extra': (_req, res) => void res.end('more') },
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await metrics.text();
      expect(text).toContain('# TYPE kemu_test_total counter\nkemu_test_total 3');
      expect(text).toMatch(/^process_resident_memory_bytes [1-9]/m);
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
      expect(await (await fetch(`${base}/extra`)).text()).toBe('more');
      expect((await fetch(`${base}/other`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
