import { describe, expect, it } from 'vitest';
import { NetnsCommandError } from './errors.js';
import { run } from './run.js';

describe('run', () => {
  it('returns stdout of a successful command', async () => {
    const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write("hi")']);
    expect(stdout).toBe('hi');
  });

  it('throws NetnsCommandError with the exit code and stderr', async () => {
    const err = await run(process.execPath, ['-e', 'console.error("boom"); process.exit(3)']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsCommandError);
    expect((err as NetnsCommandError).code).toBe('NetnsCommand');
    expect((err as NetnsCommandError).exitCode).toBe(3);
    expect((err as NetnsCommandError).stderr).toContain('boom');
  });

  it('reports a missing command as CommandNotFound', async () => {
    const err = await run('kemu-no-such-command', []).catch((e: unknown) => e);
    expect((err as NetnsCommandError).code).toBe('CommandNotFound');
  });
});
