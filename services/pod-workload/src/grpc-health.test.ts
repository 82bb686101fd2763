import { freePort } from '@kemu/testkit';
import { connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { createControl } from './control.js';
import { type GrpcHealth, requestedService, startGrpcHealth } from './grpc-health.js';

let health: GrpcHealth | undefined;
afterEach(async () => {
  await health?.close();
  health = undefined;
});

/** One raw gRPC call: the response body bytes and the grpc-status trailer. */
function call(port: number, path: string, service: string): Promise<{ body: number[]; grpcStatus: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let grpcStatus = '';
    req.on('trailers', (t) => {
      grpcStatus = String(t['grpc-status']);
    });
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      session.close();
      resolve({ body: [...Buffer.concat(chunks)], grpcStatus });
    });
    const name = Buffer.from(service);
    const msg = name.length ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0);
    req.end(Buffer.concat([Buffer.from([0, 0, 0, 0, msg.length]), msg]));
  });
}

const CHECK = '/grpc.health.v1.Health/Check';

describe('grpc health service', () => {
  it('reads the service name of a request frame', () => {
    expect(requestedService(Buffer.from([0, 0, 0, 0, 4, 0x0a, 2, 0x64, 0x62]))).toBe('db');
    expect(requestedService(Buffer.from([0, 0, 0, 0, 0]))).toBe('');
  });

  it('answers SERVING / NOT_SERVING from the control switches, NOT_FOUND and UNIMPLEMENTED otherwise', async () => {
    const control = createControl({ readyDelaySeconds: 0, failAfterSeconds: undefined });
    health = await startGrpcHealth(await freePort(), '127.0.0.1', control);
    expect(await call(health.port, CHECK, '')).toEqual({ body: [0, 0, 0, 0, 2, 8, 1], grpcStatus: '0' });
    control.setReady(false);
    expect(await call(health.port, CHECK, 'readiness')).toEqual({ body: [0, 0, 0, 0, 2, 8, 2], grpcStatus: '0' });
    expect(await call(health.port, CHECK, 'liveness')).toEqual({ body: [0, 0, 0, 0, 2, 8, 1], grpcStatus: '0' });
    expect((await call(health.port, CHECK, 'payments')).grpcStatus).toBe('5');
    expect((await call(health.port, '/grpc.health.v1.Health/Watch', '')).grpcStatus).toBe('12');
  });
});
