/**
 * One probe attempt as the kubelet makes it, from the node netns to the pod IP:
 * httpGet succeeds on 200–399, tcpSocket on connect, exec on exit 0 (run inside the
 * container with `runc exec`, or in the pod netns for a process that is no container),
 * grpc on a SERVING health check. Named ports resolve through the container's ports.
 */
import type { Container, Probe } from '@kemu/api';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { grpcProbe } from './grpc-probe.js';

/** Where and how to probe. */
export interface ProbeTarget {
  podIP: string;
  podNetns: string;
  container: Container;
  /** The container's process: exec probes run in its mount namespace (its ConfigMap and Secret volumes). */
  pid?: number;
  /** The argv prefix that runs a command inside the container (runc exec); else the pod netns is entered. */
  enter?: string[];
}

/** The command line that runs `command` in the pod's netns and, given a pid, in that process's mount namespace. */
export function inContainer(podNetns: string, pid: number | undefined, command: string[]): string[] {
  const netns = ['ip', 'netns', 'exec', podNetns, ...command];
  return pid === undefined ? netns : ['nsenter', '--mount', `--target=${pid}`, '--', ...netns];
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

/** One probe attempt's outcome; `message` says why it failed, as the kubelet's prober words it. */
export interface ProbeResult {
  ok: boolean;
  message: string;
}

const passed: ProbeResult = { ok: true, message: '' };

function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (err.code === 'EHOSTUNREACH') return `dial tcp ${host}:${port}: connect: no route to host`;
  return `dial tcp ${host}:${port}: ${err.message}`;
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: ProbeResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    socket.once('connect', () => done(passed));
    socket.once('error', (err) => done({ ok: false, message: dialError(host, port, err) }));
  });
}

function httpProbe(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  const url = `http://${host}:${port}${path}`;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: ProbeResult) => {
      if (!settled) resolve(r);
      settled = true;
    };
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
        settle(
          code >= 200 && code < 400 ? passed : { ok: false, message: `HTTP probe failed with statuscode: ${code}` },
        );
      },
    );
    req.on('timeout', () => {
      settle({
        ok: false,
        message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      settle({ ok: false, message: `Get "${url}": ${dialError(host, port, err)}` }),
    );
    req.end();
  });
}

function execProbe(target: ProbeTarget, command: string[], timeoutMs: number): Promise<ProbeResult> {
  const [file = 'ip', ...args] = target.enter
    ? [...target.enter, ...command]
    : inContainer(target.podNetns, target.pid, command);
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (!err) return resolve(passed);
      const output = `${stdout}${stderr}`.trim();
      const code = typeof err.code === 'number' ? err.code : 1;
      resolve({ ok: false, message: output || `command ${JSON.stringify(command.join(' '))} exited with ${code}` });
    });
  });
}

/** Runs one attempt of `probe` and says why it failed. */
export async function probeOnce(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, target.container);
    if (port === undefined) return { ok: false, message: `unknown port ${JSON.stringify(probe.httpGet.port)}` };
    return httpProbe(target.podIP, port, probe.httpGet.path ?? '/', timeoutMs);
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, target.container);
    if (port === undefined) return { ok: false, message: `unknown port ${JSON.stringify(probe.tcpSocket.port)}` };
    return tcpProbe(target.podIP, port, timeoutMs);
  }
  if (probe.exec) return execProbe(target, probe.exec.command, timeoutMs);
  const grpc = (probe as Probe & { grpc?: { port: number; service?: string } }).grpc;
  if (grpc) return grpcProbe(target.podIP, grpc.port, grpc.service ?? '', timeoutMs);
  return { ok: false, message: 'missing probe handler' };
}

/** Runs one attempt of `probe`; resolves true on success. */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<boolean> {
  return (await probeOnce(probe, target)).ok;
}
