/**
 * TCP connections made inside a pod's network namespace and handed to the node-agent as
 * ordinary sockets. Node cannot enter a namespace itself, so a helper (this same node
 * binary running DIALER_SCRIPT) runs under the namespace prefix, one per pod while that
 * pod has connections to make: it connects to 127.0.0.1:port and passes the connected
 * socket back over the IPC channel (the fd crosses with SCM_RIGHTS; the helper closes
 * its copy). The node-agent then relays from a real socket in the pod's namespace, read
 * 64 KiB at a time, as the kubelet does after its setns — no per-connection process, no
 * pipe, no 1 KiB copy loop (busybox nc's, which capped a port-forward download). The
 * helper exits after `idleMs` without dials, or when the node-agent goes away.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Socket, connect } from 'node:net';
import type { Logger } from '@kemu/log';

/**
 * The helper (CommonJS, for `node -e`): a socket is paused before it connects, so no
 * byte the pod sends first (a database greeting) is read here and lost in the handover.
 */
export const DIALER_SCRIPT = `
const net = require('node:net');
process.on('message', (m) => {
  const s = new net.Socket();
  s.pause();
  s.once('connect', () => process.send({ id: m.id, ok: true }, s));
  s.once('error', (e) => process.send({ id: m.id, ok: false, code: e.code, message: e.message }));
  s.connect({ host: '127.0.0.1', port: m.port });
});
process.on('disconnect', () => process.exit(0));
`;

/** A connection that could not be made; `code` is the errno name when the dial itself failed. */
export class NetnsDialError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'NetnsDialError';
    this.code = code;
  }
}

/** Dials localhost ports inside pods' network namespaces. */
export interface NetnsDialer {
  /** Connects to 127.0.0.1:port inside the namespace `prefix` enters (no prefix: here). */
  dial(key: string, prefix: string[], port: number): Promise<Socket>;
  /** How many helpers are running. */
  helpers(): number;
  /** Ends every helper. */
  close(): void;
}

/** Options of the dialer. */
export interface NetnsDialerOptions {
  log: Logger;
  /** How long a helper waits for another dial before it exits. */
  idleMs?: number;
  /** The node binary the helper runs on. */
  nodeBin?: string;
}

interface Waiter {
  resolve(s: Socket): void;
  reject(err: Error): void;
}

interface Helper {
  child: ChildProcess;
  waiting: Map<number, Waiter>;
  stderr: string;
  idle?: NodeJS.Timeout;
}

interface Reply {
  id: number;
  ok: boolean;
  code?: string;
  message?: string;
}

function dialHere(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => reject(new NetnsDialError(err.code ?? 'EIO', err.message)));
  });
}

/** Creates the dialer; helpers start on the first dial into a namespace. */
export function createNetnsDialer(o: NetnsDialerOptions): NetnsDialer {
  const idleMs = o.idleMs ?? 5_000;
  const helpers = new Map<string, Helper>();
  let nextId = 1;

  function failAll(h: Helper, err: Error): void {
    for (const w of h.waiting.values()) w.reject(err);
    h.waiting.clear();
  }

  function start(key: string, prefix: string[]): Helper {
    const argv = [...prefix, o.nodeBin ?? process.execPath, '-e', DIALER_SCRIPT];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const h: Helper = { child, waiting: new Map(), stderr: '' };
    child.stderr?.on('data', (d: Buffer) => {
      if (h.stderr.length < 4096) h.stderr += d.toString('utf8');
    });
    child.on('message', (m: Reply, handle: unknown) => {
      const w = h.waiting.get(m.id);
      if (!w) {
        if (handle instanceof Socket) handle.destroy();
        return;
      }
      h.waiting.delete(m.id);
      if (m.ok && handle instanceof Socket) w.resolve(handle);
      else w.reject(new NetnsDialError(m.code ?? 'EIO', m.message ?? 'the dial failed'));
      if (h.waiting.size === 0) h.idle = setTimeout(() => retire(key, h), idleMs);
    });
    const gone = (why: string) => {
      if (helpers.get(key) === h) helpers.delete(key);
      clearTimeout(h.idle);
      failAll(h, new NetnsDialError('EHELPER', h.stderr.trim() || why));
    };
    child.once('error', (err) => gone(`the namespace dialer did not start: ${err.message}`));
    // 'close', not 'exit': by then its stderr has been read, and it says why.
    child.once('close', (code, signal) => gone(`the namespace dialer exited (${signal ?? code})`));
    helpers.set(key, h);
    return h;
  }

  function retire(key: string, h: Helper): void {
    if (helpers.get(key) === h) helpers.delete(key);
    if (h.child.connected) h.child.disconnect();
  }

  return {
    dial(key, prefix, port) {
      if (prefix.length === 0) return dialHere(port);
      const h = helpers.get(key) ?? start(key, prefix);
      clearTimeout(h.idle);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        h.waiting.set(id, { resolve, reject });
        // A failed send means the helper is going: its 'close' rejects the dial with what it printed.
        h.child.send({ id, port }, (err) => {
          if (err) o.log.debug({ err, key }, 'namespace dialer unreachable');
        });
      });
    },
    helpers: () => helpers.size,
    close() {
      for (const [key, h] of helpers) retire(key, h);
    },
  };
}
