import { consistently, eventually } from '@kemu/testkit';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adoptProcess, ProcessStartError, readProcEnviron, readProcStat, startProcess } from './process-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'kt-ag-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alive = async (pid: number) => {
  const s = await readProcStat(pid);
  return s !== undefined && s.state !== 'Z';
};

describe('startProcess', () => {
  it('appends output to the log file and reports the exit code', async () => {
    const logPath = join(dir, 'pods', 'ns_p_u', 'c.log');
    const p = await startProcess({
      argv: ['sh', '-c', 'echo "out $KEMU_POD_UID"; echo err >&2; exit 3'],
      env: { KEMU_POD_UID: 'u1', PATH: process.env.PATH ?? '' },
      logPath,
    });
    const exit = await p.exited;
    expect(exit.exitCode).toBe(3);
    expect(exit.signal).toBeUndefined();
    const q = await startProcess({ argv: ['sh', '-c', 'echo again'], env: { PATH: process.env.PATH ?? '' }, logPath });
    await q.exited;
    expect(readFileSync(logPath, 'utf8')).toBe('out u1\nerr\nagain\n');
  });

  it('signals the whole process group, in its own session', async () => {
    const logPath = join(dir, 'group.log');
    const p = await startProcess({
      argv: ['sh', '-c', 'sleep 30 & echo $!; wait'],
      env: { PATH: process.env.PATH ?? '' },
      logPath,
    });
    const sleepPid = Number(await eventually(() => readFileSync(logPath, 'utf8').trim() || undefined));
    expect(await alive(sleepPid)).toBe(true);
    const sid = readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3];
    expect(sid).toBe(String(p.pid));
    p.kill('SIGTERM');
    expect(await p.exited).toMatchObject({ exitCode: 143, signal: 15 });
    await eventually(async () => !(await alive(sleepPid)), { what: 'the group member to die' });
  });

  it('throws ProcessStartError for a missing binary', async () => {
    await expect(
      startProcess({ argv: ['/nonexistent/kt-ag'], env: {}, logPath: join(dir, 'x.log') }),
    ).rejects.toBeInstanceOf(ProcessStartError);
  });
});

describe('adoptProcess', () => {
  it('watches a process it did not start and sees it exit', async () => {
    // The sleep is orphaned at once: its parent shell exits, as after a node-agent restart.
    const pid = Number(
      execFileSync('sh', ['-c', 'KEMU_POD_UID=u9 sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).trim(),
    );
    await eventually(async () => (await readProcEnviron(pid))?.KEMU_POD_UID === 'u9', { what: 'sleep to exec' });
    const p = await adoptProcess(pid, '2025-01-01T00:00:00.000Z', 50);
    let gone = false;
    void p.exited.then(() => (gone = true));
    await consistently(() => !gone, { forMs: 150, what: 'the adopted process running' });
    p.kill('SIGKILL');
    const exit = await p.exited;
    expect(exit.exitCode).toBeUndefined();
  });

  it('reports a pid that is already gone as exited', async () => {
    const p = await adoptProcess(2 ** 22 + 12345, '2025-01-01T00:00:00.000Z');
    expect((await p.exited).exitCode).toBeUndefined();
  });
});
