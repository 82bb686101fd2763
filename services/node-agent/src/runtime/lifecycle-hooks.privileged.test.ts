import type { Container } from '@kemu/api';
import { freePort } from '@kemu/testkit';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookOf, runHook } from './lifecycle-hooks.js';

const netns = `kt-hook-${randomBytes(3).toString('hex')}`;
const servers: Server[] = [];

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', netns]);
});
afterAll(() => {
  for (const s of servers) s.close();
  execFileSync('ip', ['netns', 'delete', netns]);
});

const container = { name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 0 }] } as Container;
const target = (c: Container = container) => ({
  podIP: '127.0.0.1',
  podNetns: netns,
  container: c,
  podRef: 'p_default(u1)',
});

async function serve(status: number): Promise<{ port: number; paths: string[] }> {
  const port = await freePort();
  const paths: string[] = [];
  const s = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(status).end();
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
  return { port, paths };
}

describe('hookOf', () => {
  it('reads lifecycle.preStop and lifecycle.postStart from the container as given', () => {
    const c = { ...container, lifecycle: { preStop: { sleep: { seconds: 3 } } } } as Container;
    expect(hookOf(c, 'PreStop')).toEqual({ sleep: { seconds: 3 } });
    expect(hookOf(c, 'PostStart')).toBeUndefined();
    expect(hookOf(container, 'PreStop')).toBeUndefined();
  });
});

describe('runHook', () => {
  it('runs an exec hook inside the pod netns: exit 0 passes, non-zero fails with the kubelet message', async () => {
    // Only the pod netns has no interface but lo: `ip -o link` there lists just lo.
    expect(
      await runHook({ exec: { command: ['sh', '-c', 'test "$(ip -o link | wc -l)" = 1'] } }, target(), 5_000),
    ).toEqual({
      ok: true,
      message: '',
    });
    const r = await runHook({ exec: { command: ['sh', '-c', 'echo nope; exit 3'] } }, target(), 5_000);
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      `Exec lifecycle hook ([sh -c echo nope; exit 3]) for Container "web" in Pod "p_default(u1)" failed - error: command 'sh -c echo nope; exit 3' exited with 3: nope\n, message: "nope\\n"`,
    );
  });

  it("runs an exec hook with the container's environment", async () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GREETING: 'hello' };
    const t = { ...target(), env };
    expect((await runHook({ exec: { command: ['sh', '-c', 'test "$GREETING" = hello'] } }, t, 5_000)).ok).toBe(true);
    expect((await runHook({ exec: { command: ['sh', '-c', 'test "$GREETING" = hello'] } }, target(), 5_000)).ok).toBe(
      false,
    );
  });

  it('passes an httpGet hook on any HTTP answer (even 500) and fails when nothing answers', async () => {
    const { port, paths } = await serve(500);
    expect((await runHook({ httpGet: { port, path: '/drain' } }, target(), 2_000)).ok).toBe(true);
    expect(paths).toEqual(['/drain']);
    const closed = await freePort();
    const r = await runHook({ httpGet: { port: closed, path: '/x' } }, target(), 2_000);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(
      /^HTTP lifecycle hook \(\/x\) for Container "web" in Pod "p_default\(u1\)" failed - error: Get "http:\/\/127\.0\.0\.1:\d+\/x": connect ECONNREFUSED/,
    );
  });

  it('resolves a named httpGet port through the container ports', async () => {
    const { port, paths } = await serve(200);
    const c = { ...container, ports: [{ name: 'http', containerPort: port }] } as Container;
    expect((await runHook({ httpGet: { port: 'http', path: '/' } }, target(c), 2_000)).ok).toBe(true);
    expect(paths).toEqual(['/']);
  });

  it('sleeps for a sleep hook, and stops waiting when aborted', async () => {
    let t = Date.now();
    expect(await runHook({ sleep: { seconds: 0.3 } }, target(), 5_000)).toEqual({ ok: true, message: '' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    t = Date.now();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await runHook({ sleep: { seconds: 10 } }, target(), 20_000, ac.signal);
    expect(Date.now() - t).toBeLessThan(1_000);
  });
});
