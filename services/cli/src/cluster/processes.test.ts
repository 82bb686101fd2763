import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { findProcessesWithEnv, isAlive, processHasEnv, stopProcesses } from './processes.js';

/** A node process that idles; it prints `ready` once running (and, if asked, ignoring SIGTERM). */
function sleeper(env: Record<string, string>, ignoreTerm = false) {
  const code = `${ignoreTerm ? "process.on('SIGTERM',()=>{});" : ''}setInterval(()=>{},1000);console.log('ready')`;
  return spawn(process.execPath, ['-e', code], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** Resolves once every child printed `ready`. */
async function ready(...children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => once(c.stdout as NonNullable<ChildProcess['stdout']>, 'data')));
}

describe('processes', () => {
  it('finds processes by an exact environment entry', async () => {
    const a = sleeper({ KEMU_CLUSTER: 'ktclp', KEMU_STATE_DIR: '/s/ktclp' });
    const b = sleeper({ KEMU_CLUSTER: 'ktclp2', KEMU_STATE_DIR: '/s/ktclp' });
    const shell = sleeper({ KEMU_CLUSTER: 'ktclp' });
    try {
      await ready(a, b, shell);
      expect(await processHasEnv(a.pid!, 'KEMU_CLUSTER', 'ktclp')).toBe(true);
      const found = await findProcessesWithEnv({ KEMU_CLUSTER: 'ktclp', KEMU_STATE_DIR: '/s/ktclp' });
      expect(found).toEqual([a.pid]);
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
      shell.kill('SIGKILL');
    }
  });

  it('stops with SIGTERM, and SIGKILL when SIGTERM is ignored', async () => {
    const polite = sleeper({});
    const stubborn = sleeper({}, true);
    await ready(polite, stubborn);
    const exits = [polite, stubborn].map(
      (c) => new Promise<string | null>((r) => c.once('exit', (_code, sig) => r(sig))),
    );
    const started = Date.now();
    await stopProcesses([polite.pid!, stubborn.pid!], 500);
    expect(await Promise.all(exits)).toEqual(['SIGTERM', 'SIGKILL']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(await isAlive(stubborn.pid!)).toBe(false);
  });
});
