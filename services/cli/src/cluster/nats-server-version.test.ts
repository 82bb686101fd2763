import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrerequisiteError } from '../errors.js';
import { checkNatsServerBinary, parseNatsServerVersion, unsupportedNatsServer } from './nats-server-version.js';

const LIB = join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'scripts', 'lib.sh');

describe('parseNatsServerVersion', () => {
  it('reads `nats-server --version` output and a server INFO version', () => {
    expect(parseNatsServerVersion('nats-server: v2.10.27\n')).toEqual({
      major: 2,
      minor: 10,
      patch: 27,
      text: '2.10.27',
    });
    expect(parseNatsServerVersion('2.9.10')).toMatchObject({ major: 2, minor: 9, patch: 10 });
    expect(parseNatsServerVersion('nats-server: v2.11.0-RC.1')).toMatchObject({ major: 2, minor: 11, patch: 0 });
    expect(parseNatsServerVersion('command not found')).toBeUndefined();
  });
});

describe('unsupportedNatsServer', () => {
  it('accepts 2.10 and newer', () => {
    for (const v of ['2.10.0', '2.10.27', '2.11.4', '3.0.0'])
      expect(unsupportedNatsServer(parseNatsServerVersion(v))).toBeUndefined();
  });

  it('refuses older servers and an unknown version, naming the install script', () => {
    expect(unsupportedNatsServer(parseNatsServerVersion('nats-server: v2.9.10'))).toBe(
      "nats-server 2.9.10 is not supported: kemu needs 2.10 or newer (run as root: infra/scripts/install-deps.sh; on Debian 12 it installs Debian 13's nats-server)",
    );
    expect(unsupportedNatsServer(parseNatsServerVersion('1.4.1'))).toMatch(/not supported/);
    expect(unsupportedNatsServer(undefined, "the cluster's nats-server")).toMatch(
      /^cannot tell the version of the cluster's nats-server; .*install-deps\.sh/,
    );
  });
});

describe('checkNatsServerBinary', () => {
  let dir: string;
  let old: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kemu-nats-version-'));
    // Debian 12's server cannot be installed beside the real one: a script answers as it does.
    old = join(dir, 'nats-server');
    await writeFile(old, '#!/bin/sh\necho "nats-server: v2.9.10"\n');
    await chmod(old, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('accepts the nats-server installed here (the version CI and npm start install)', async () => {
    const v = await checkNatsServerBinary();
    expect(v.major * 100 + v.minor).toBeGreaterThanOrEqual(210);
  });

  it('refuses a 2.9 server with a PrerequisiteError naming the fix', async () => {
    const err = await checkNatsServerBinary(old).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrerequisiteError);
    expect((err as Error).message).toMatch(
      /^nats-server 2\.9\.10 is not supported: .*infra\/scripts\/install-deps\.sh/,
    );
  });

  it('gives the install scripts the same decision (lib.sh nats_server_supported)', async () => {
    const supported = (path: string) =>
      new Promise<boolean>((resolve) =>
        execFile(
          'bash',
          ['-c', `source ${LIB} && nats_server_supported`],
          { env: { ...process.env, PATH: path } },
          (e) => resolve(!e),
        ),
      );
    expect(await supported(process.env.PATH ?? '')).toBe(true);
    expect(await supported(`${dir}:${process.env.PATH}`)).toBe(false);
  });
});
