import { consistently, eventually, freePort } from '@kemu/testkit';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { createControl } from './control.js';
import { type HttpWorkload, startHttpWorkload } from './http-server.js';

interface Reply {
  status: number;
  body: string;
  localPort: number;
}

function call(port: number, path: string, method = 'GET', agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort: req.socket?.localPort ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

const env = (ports: number[], extra: Record<string, string> = {}) => ({
  KEMU_POD_NAME: 'web-1',
  KEMU_POD_NAMESPACE: 'shop',
  KEMU_NODE_NAME: 'node-1',
  KEMU_POD_IP: '10.244.1.5',
  KEMU_CONTAINER_PORTS: ports.join(','),
  KEMU_LISTEN_HOST: '127.0.0.1',
  ...extra,
});

describe('pod-workload HTTP server', () => {
  let workload: HttpWorkload | undefined;
  afterEach(async () => {
    await workload?.close();
    workload = undefined;
  });

  it('answers every path on every port with who it is and who asked', async () => {
    const ports = [await freePort(), await freePort()];
    const config = configFromEnv(env(ports));
    const lines: Record<string, unknown>[] = [];
    workload = await startHttpWorkload(config, createControl(config), (l) => lines.push(l));
    for (const port of ports) {
      const reply = await call(port, '/api/items?x=1');
      expect(reply.status).toBe(200);
      expect(reply.body.endsWith('}\n')).toBe(true);
      const who = JSON.parse(reply.body);
      expect(who).toMatchObject({
        pod: 'web-1',
        namespace: 'shop',
        node: 'node-1',
        podIP: '10.244.1.5',
        client: `127.0.0.1:${reply.localPort}`,
        path: '/api/items?x=1',
        method: 'GET',
        host: `127.0.0.1:${port}`,
      });
      expect(Date.parse(who.time)).not.toBeNaN();
    }
    expect(lines.filter((l) => l.msg === 'request')).toHaveLength(2);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/api/items?x=1', status: 200 });
  });

  it('serves /health and /ready and flips them through /control', async () => {
    const port = await freePort();
    const config = configFromEnv(env([port]));
    workload = await startHttpWorkload(config, createControl(config), () => undefined);
    expect(await call(port, '/ready')).toMatchObject({ status: 200, body: 'ok' });
    expect(await call(port, '/health')).toMatchObject({ status: 200, body: 'ok' });
    expect((await call(port, '/control/ready?value=false', 'POST')).body).toBe('{"ready":false,"healthy":true}\n');
    expect(await call(port, '/ready')).toMatchObject({ status: 503, body: 'not ok' });
    await call(port, '/control/health?value=false', 'POST');
    expect((await call(port, '/health')).status).toBe(503);
    await call(port, '/control/ready?value=true', 'POST');
    expect((await call(port, '/ready')).status).toBe(200);
  });

  it('reports not ready until KEMU_READY_DELAY_SECONDS passed', async () => {
    const port = await freePort();
    const config = configFromEnv(env([port], { KEMU_READY_DELAY_SECONDS: '0.3' }));
    const start = Date.now();
    workload = await startHttpWorkload(config, createControl(config), () => undefined);
    expect((await call(port, '/ready')).status).toBe(503);
    await eventually(async () => (await call(port, '/ready')).status === 200, {
      timeoutMs: 2_000,
      intervalMs: 20,
      what: 'ready',
    });
    expect(Date.now() - start).toBeGreaterThanOrEqual(300);
  });

  it('keeps connections alive between requests', async () => {
    const port = await freePort();
    const config = configFromEnv(env([port]));
    workload = await startHttpWorkload(config, createControl(config), () => undefined);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const a = await call(port, '/a', 'GET', agent);
    const b = await call(port, '/b', 'GET', agent);
    expect(JSON.parse(b.body).client).toBe(JSON.parse(a.body).client);
    agent.destroy();
  });

  it('shuts down gracefully: finishes in-flight responses, ends idle connections with a FIN and waits for the client', async () => {
    const port = await freePort();
    const config = configFromEnv(env([port]));
    const w = await startHttpWorkload(config, createControl(config), () => undefined);
    // One idle keep-alive connection, and one reading a 20 MB body slowly.
    const idle = connect(port, '127.0.0.1');
    idle.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(idle, 'data');
    const slow = connect(port, '127.0.0.1');
    const size = 20_000_000;
    slow.write(`GET /bytes/${size} HTTP/1.1\r\nhost: x\r\n\r\n`);
    await once(slow, 'readable');
    slow.pause();
    let closed = false;
    const closing = w.close().then(() => {
      closed = true;
    });
    const idleEnd = once(idle, 'end');
    idle.resume();
    await idleEnd;
    idle.end();
    // New connections are refused while the slow one still gets every byte.
    await expect(call(port, '/')).rejects.toThrow(/ECONNREFUSED/);
    await consistently(() => !closed, { forMs: 100, what: 'close waiting for the slow client' });
    let received = 0;
    slow.on('data', (d: Buffer) => {
      received += d.length;
    });
    slow.resume();
    await once(slow, 'end');
    expect(received).toBeGreaterThan(size);
    slow.end();
    await closing;
    expect(closed).toBe(true);
  });
});

describe('pod-workload process', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  beforeAll(() => {
    execFileSync('npx', ['tsc', '--build', 'services/pod-workload'], { cwd: root });
  });

  it('logs requests as JSON lines and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, 'services/pod-workload/dist/main.js')], {
      env: { ...process.env, ...env([port]) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await eventually(() => out.includes('listening'), {
        timeoutMs: 5_000,
        intervalMs: 50,
        what: 'workload listening',
      });
      expect((await call(port, '/hello')).status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.msg)).toEqual(['listening', 'request', 'shutting down']);
      expect(lines[1]).toMatchObject({ method: 'GET', path: '/hello', status: 200 });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
