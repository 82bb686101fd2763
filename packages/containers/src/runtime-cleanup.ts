/**
 * Leaves nothing of a node's runtime behind (`kemu down`, a node-agent that starts after a
 * crash and finds containers of pods that are gone): every container is killed and
 * deleted, then whatever runc still knows and any overlay still mounted below the
 * runtime's directory goes too, so no process, runtime state, mount or directory stays.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createContainerRuntime } from './container-runtime.js';
import { createRuncCli } from './runc-cli.js';
import { runCommand } from './run-command.js';

/** Mount points below `dir`, deepest first. */
async function mountsBelow(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Removes every container of the runtime in `dir` and then `dir` itself; returns how many containers went. */
export async function removeRuntime(dir: string, runtimeBinary = 'runc'): Promise<number> {
  const runtime = await createContainerRuntime({ dir, runtimeBinary });
  const containers = await runtime.list();
  for (const c of containers) await runtime.delete(c.id);
  const runc = createRuncCli(runtimeBinary, join(dir, 'runc'));
  for (const s of await runc.list().catch(() => [])) await runc.delete(s.id, true);
  for (const m of await mountsBelow(dir)) await runCommand('umount', ['-l', m]);
  await rm(dir, { recursive: true, force: true });
  return containers.length;
}
