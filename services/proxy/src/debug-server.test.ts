import { createLogger } from '@kemu/log';
import { describe, expect, it } from 'vitest';
import { startDebugServer } from './debug-server.js';
import type { AppliedServicePort } from './proxier.js';

describe('startDebugServer', () => {
  it('answers /healthz and lists the applied endpoints on /endpoints', async () => {
    let ports: AppliedServicePort[] = [
      { servicePort: 'default/web:http', listen: '10.96.0.20:80/TCP', listening: true, endpoints: ['10.244.1.5:8080'] },
    ];
    const log = createLogger({ component: 'kube-proxy', level: 'silent' });
    const server = await startDebugServer({
      host: '127.0.0.1',
      port: 0,
      node: 'node-1',
      servicePorts: () => ports,
      log,
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const first = (await (await fetch(`${base}/endpoints`)).json()) as { node: string; servicePorts: unknown };
      expect(first.node).toBe('node-1');
      expect(first.servicePorts).toEqual(ports);
      ports = [{ ...ports[0]!, endpoints: [] }];
      const second = (await (await fetch(`${base}/endpoints`)).json()) as { servicePorts: AppliedServicePort[] };
      expect(second.servicePorts[0]?.endpoints).toEqual([]);
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
