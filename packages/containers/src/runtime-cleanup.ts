/**
 * Leaves nothing of a node's runtime behind (`kemu down`, a node-agent that starts after a
 * crash and finds containers of pods that are gone): every container is killed and
 * deleted, then whatever the OCI runtimes still know and any overlay still mounted below the
 * runtime's directory goes too, so no process, runtime state, mount or directory stays.
 */
import { readFile, rm } from 'node:fs/promises';
import { createContainerRuntime } from './container-runtime.js';
import { findBinary, OCI_RUNTIMES, runtimeRoot } from './oci-runtime.js';
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
export async function removeRuntime(dir: string): Promise<number> {
  const runtime = await createContainerRuntime({ dir });
  const containers = await runtime.list();
  for (const c of containers) await runtime.delete(c.id);
  // What either OCI runtime still knows (a container whose directory went first).
  for (const name of OCI_RUNTIMES) {
    const binary = await findBinary(name);
    if (!binary) continue;
    const cli = createRuncCli(binary, runtimeRoot(dir, binary));
    for (const s of await cli.list().catch(() => [])) await cli.delete(s.id, true);
  }
  for (const m of await mountsBelow(dir)) await runCommand('umount', ['-l', m]);
  await rm(dir, { recursive: true, force: true });
  return containers.length;
}
