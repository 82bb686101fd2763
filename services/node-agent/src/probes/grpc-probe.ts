/**
 * The grpc probe handler (Kubernetes 1.27+ GA): one call of the standard health service
 * `grpc.health.v1.Health/Check` over HTTP/2 cleartext, spoken by hand (length-prefixed
 * protobuf with one field each way), so the node-agent needs no gRPC library. It passes
 * only when the answer is SERVING; the failure messages are the kubelet's prober's.
 */
import { connect } from 'node:http2';
import type { ProbeResult } from './probe.js';

/** HealthCheckResponse.ServingStatus names by number. */
const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const UNIMPLEMENTED = 12;

/** A gRPC frame of HealthCheckRequest{service}. */
export function healthCheckRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  const message = name.length > 0 ? Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(message.length, 1);
  return Buffer.concat([frame, message]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** The status field (1) of a HealthCheckResponse frame; 0 (UNKNOWN) when absent. */
export function healthCheckStatus(body: Buffer): number {
  if (body.length < 5) return 0;
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  let i = 0;
  while (i < message.length) {
    const tag = message[i++] ?? 0;
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = message[i++] ?? 0;
      value |= (b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80) || i >= message.length) break;
    }
    if (tag === 0x08) return value;
    if ((tag & 7) === 2) i += value;
  }
  return 0;
}

/** One grpc health probe attempt against host:port for `service` ('' = the whole server). */
export function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeResult> {
  const target = `${host}:${port}`;
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const session = connect(`http://${target}`);
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(r);
    };
    const seconds = `${timeoutMs / 1000}s`;
    const timer = setTimeout(
      () =>
        done({
          ok: false,
          message: connected
            ? `timeout: health rpc did not complete within ${seconds}`
            : `timeout: failed to connect service "${target}" within ${seconds}`,
        }),
      timeoutMs,
    );
    session.on('error', (err) =>
      done({ ok: false, message: `timeout: failed to connect service "${target}" within ${seconds}: ${err.message}` }),
    );
    session.on('connect', () => {
      connected = true;
    });
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': 'kube-probe/1.32',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: number | undefined;
    let grpcMessage = '';
    const noteStatus = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = Number(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) grpcMessage = decodeURIComponent(String(headers['grpc-message']));
    };
    req.on('response', noteStatus);
    req.on('trailers', noteStatus);
    req.on('data', (d: Buffer) => chunks.push(d));
    // Before the connection is up, the session's error says why (the stream's only that it was cancelled).
    req.on('error', (err) => connected && done({ ok: false, message: `rpc error: ${err.message}` }));
    req.on('end', () => {
      if (grpcStatus === UNIMPLEMENTED)
        return done({
          ok: false,
          message: `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${grpcMessage}`,
        });
      if (grpcStatus !== 0)
        return done({ ok: false, message: `rpc error: code = ${grpcStatus ?? 'Unknown'} desc = ${grpcMessage}` });
      const status = healthCheckStatus(Buffer.concat(chunks));
      if (status === 1) return done({ ok: true, message: '' });
      done({ ok: false, message: `service unhealthy (responded with "${STATUS[status] ?? String(status)}")` });
    });
    req.end(healthCheckRequest(service));
  });
}
