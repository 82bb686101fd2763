import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually, type NatsServer, startNatsServer } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const runtime = join(import.meta.dirname, '..', 'dist', 'index.js');

/** A component process: connects, starts an informer over services, then runs `body` as its start. */
function component(natsUrl: string, body: string) {
  const script = `
    import { runComponent } from ${JSON.stringify(runtime)};
    await runComponent(
      { component: 'demo', node: 'node-9', logLevel: 'info', natsUrl: [${JSON.stringify(natsUrl)}],
        connectionName: 'demo', streamReplicas: 1, resources: ['services'] },
      async ({ log, informer }) => { ${body} },
    );`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH } });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { pid: child.pid!, exited, lines };
}

describe('runComponent', () => {
  let nats: NatsServer;
  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    await nats.stop();
  });

  it('starts the component with a synced informer and stops it on SIGTERM, exiting 0', async () => {
    const c = component(
      nats.url,
      `await informer.synced; log.info('component started'); return () => log.info('component stopped');`,
    );
    await eventually(() => c.lines().some((l) => l.msg === 'component started'), { what: 'the start' });
    expect(c.lines().find((l) => l.msg === 'component started')).toMatchObject({ component: 'demo', node: 'node-9' });
    process.kill(c.pid, 'SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.lines().map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'component stopped']));
  });

  it('logs a failing start as fatal and exits 1', async () => {
    const c = component(nats.url, `throw new Error('boom');`);
    expect(await c.exited).toBe(1);
    expect(c.lines().find((l) => l.msg === 'demo failed')).toMatchObject({ level: 60, err: { message: 'boom' } });
  });
});
