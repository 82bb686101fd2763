/**
 * A real nats-server for tests: JetStream on, a free port on 127.0.0.1, its own store
 * directory, waited for properly and removed with `await using`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running test server. */
export interface NatsServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly process: ChildProcess;
  /** Stops the server with SIGKILL (a crash) and starts it again on the same port and store. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, host: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How to start a test server. */
export interface NatsServerOptions {
  host?: string;
  /** Extra configuration file text (e.g. an `authorization` block), written beside the store. */
  config?: string;
}

/** Starts nats-server from PATH with JetStream; throws a clear error when it is not installed. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const host = options.host ?? '127.0.0.1';
  const port = await freePort(host);
  const storeDir = await mkdtemp(join(tmpdir(), 'kemu-nats-'));
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    const file = join(storeDir, 'server.conf');
    await writeFile(file, options.config);
    configArgs.push('-c', file);
  }
  let child = launch();

  function launch(): ChildProcess {
    const args = [...configArgs, '-js', '-a', host, '-p', String(port), '-sd', storeDir];
    const c = spawn('nats-server', args, { stdio: 'ignore' });
    c.on('error', () => undefined);
    return c;
  }

  async function ready(c: ChildProcess): Promise<void> {
    const failed = new Promise<never>((_, reject) => {
      c.once('error', (err) =>
        reject(new Error(`cannot start nats-server (apt-get install nats-server): ${(err as Error).message}`)),
      );
      c.once('exit', (code) => reject(new Error(`nats-server exited with ${code}`)));
    });
    await Promise.race([waitForPort(port, host, 10_000), failed]);
  }

  async function kill(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  await ready(child);
  const server: NatsServer = {
    url: `nats://${host}:${port}`,
    port,
    storeDir,
    get process() {
      return child;
    },
    async restart() {
      await kill(child, 'SIGKILL');
      child = launch();
      await ready(child);
    },
    async stop() {
      await kill(child, 'SIGTERM');
      await rm(storeDir, { recursive: true, force: true });
    },
    async [Symbol.asyncDispose]() {
      await server.stop();
    },
  };
  return server;
}
