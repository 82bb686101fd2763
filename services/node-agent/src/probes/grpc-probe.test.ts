import { freePort } from '@kemu/testkit';
import { createServer, type Http2Server } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { grpcProbe, healthCheckRequest, healthCheckStatus } from './grpc-probe.js';

const servers: Http2Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A gRPC health server written against the wire format, answering `status` or a gRPC error. */
async function healthServer(
  answer: (service: string, path: string) => { status?: number; grpcStatus?: number; hang?: boolean },
) {
  const port = await freePort();
  const server = createServer();
  servers.push(server);
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const msg = body.subarray(5);
      const service = msg[0] === 0x0a ? msg.subarray(2, 2 + (msg[1] ?? 0)).toString() : '';
      const a = answer(service, String(headers[':path']));
      if (a.hang) return;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers({ 'grpc-status': String(a.grpcStatus ?? 0), 'grpc-message': 'nope' }),
      );
      stream.end(a.status !== undefined ? Buffer.from([0, 0, 0, 0, 2, 0x08, a.status]) : undefined);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return port;
}

describe('grpc health wire format', () => {
  it('frames HealthCheckRequest{service} and reads HealthCheckResponse.status', () => {
    expect([...healthCheckRequest('')]).toEqual([0, 0, 0, 0, 0]);
    expect([...healthCheckRequest('db')]).toEqual([0, 0, 0, 0, 4, 0x0a, 2, 0x64, 0x62]);
    expect(healthCheckStatus(Buffer.from([0, 0, 0, 0, 2, 0x08, 1]))).toBe(1);
    expect(healthCheckStatus(Buffer.from([0, 0, 0, 0, 0]))).toBe(0);
  });
});

describe('grpcProbe', () => {
  it('passes on SERVING for the asked service and fails on NOT_SERVING with the kubelet message', async () => {
    const asked: string[] = [];
    const port = await healthServer((service, path) => {
      asked.push(`${path} ${service}`);
      return { status: service === 'db' ? 1 : 2 };
    });
    expect(await grpcProbe('127.0.0.1', port, 'db', 1_000)).toEqual({ ok: true, message: '' });
    expect(await grpcProbe('127.0.0.1', port, '', 1_000)).toEqual({
      ok: false,
      message: 'service unhealthy (responded with "NOT_SERVING")',
    });
    expect(asked).toEqual(['/grpc.health.v1.Health/Check db', '/grpc.health.v1.Health/Check ']);
  });

  it('says when the server does not implement the health protocol', async () => {
    const port = await healthServer(() => ({ grpcStatus: 12 }));
    expect((await grpcProbe('127.0.0.1', port, '', 1_000)).message).toBe(
      'this server does not implement the grpc health protocol (grpc.health.v1.Health): nope',
    );
  });

  it('fails when nothing listens, and when the rpc does not complete within the timeout', async () => {
    const closed = await freePort();
    const refused = await grpcProbe('127.0.0.1', closed, '', 1_000);
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(
      new RegExp(`^timeout: failed to connect service "127.0.0.1:${closed}" within 1s: .*ECONNREFUSED`),
    );
    const port = await healthServer(() => ({ hang: true }));
    expect(await grpcProbe('127.0.0.1', port, '', 300)).toEqual({
      ok: false,
      message: 'timeout: health rpc did not complete within 0.3s',
    });
  });
});
