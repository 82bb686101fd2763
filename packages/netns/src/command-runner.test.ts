import { describe, expect, it } from 'vitest';
import { createCommandRunner } from './command-runner.js';
import { NetnsCommandError } from './errors.js';

describe('createCommandRunner', () => {
  it('runs commands concurrently and reports each one its own status and stderr', async () => {
    const runner = createCommandRunner();
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          runner.run('sh', ['-c', `echo "job $1 with spaces%" >&2; exit $(($1 % 3))`, 'sh', String(i)]),
        ),
      );
      results.forEach((r, i) => {
        if (i % 3 === 0) {
          expect(r.status).toBe('fulfilled');
          expect(r.status === 'fulfilled' && r.value.stderr).toBe(`job ${i} with spaces%\n`);
        } else {
          expect(r.status).toBe('rejected');
          const err = (r as PromiseRejectedResult).reason as NetnsCommandError;
          expect(err).toBeInstanceOf(NetnsCommandError);
          expect([err.code, err.exitCode, err.stderr]).toEqual(['NetnsCommand', i % 3, `job ${i} with spaces%\n`]);
        }
      });
    } finally {
      runner.close();
    }
  });

  it('keeps the answers of concurrent commands with long stderr apart (each under PIPE_BUF, stderr cut)', async () => {
    const runner = createCommandRunner();
    try {
      // 5000 bytes of "x y" lines each: every space and newline triples once encoded.
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) =>
          runner.run('sh', ['-c', `yes "$1 $1" | head -c 5000 >&2; exit 2`, 'sh', String.fromCharCode(97 + i)]),
        ),
      );
      results.forEach((r, i) => {
        const err = (r as PromiseRejectedResult).reason as NetnsCommandError;
        const letter = String.fromCharCode(97 + i);
        expect(err.exitCode).toBe(2);
        expect(err.stderr.length).toBeGreaterThan(1000);
        expect(`${letter} ${letter}\n`.repeat(2000).startsWith(err.stderr)).toBe(true);
      });
    } finally {
      runner.close();
    }
  });

  it('says a missing command is not found', async () => {
    const runner = createCommandRunner();
    try {
      const err = await runner.run('kemu-no-such-command', []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetnsCommandError);
      expect((err as NetnsCommandError).code).toBe('CommandNotFound');
    } finally {
      runner.close();
    }
  });

  it('starts its forker again after it died', async () => {
    const runner = createCommandRunner();
    try {
      await runner.run('true', []);
      runner.close();
      await expect(runner.run('sh', ['-c', 'exit 0'])).resolves.toEqual({ stdout: '', stderr: '' });
    } finally {
      runner.close();
    }
  });
});
