/**
 * The "database" image: a TCP server on each port that greets every connection with a
 * line naming itself (as a MySQL server sends its handshake first) and echoes lines back.
 */
import { type Server, type Socket, createServer } from 'node:net';
import type { LogLine } from './http-server.js';

/** The running TCP servers. */
export interface TcpWorkload {
  readonly ports: number[];
  close(): Promise<void>;
}

/** Starts a greeting TCP server on every port. */
export async function startTcpWorkload(
  options: { ports: number[]; host: string; greeting: string },
  log: LogLine,
): Promise<TcpWorkload> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const ports: number[] = [];
  for (const port of options.ports) {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      log({ msg: 'connection', client: `${socket.remoteAddress?.replace(/^::ffff:/, '')}:${socket.remotePort}`, port });
      socket.write(`${options.greeting}\n`);
      socket.pipe(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => resolve());
    });
    const address = server.address();
    ports.push(typeof address === 'object' && address ? address.port : port);
  }
  return {
    ports,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
