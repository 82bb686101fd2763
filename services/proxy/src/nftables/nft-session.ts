/**
 * A long-lived `nft -i` for the proxier's transactions. Every `nft -f` run builds
 * libnftables' cache of the netns's whole ruleset before it applies anything: with
 * 3000 chains that took 39 ms p50 for a five-statement change here, against 5 ms
 * through a process that keeps its cache (it refetches only when another process changed
 * the ruleset). Endpoint removal waits for this, so the proxier keeps one process.
 *
 * One input line is one transaction: the statements joined by `; ` are committed whole
 * or not at all, as with `nft -f`. A `list table` of a table that never exists follows
 * each line; nft answers it with an error naming that marker on stderr, after the
 * transaction's own errors, so the marker tells when the transaction is done and what
 * was printed before it tells whether it failed. A session that dies or hangs is
 * killed and started again by the next transaction.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { NftTransactionError } from './errors.js';

/** A transaction slower than this kills the session (the transaction fails). */
const TIMEOUT_MS = 60_000;

/** A running `nft -i`. */
export interface NftSession {
  /** Applies the statements as one transaction; throws NftTransactionError when nft refuses it. */
  apply(lines: readonly string[]): Promise<void>;
  /** Ends the process. */
  close(): void;
}

interface Pending {
  marker: string;
  statements: number;
  resolve(): void;
  reject(err: Error): void;
}

/** Creates a session; `command` is how to start nft (with `ip netns exec` when needed). */
export function createNftSession(command: readonly [string, ...string[]]): NftSession {
  let child: ChildProcess | undefined;
  let stderr = '';
  let pending: Pending | undefined;
  let queue: Promise<void> = Promise.resolve();
  let count = 0;

  function start(): ChildProcess {
    const [cmd, ...args] = command;
    const c = spawn(cmd, [...args, '-i'], { stdio: ['pipe', 'ignore', 'pipe'] });
    stderr = '';
    c.stdin?.on('error', () => undefined);
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (d: string) => {
      stderr += d;
      settle();
    });
    const gone = (why: string) => {
      if (child === c) child = undefined;
      const p = pending;
      pending = undefined;
      p?.reject(new NftTransactionError(`${stderr}\n${why}`, p.statements));
    };
    c.on('error', (err) => gone(`nft -i failed: ${err.message}`));
    c.on('exit', (code, signal) => gone(`nft -i exited (${signal ?? code})`));
    return c;
  }

  function settle(): void {
    const p = pending;
    if (!p) return;
    const at = stderr.indexOf(`list table ip ${p.marker}`);
    if (at < 0) return;
    const end = stderr.indexOf('\n', at);
    if (end < 0) return;
    // The marker's own "Error: ..." line is the last one before it.
    const before = stderr.slice(0, at);
    const own = before.slice(0, before.lastIndexOf('Error:'));
    stderr = stderr.slice(end + 1).replace(/^[\s^~]*\n/, '');
    pending = undefined;
    if (/Error:/.test(own)) p.reject(new NftTransactionError(own, p.statements));
    else p.resolve();
  }

  function run(lines: readonly string[]): Promise<void> {
    child ??= start();
    const c = child;
    const marker = `kemu-applied-${process.pid}-${++count}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => c.kill('SIGKILL'), TIMEOUT_MS);
      pending = {
        marker,
        statements: lines.length,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      c.stdin?.write(`${lines.join('; ')}\nlist table ip ${marker}\n`);
    });
  }

  return {
    apply(lines) {
      if (lines.length === 0) return Promise.resolve();
      const result = queue.then(() => run(lines));
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      child?.stdin?.end();
      child?.kill();
      child = undefined;
    },
  };
}
