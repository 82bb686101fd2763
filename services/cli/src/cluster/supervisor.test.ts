import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kemu/log';
import { eventually } from '@kemu/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComponentSpec } from './components.js';
import { type ComponentStatus, type Supervisor, startSupervisor } from './supervisor.js';

const log = createLogger({ component: 'supervisor-test', level: 'silent' });
const policy = { initialMs: 50, maxMs: 400, resetAfterMs: 60_000 };

function nodeSpec(dir: string, name: string, code: string): ComponentSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', code],
    env: { KT_NAME: name },
    logFile: join(dir, `${name}.log`),
  };
}

describe('startSupervisor', () => {
  let sup: Supervisor | undefined;
  let dir = '';
  const pids: number[] = [];

  afterEach(async () => {
    sup?.detach();
    for (const p of [...pids, ...Object.values(sup?.status() ?? {}).map((s) => s.pid ?? 0)]) {
      try {
        if (p > 0) process.kill(p, 'SIGKILL');
      } catch {}
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('restarts a crashing component with growing delays and logs its output', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kt-cl-sup-'));
    let latest: Record<string, ComponentStatus> = {};
    const started = Date.now();
    sup = startSupervisor({
      specs: [nodeSpec(dir, 'crasher', 'console.log("hello from " + process.env.KT_NAME); process.exit(3)')],
      baseEnv: process.env,
      log,
      policy,
      onChange: (s) => (latest = s),
    });
    await eventually(() => (latest.crasher?.restarts ?? 0) >= 3, { timeoutMs: 5_000, what: '3 restarts' });
    // 50 + 100 + 200 ms of backoff at least.
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(latest.crasher?.lastExit).toBe('exit code 3');
    const text = await readFile(join(dir, 'crasher.log'), 'utf8');
    expect(text.match(/hello from crasher/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('starts a killed component again under a new pid', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kt-cl-sup-'));
    let latest: Record<string, ComponentStatus> = {};
    sup = startSupervisor({
      specs: [nodeSpec(dir, 'server', 'setInterval(() => {}, 1000)')],
      baseEnv: process.env,
      log,
      policy,
      onChange: (s) => (latest = s),
    });
    const first = await eventually(() => latest.server?.pid ?? undefined, { what: 'first pid' });
    process.kill(first, 'SIGKILL');
    const second = await eventually(
      () => (latest.server?.pid && latest.server.pid !== first ? latest.server.pid : undefined),
      {
        what: 'restart',
      },
    );
    expect(second).not.toBe(first);
    expect(latest.server?.restarts).toBe(1);
    expect(latest.server?.lastExit).toBe('signal SIGKILL');
  });

  it('adopts a running process and replaces it when it dies', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kt-cl-sup-'));
    const outside = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    pids.push(outside.pid!);
    let latest: Record<string, ComponentStatus> = {};
    sup = startSupervisor({
      specs: [nodeSpec(dir, 'adoptee', 'setInterval(() => {}, 1000)')],
      adopted: { adoptee: outside.pid! },
      baseEnv: process.env,
      log,
      policy,
      pollMs: 50,
      onChange: (s) => (latest = s),
    });
    expect(latest.adoptee?.pid).toBe(outside.pid);
    outside.kill('SIGKILL');
    const replaced = await eventually(
      () => (latest.adoptee?.pid && latest.adoptee.pid !== outside.pid ? latest.adoptee.pid : undefined),
      { what: 'replacement' },
    );
    expect(replaced).toBeGreaterThan(0);
    expect(latest.adoptee?.restarts).toBe(1);
  });
});
