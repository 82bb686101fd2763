/**
 * agnhost's network test servers, as Kubernetes' e2e tests talk to them. netexec: HTTP
 * `/hostname`, `/clientip` (`ip:port` of the caller), `/echo?msg=`, `/healthz`, `/readyz`
 * (503 once SIGTERM came: with `--delay-shutdown` it goes on serving, unready, that long), and
 * `/dial?request=&host=&port=&protocol=http|udp&tries=` (asks another netexec and answers
 * `{"responses":[...]}`), plus a UDP server answering `hostname`, `echo <msg>` and
 * `clientip`. serve-hostname: the hostname over HTTP, TCP (then close) or UDP.
 */
import { createSocket } from 'node:dgram';
import { type IncomingMessage, type Server, createServer, request } from 'node:http';
import { type Server as TcpServer, createServer as createTcpServer } from 'node:net';
import { hostname } from 'node:os';
import type { AgnhostCommand } from './agnhost-args.js';
import type { LogLine } from './http-server.js';

const client = (addr: string | undefined, port: number | undefined) =>
  `${(addr ?? '').replace(/^::ffff:/, '')}:${port ?? 0}`;

function udpAnswer(message: string, from: string): string {
  const [verb, ...rest] = message.trim().split(' ');
  if (verb === 'hostname') return hostname();
  if (verb === 'echo') return rest.join(' ');
  if (verb === 'clientip') return from;
  return '';
}

function httpGet(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // A fresh connection per dial, as agnhost closes its idle connections after each one.
    const req = request(url, { timeout: timeoutMs, agent: false }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function udpAsk(host: string, port: number, message: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('timeout'));
    }, timeoutMs);
    socket.once('message', (m) => {
      clearTimeout(timer);
      socket.close();
      resolve(m.toString());
    });
    socket.send(message, port, host);
  });
}

async function dial(q: URLSearchParams): Promise<{ responses: string[]; errors: string[] }> {
  const tries = Math.max(1, Number(q.get('tries') ?? 1));
  const host = q.get('host') ?? '';
  const port = Number(q.get('port') ?? 0);
  const req = q.get('request') ?? 'hostname';
  const responses: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < tries; i++) {
    try {
      responses.push(
        q.get('protocol') === 'udp'
          ? await udpAsk(host, port, req, 1_000)
          : await httpGet(`http://${host.includes(':') ? `[${host}]` : host}:${port}/${req.replace(/^\//, '')}`, 1_000),
      );
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { responses, errors };
}

/** Starts the servers of an agnhost command; resolves with their close. */
export async function startAgnhost(c: AgnhostCommand, log: LogLine): Promise<() => Promise<void>> {
  const closers: (() => Promise<void>)[] = [];
  // What SIGTERM does before the servers close (netexec's --delay-shutdown).
  let drain = async () => {};
  const listen = (server: Server | TcpServer, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', () => resolve());
      closers.push(() => new Promise((r) => server.close(() => r())));
    });
  const udp = async (port: number, answer: (message: string, from: string) => string) => {
    const socket = createSocket('udp4');
    socket.on('message', (m, rinfo) => {
      const reply = answer(m.toString(), client(rinfo.address, rinfo.port));
      if (reply !== '') socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => socket.bind(port, '0.0.0.0', () => resolve()));
    closers.push(async () => {
      socket.close();
    });
  };

  if (c.kind === 'netexec') {
    let terminating = false;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(body);
      };
      if (url.pathname === '/hostname') return reply(200, hostname());
      if (url.pathname === '/clientip') return reply(200, client(req.socket.remoteAddress, req.socket.remotePort));
      if (url.pathname === '/echo') return reply(200, url.searchParams.get('msg') ?? '');
      if (url.pathname === '/healthz' || url.pathname === '/') return reply(200, 'ok');
      if (url.pathname === '/readyz') return terminating ? reply(503, 'terminating') : reply(200, 'ok');
      if (url.pathname === '/dial') {
        void dial(url.searchParams).then((r) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(r.errors.length > 0 ? r : { responses: r.responses }));
        });
        return;
      }
      reply(404, '404 page not found\n');
    });
    await listen(server, c.httpPort);
    await udp(c.udpPort, udpAnswer);
    log({ msg: 'netexec listening', httpPort: c.httpPort, udpPort: c.udpPort });
    // Runs first on SIGTERM: unready at once, then serving on for --delay-shutdown seconds.
    drain = async () => {
      terminating = true;
      await new Promise((r) => setTimeout(r, c.delayShutdownSeconds * 1000));
    };
  } else if (c.kind === 'serve-hostname') {
    if (c.http) {
      await listen(
        createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(hostname());
        }),
        c.port,
      );
    }
    if (c.tcp)
      await listen(
        createTcpServer((s) => s.end(hostname())),
        c.port,
      );
    if (c.udp) await udp(c.port, () => hostname());
    log({ msg: 'serve-hostname listening', port: c.port, http: c.http, tcp: c.tcp, udp: c.udp });
  } else if (c.kind === 'pause') {
    log({ msg: 'paused' });
  } else {
    log({ msg: 'agnhost subcommand not emulated; pausing', subcommand: c.subcommand });
  }
  if (c.kind === 'pause' || c.kind === 'unsupported') {
    // Nothing listens, so nothing keeps node's event loop alive: a timer does, until SIGTERM.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    closers.push(async () => clearInterval(keepAlive));
  }
  return async () => {
    await drain();
    await Promise.all(closers.map((f) => f()));
  };
}
