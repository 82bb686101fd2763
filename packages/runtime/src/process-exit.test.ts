import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';

const processExit = join(import.meta.dirname, '..', 'dist', 'process-exit.js');
const config = join(import.meta.dirname, '..', '..', 'config', 'dist', 'index.js');

/** Runs a module script in a real node process; resolves with its exit code and output. */
function run(script: string, env: NodeJS.ProcessEnv = {}, onStart?: (pid: number, out: () => string) => void) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...env, PATH: process.env.PATH },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  onStart?.(child.pid!, () => stdout);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('process exit', () => {
  it('exits 2 with one line naming the variable when the configuration is bad', async () => {
    const script = `
      import { readConfig } from ${JSON.stringify(processExit)};
      import { int, parseEnv } from ${JSON.stringify(config)};
      readConfig('demo', () => parseEnv({ n: int({ env: 'TEST_N', min: 1, default: 1, meaning: '' }) }, process.env));
      console.log('started');`;
    const bad = await run(script, { TEST_N: 'many' });
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'demo: TEST_N must be integer ≥ 1, got "many"\n' });
    const good = await run(script, { TEST_N: '3' });
    expect(good).toMatchObject({ code: 0, stdout: 'started\n' });
  });

  it('runs the stop once on SIGTERM and exits 0', async () => {
    const script = `
      import { exitOnSignals } from ${JSON.stringify(processExit)};
      const keep = setInterval(() => undefined, 1000);
      exitOnSignals(async () => { clearInterval(keep); console.log('stopped'); }, { onSignal: (s) => console.log('signal', s) });
      console.log('ready');`;
    let pid = 0;
    let out = () => '';
    const done = run(script, {}, (p, o) => {
      pid = p;
      out = o;
    });
    await eventually(() => out().includes('ready'), { what: 'the process to start' });
    process.kill(pid, 'SIGTERM');
    expect(await done).toMatchObject({ code: 0, stdout: 'ready\nsignal SIGTERM\nstopped\n' });
  });

  it('exits after the grace period when the stop hangs', async () => {
    const script = `
      import { exitOnSignals } from ${JSON.stringify(processExit)};
      setInterval(() => undefined, 1000);
      exitOnSignals(() => new Promise(() => undefined), { graceMs: 200 });
      console.log('ready');`;
    let pid = 0;
    let out = () => '';
    const done = run(script, {}, (p, o) => {
      pid = p;
      out = o;
    });
    await eventually(() => out().includes('ready'), { what: 'the process to start' });
    const killedAt = Date.now();
    process.kill(pid, 'SIGINT');
    expect((await done).code).toBe(0);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(150);
  });
});
