import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { addNetns, deleteLink, deleteNetns, ipIn, linkExists, listNetns, netnsExists, netnsPids } from './netns.js';

const NS = 'kt-cl-ns1';

describe('netns', () => {
  afterAll(async () => {
    await deleteNetns(NS);
  });

  it('creates and deletes a netns idempotently', async () => {
    await addNetns(NS);
    await addNetns(NS);
    expect(await netnsExists(NS)).toBe(true);
    expect(await listNetns()).toContain(NS);
    await deleteNetns(NS);
    await deleteNetns(NS);
    expect(await netnsExists(NS)).toBe(false);
  });

  it('runs ip inside the netns with ipIn', async () => {
    await addNetns(NS);
    await ipIn(NS, ['link', 'add', 'kt-cl-br', 'type', 'bridge']);
    expect(await linkExists(NS, 'kt-cl-br')).toBe(true);
    expect(await linkExists(undefined, 'kt-cl-br')).toBe(false);
    await deleteLink(NS, 'kt-cl-br');
    await deleteLink(NS, 'kt-cl-br');
    expect(await linkExists(NS, 'kt-cl-br')).toBe(false);
  });

  it('kills processes still inside before deleting', async () => {
    await addNetns(NS);
    const child = spawn('ip', ['netns', 'exec', NS, 'sleep', '600'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
    for (let i = 0; i < 50 && (await netnsPids(NS)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await netnsPids(NS)).length).toBeGreaterThan(0);
    await deleteNetns(NS);
    expect(await exited).toBe('SIGKILL');
    expect(await netnsExists(NS)).toBe(false);
  });
});
