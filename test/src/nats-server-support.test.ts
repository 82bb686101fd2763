/**
 * `kemu up` refuses a nats-server older than 2.10 before it creates anything, naming the
 * install script. Debian 12's 2.9.10 cannot be installed beside the real server, so a
 * script on PATH answers `--version` as it does; the real server passes the same check.
 */
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrerequisite, repoRoot, runCommand } from './kemu-cluster.js';

describe('kemu up and the nats-server version', () => {
  let dir: string;

  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) throw new Error(`cannot run: ${missing}`);
    dir = await mkdtemp(join(tmpdir(), 'kemu-nats-support-'));
    await writeFile(join(dir, 'nats-server'), '#!/bin/sh\necho "nats-server: v2.9.10"\n');
    await chmod(join(dir, 'nats-server'), 0o755);
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses nats-server 2.9.10 with a message naming the fix, and creates nothing', async () => {
    const home = join(dir, 'home');
    const name = `nv${Math.floor(Math.random() * 1e6)}`;
    const r = await runCommand(join(repoRoot, 'kemu'), ['up', '--name', name, '--nodes', '1'], {
      env: { ...process.env, KEMU_HOME: home, PATH: `${dir}:${process.env.PATH}` },
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: nats-server 2.9.10 is not supported: kemu needs 2.10 or newer (run as root: infra/scripts/install-deps.sh',
    );
    const netns = await runCommand('ip', ['netns', 'list']);
    expect(netns.stdout).not.toContain(`kemu-${name}-`);
    expect(await readdir(home).catch(() => [])).toEqual([]);
  });
});
