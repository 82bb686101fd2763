/**
 * The standard gRPC health service (grpc.health.v1.Health/Check) of the HTTP workload,
 * on KEMU_GRPC_PORT, for grpc probes: service "" and "liveness" answer from /health's
 * switch, "readiness" from /ready's (SERVING or NOT_SERVING); another service name is
 * NOT_FOUND and another method UNIMPLEMENTED, as grpc-go's health server answers. HTTP/2
 * cleartext and the two one-field protobuf messages are spoken by hand.
 */
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Control } from './control.js';

const CHECK = '/grpc.health.v1.Health/Check';
const SERVING = 1;
const NOT_SERVING = 2;

/** The service field (1) of a HealthCheckRequest gRPC frame. */
export function requestedService(frame: Buffer): string {
  if (frame.length < 5) return '';
  const message = frame.subarray(5, 5 + frame.readUInt32BE(1));
  if (message[0] !== 0x0a) return '';
  let len = 0;
  let shift = 0;
  let i = 1;
  for (;;) {
    const b = message[i++] ?? 0;
    len |= (b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  return message.subarray(i, i + len).toString('utf8');
}

function reply(stream: ServerHttp2Stream, grpcStatus: number, message: string, body?: Buffer): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () =>
    stream.sendTrailers({
      'grpc-status': String(grpcStatus),
      ...(message ? { 'grpc-message': encodeURIComponent(message) } : {}),
    }),
  );
  stream.end(body);
}

/** A running health server. */
export interface GrpcHealth {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves grpc.health.v1.Health/Check on host:port from `control`. */
export async function startGrpcHealth(port: number, host: string, control: Control): Promise<GrpcHealth> {
  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      const path = String(headers[':path'] ?? '');
      if (path !== CHECK)
        return reply(stream, 12, `unknown method ${path.split('/').pop() ?? ''} for service grpc.health.v1.Health`);
      const service = requestedService(Buffer.concat(chunks));
      let ok: boolean;
      if (service === '' || service === 'liveness') ok = control.isHealthy();
      else if (service === 'readiness') ok = control.isReady();
      else return reply(stream, 5, 'unknown service');
      reply(stream, 0, '', Buffer.from([0, 0, 0, 0, 2, 0x08, ok ? SERVING : NOT_SERVING]));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
