/**
 * A kubectl that keeps running (port-forward, proxy) for end-to-end tests: its output
 * is collected as it comes, `waitFor` polls it with a deadline, `exited` resolves with
 * the exit code, and `stop` ends it (only this process, by its own pid).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@kemu/testkit';
import type { KemuCluster } from './kemu-cluster.js';

/** A running kubectl. */
export interface BackgroundKubectl {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once kubectl has exited. */
  exited: Promise<number>;
  /** Waits until stdout matches `re` and returns the match. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts `kubectl <args>` against the cluster, with `env` added to its environment. */
export function startKubectl(
  cluster: KemuCluster,
  args: string[],
  env: Record<string, string> = {},
): BackgroundKubectl {
  const child = spawn('kubectl', args, {
    env: {
      ...process.env,
      KUBECONFIG: join(cluster.stateDir, 'kubeconfig'),
      KUBECACHEDIR: join(cluster.home, 'kube-cache'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 0))),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (re, timeoutMs = 20_000) =>
      eventually(() => out.match(re) ?? undefined, {
        timeoutMs,
        what: `kubectl ${args.join(' ')} to print ${re} (stdout: ${out} stderr: ${err})`,
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
