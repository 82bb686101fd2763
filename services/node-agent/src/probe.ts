/**
 * One probe attempt as the kubelet makes it, from the node netns to the pod IP:
 * httpGet succeeds on 200–399, tcpSocket on connect, exec on exit 0 (run inside the pod
 * netns). Named ports resolve through the container's ports.
 */
import type { Container, Probe } from '@kemu/api';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';

/** Where and how to probe. */
export interface ProbeTarget {
  podIP: string;
  podNetns: string;
  container: Container;
}

/** Resolves a probe port (number or containerPort name); undefined when the name is unknown. */
export function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Resolves true when a TCP connection to host:port opens within timeoutMs. */
export function tcpConnects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function httpOk(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        path,
        method: 'GET',
        timeout: timeoutMs,
        agent: false,
        headers: { 'user-agent': 'kube-probe/1.32' },
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function execOk(podNetns: string, command: string[], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', podNetns, ...command], { timeout: timeoutMs }, (err) => resolve(!err));
  });
}

/** Runs one attempt of `probe`; resolves true on success. */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, target.container);
    if (port === undefined) return false;
    return httpOk(target.podIP, port, probe.httpGet.path ?? '/', timeoutMs);
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, target.container);
    return port !== undefined && tcpConnects(target.podIP, port, timeoutMs);
  }
  if (probe.exec) return execOk(target.podNetns, probe.exec.command, timeoutMs);
  return false;
}
