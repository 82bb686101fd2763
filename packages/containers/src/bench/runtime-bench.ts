/**
 * Measures the OCI runtimes this machine has (runc, crun) on the same bundles: `create`,
 * `start` and `run --detach` latency over N busybox containers (p50/p99), the resident
 * memory of a foreground `run` (the runtime staying as the container's parent) against
 * kemu's perl monitor, and kemu's own create/start through @kemu/containers. Run as root:
 * `node packages/containers/dist/bench/runtime-bench.js [N]`.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mountRootfs, removeRootfs, rootfsPath } from '../container-rootfs.js';
import { createContainerRuntime } from '../container-runtime.js';
import { createImageStore } from '../image-store.js';
import { ociSpec } from '../oci-spec.js';

const run = promisify(execFile);
const N = Number(process.argv[2] ?? 50);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summary(values: number[]): string {
  return `p50 ${pct(values, 50).toFixed(1)} ms, p99 ${pct(values, 99).toFixed(1)} ms`;
}

/**
 * Runs a runtime command that hands its stdio to the container (create, run --detach):
 * waiting for its output to close would wait for the container, so only its exit counts.
 */
function runtimeCommand(binary: string, args: string[]): Promise<void> {
  const errPath = join(dir, 'runtime-stderr');
  const err = openSync(errPath, 'w');
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', err] });
  closeSync(err);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else
        void readFile(errPath, 'utf8').then((stderr) =>
          reject(Object.assign(new Error(`${binary} failed`), { stderr })),
        );
    });
  });
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

async function waitForChild(parent: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(parent)]).catch(() => ({ stdout: '' }));
    if (stdout.trim()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

const dir = await mkdtemp(join(tmpdir(), 'kemu-runtime-bench-'));
const netns = `kemu-bench-${process.pid}`;
await run('ip', ['netns', 'add', netns]);
try {
  const store = createImageStore({
    dir: join(dir, 'images'),
    workloadDir: fileURLToPath(new URL('../../../../services/pod-workload', import.meta.url)),
  });
  const image = await store.resolve('busybox');
  for (const binary of ['runc', 'crun']) {
    const version = await run(binary, ['--version']).then(
      (r) => r.stdout.split('\n')[0],
      () => undefined,
    );
    if (!version) {
      console.log(`${binary}: not installed`);
      continue;
    }
    const root = join(dir, `${binary}-state`);
    // A first run on the image itself (read-only root, no overlay) tells whether the runtime works here at all.
    const probe = join(dir, `${binary}-probe`);
    await mkdir(probe, { recursive: true });
    const probeSpec = ociSpec(
      { args: ['true'], env: image.definition.config.env, netnsPath: `/var/run/netns/${netns}`, readonlyRootfs: true },
      image.rootfs,
    );
    await writeFile(join(probe, 'config.json'), JSON.stringify(probeSpec));
    const works = await runtimeCommand(binary, [
      '--root',
      root,
      'run',
      '--detach',
      '--bundle',
      probe,
      `${binary}-probe`,
    ]).then(
      () => true,
      (err: { stderr?: string }) => {
        console.log(`${version}: cannot run containers here: ${err.stderr?.trim() ?? String(err)}`);
        return false;
      },
    );
    await run(binary, ['--root', root, 'delete', '--force', `${binary}-probe`]).catch(() => undefined);
    if (!works) continue;
    const create: number[] = [];
    const start: number[] = [];
    const runDetached: number[] = [];
    let rss = Number.NaN;
    const created = new Map<string, string>();
    try {
      for (let i = 0; i < N; i++) {
        for (const mode of ['create', 'run'] as const) {
          const id = `${binary}-${mode}-${i}`;
          const bundle = join(dir, id);
          await mkdir(bundle, { recursive: true });
          await mountRootfs(bundle, image.rootfs);
          created.set(id, bundle);
          const spec = ociSpec(
            { args: ['sleep', '600'], env: image.definition.config.env, netnsPath: `/var/run/netns/${netns}` },
            rootfsPath(bundle),
          );
          await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
          const base = ['--root', root];
          if (mode === 'create') {
            create.push(await timed(() => runtimeCommand(binary, [...base, 'create', '--bundle', bundle, id])));
            start.push(await timed(() => run(binary, [...base, 'start', id])));
          } else {
            runDetached.push(
              await timed(() => runtimeCommand(binary, [...base, 'run', '--detach', '--bundle', bundle, id])),
            );
          }
          await run(binary, [...base, 'delete', '--force', id]);
          await removeRootfs(bundle);
          created.delete(id);
        }
      }
      const bundle = join(dir, `${binary}-fg`);
      await mkdir(bundle, { recursive: true });
      await mountRootfs(bundle, image.rootfs);
      const spec = ociSpec(
        { args: ['sleep', '600'], env: image.definition.config.env, netnsPath: `/var/run/netns/${netns}` },
        rootfsPath(bundle),
      );
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
      const fg = spawn(binary, ['--root', root, 'run', '--bundle', bundle, `${binary}-fg`], { stdio: 'ignore' });
      const fgExited = new Promise((r) => fg.once('exit', r));
      await waitForChild(fg.pid as number);
      rss = await rssKb(fg.pid as number);
      await run(binary, ['--root', root, 'delete', '--force', `${binary}-fg`]);
      await fgExited;
      await removeRootfs(bundle);
      console.log(`${version}`);
      console.log(`  create: ${summary(create)}; start: ${summary(start)}; run --detach: ${summary(runDetached)}`);
      console.log(`  foreground run (runtime stays the parent): ${(rss / 1024).toFixed(1)} MiB RSS`);
    } catch (err) {
      console.log(
        `${version}: cannot run containers here: ${(err as { stderr?: string }).stderr?.trim() ?? String(err)}`,
      );
    }
  }

  const runtime = await createContainerRuntime({ dir: join(dir, 'kemu') });
  const create: number[] = [];
  const start: number[] = [];
  const del: number[] = [];
  const monitors: number[] = [];
  for (let i = 0; i < N; i++) {
    const id = `kemu-${i}`;
    const spec = {
      id,
      image,
      args: ['sleep', '600'],
      env: image.definition.config.env,
      netnsPath: `/var/run/netns/${netns}`,
      logPath: join(dir, 'logs', `${id}.log`),
    };
    create.push(await timed(() => runtime.create(spec)));
    let monitorPid = 0;
    start.push(await timed(async () => (monitorPid = (await runtime.start(id)).monitorPid ?? 0)));
    monitors.push(await rssKb(monitorPid));
    del.push(await timed(() => runtime.delete(id)));
  }
  console.log('@kemu/containers (overlay + bundle, monitor + runc run --detach)');
  console.log(`  create: ${summary(create)}; start: ${summary(start)}; delete: ${summary(del)}`);
  console.log(`  monitor: ${(pct(monitors, 50) / 1024).toFixed(1)} MiB RSS per container`);
} finally {
  await run('ip', ['netns', 'delete', netns]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
