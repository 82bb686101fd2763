import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMountPoint } from './container-rootfs.js';
import { adoptContainer, runContainer } from './container-run.js';
import { type ContainerCreate, type ContainerRuntime, createContainerRuntime } from './container-runtime.js';
import { containerArgv, containerEnvironment } from './image-reference.js';
import { createImageStore, type Image, type ImageStore } from './image-store.js';
import { createRuncCli } from './runc-cli.js';
import { removeRuntime } from './runtime-cleanup.js';

const run = promisify(execFile);
const suffix = Math.random().toString(16).slice(2, 8);
const NETNS = `kemu-ct-${suffix}`;
const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const workloadDir = fileURLToPath(new URL('../../../services/pod-workload', import.meta.url));

let dir: string;
let store: ImageStore;
let runtime: ContainerRuntime;
let busybox: Image;
let n = 0;

/** A container spec in the test netns, with the kubelet-style /etc files bind-mounted. */
async function spec(image: Image, command: string[], extra: Partial<ContainerCreate> = {}): Promise<ContainerCreate> {
  const id = `t${++n}-${suffix}`;
  const hosts = join(dir, `${id}.hosts`);
  await writeFile(hosts, `127.0.0.1\tlocalhost\n10.0.0.7\t${id}\n`);
  return {
    id,
    image,
    args: containerArgv(image.definition.config, command),
    env: containerEnvironment(image.definition.config, { HOSTNAME: id }),
    hostname: id,
    netnsPath: `/var/run/netns/${NETNS}`,
    logPath: join(dir, 'logs', `${id}.log`),
    mounts: [{ destination: '/etc/hosts', source: hosts }],
    ...extra,
  };
}

/** Runs a command to completion in a fresh busybox container: exit code and output. */
async function runToEnd(command: string[], image = busybox): Promise<{ exitCode: number; log: string; id: string }> {
  const s = await spec(image, command);
  await runtime.create(s);
  await runtime.start(s.id);
  const exit = await runtime.wait(s.id);
  const log = await readFile(s.logPath, 'utf8');
  await runtime.delete(s.id);
  return { exitCode: exit?.exitCode ?? -1, log, id: s.id };
}

describe('container runtime (runc, as root)', () => {
  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('the container runtime tests need root (namespaces, mounts, runc)');
    dir = await mkdtemp(join(tmpdir(), 'kemu-containers-'));
    await run('ip', ['netns', 'add', NETNS]);
    await run('ip', ['-n', NETNS, 'link', 'set', 'lo', 'up']);
    store = createImageStore({ dir: join(dir, 'images'), workloadDir });
    runtime = await createContainerRuntime({ dir: join(dir, 'node') });
    busybox = await store.resolve('busybox:1.36');
  }, 60_000);

  afterAll(async () => {
    if (runtime) for (const c of await runtime.list()) await runtime.delete(c.id);
    await run('ip', ['netns', 'delete', NETNS]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('builds busybox from the static binary with its applets (printenv from coreutils) and nothing else of the host', async () => {
    const manifest = JSON.parse(await readFile(join(busybox.rootfs, '..', 'manifest.json'), 'utf8')) as {
      entries: { type: string; path: string }[];
    };
    const files = manifest.entries.filter((e) => e.type === 'file' || e.type === 'copy').map((e) => e.path);
    const nonLibraries = files.filter((f) => !/\/lib(64)?\/.*\.so/.test(f));
    expect(nonLibraries.sort()).toEqual(
      [
        '/bin/busybox',
        '/bin/printenv',
        '/etc/group',
        '/etc/hostname',
        '/etc/hosts',
        '/etc/nsswitch.conf',
        '/etc/passwd',
        '/etc/resolv.conf',
      ].sort(),
    );
    expect(existsSync(join(busybox.rootfs, 'bin', 'httpd'))).toBe(true);
    expect(existsSync(join(busybox.rootfs, 'bin', 'printenv'))).toBe(true);
    expect(existsSync(join(busybox.rootfs, 'usr', 'bin', 'node'))).toBe(false);
    expect((await store.resolve('registry.k8s.io/busybox:latest')).digest).toBe(busybox.digest);
  });

  it('finds a built image again without running ldd, and expands the recipe again once a ref lacks its entries', async () => {
    const refPath = join(dir, 'images', 'refs', 'busybox.json');
    const ref = JSON.parse(await readFile(refPath, 'utf8')) as { key: string; digest: string; entries?: unknown[] };
    expect(ref.entries?.length).toBeGreaterThan(0);
    const path = process.env.PATH;
    // Without ldd on the PATH, only the cached expansion can resolve the image.
    process.env.PATH = '/nonexistent';
    try {
      const again = await createImageStore({ dir: join(dir, 'images'), workloadDir }).resolve('busybox');
      expect(again.digest).toBe(busybox.digest);
      await writeFile(refPath, JSON.stringify({ key: ref.key, digest: ref.digest }));
      await expect(createImageStore({ dir: join(dir, 'images'), workloadDir }).resolve('busybox')).rejects.toThrow(
        /libraries|command not found/,
      );
    } finally {
      process.env.PATH = path;
    }
    expect((await createImageStore({ dir: join(dir, 'images'), workloadDir }).resolve('busybox')).digest).toBe(
      busybox.digest,
    );
    // The lookup that had to expand the recipe wrote the entries back.
    expect((JSON.parse(await readFile(refPath, 'utf8')) as { entries?: unknown[] }).entries?.length).toBeGreaterThan(0);
  });

  it('shows the image, not the host, at /, and only its own processes in ps', async () => {
    const marker = `host-only-${suffix}`;
    await writeFile(join('/tmp', marker), 'x');
    try {
      const { exitCode, log } = await runToEnd([
        'sh',
        '-c',
        `ls /; ls /tmp; ps -o pid,comm; test -e /tmp/${marker} || echo no-marker`,
      ]);
      expect(exitCode).toBe(0);
      expect(log).toContain('no-marker');
      expect(log).not.toContain('work');
      const pids = [...log.matchAll(/^\s*(\d+)\s+\S+$/gm)].map((m) => Number(m[1]));
      expect(pids[0]).toBe(1);
      expect(pids.length).toBeLessThanOrEqual(2);
    } finally {
      await rm(join('/tmp', marker), { force: true });
    }
  });

  it('keeps writes to / inside the container', async () => {
    const name = `written-${suffix}`;
    const { exitCode } = await runToEnd(['sh', '-c', `echo x > /${name} && echo y > /bin/${name} && rm /bin/ls`]);
    expect(exitCode).toBe(0);
    expect(existsSync(`/${name}`)).toBe(false);
    expect(existsSync(join(busybox.rootfs, 'bin', name))).toBe(false);
    expect(existsSync(join(busybox.rootfs, 'bin', 'ls'))).toBe(true);
  });

  it('cannot signal a host process', async () => {
    const host = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const { exitCode, log } = await runToEnd(['sh', '-c', `kill -9 ${host.pid}; echo rc=$?`]);
      expect(exitCode).toBe(0);
      expect(log).toMatch(/rc=1/);
      expect(host.exitCode).toBeNull();
      expect(host.signalCode).toBeNull();
    } finally {
      host.kill('SIGKILL');
    }
  });

  it('mounts /proc/sys read-only and masks /proc/timer_list', async () => {
    const { log } = await runToEnd([
      'sh',
      '-c',
      'echo 1 > /proc/sys/kernel/sysrq; echo sysrq=$?; echo 1 > /proc/sys/net/ipv4/ip_forward; echo fwd=$?; echo timer_list=$(cat /proc/timer_list | wc -c)',
    ]);
    expect(log).toMatch(/sysrq=1/);
    expect(log).toMatch(/fwd=1/);
    expect(log).toMatch(/timer_list=0/);
  });

  it('records the exit code of the container command', async () => {
    expect((await runToEnd(['sh', '-c', 'exit 3'])).exitCode).toBe(3);
  });

  it('resolves names from the mounted /etc/hosts and sets the hostname', async () => {
    const { log, id } = await runToEnd(['sh', '-c', 'hostname; ping -c1 -W1 localhost >/dev/null; echo ping=$?']);
    expect(log).toContain(id);
    expect(log).toContain('ping=0');
  });

  it('removes the overlay, runtime state and directory on delete', async () => {
    const s = await spec(busybox, ['sleep', '600']);
    await runtime.create(s);
    const started = await runtime.start(s.id);
    expect(started.status).toBe('running');
    expect(started.rootfsMode).toBe('overlay');
    // Not the runtime's first container: its monitor mounted the overlay (mount(2) from perl), not a `mount` process.
    expect(started.overlayLower).toBe(busybox.rootfs);
    const rootfs = join(dir, 'node', 'containers', s.id, 'rootfs');
    expect(await isMountPoint(rootfs)).toBe(true);
    // Forked by the launcher, the monitor still names its container's directory whole (the bench finds monitors so).
    const title = (await readFile(`/proc/${started.monitorPid}/cmdline`, 'utf8')).replace(/\0+$/, '');
    expect(title).toBe(`kemu-monitor ${join(dir, 'node', 'containers', s.id)}`);
    await runtime.delete(s.id);
    expect(await isMountPoint(rootfs)).toBe(false);
    expect(existsSync(join(dir, 'node', 'containers', s.id))).toBe(false);
    expect(await createRuncCli('runc', join(dir, 'node', 'runc')).state(s.id)).toBeUndefined();
    expect(await runtime.state(s.id)).toBeUndefined();
    expect(started.pid !== undefined && existsSync(`/proc/${started.pid}`)).toBe(false);
  });

  it('runs exec inside the container and shares a PID namespace when asked', async () => {
    const first = await spec(busybox, ['sleep', '600']);
    await runtime.create(first);
    const { pid } = await runtime.start(first.id);
    const second = await spec(busybox, ['sleep', '601'], { pidNamespacePath: `/proc/${pid}/ns/pid` });
    await runtime.create(second);
    await runtime.start(second.id);
    const child = runtime.exec(second.id, { args: ['ps', '-o', 'pid,args'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.once('close', r));
    expect(code).toBe(0);
    expect(out).toContain('sleep 600');
    expect(out).toContain('sleep 601');
    await runtime.delete(second.id);
    await runtime.delete(first.id);
  });

  it('runs curl, the DNS tools and the kemu workload from their images', async () => {
    const curl = await runToEnd(
      ['sh', '-c', 'curl --version | head -1; wget --help 2>&1 | head -1'],
      await store.resolve('curlimages/curl'),
    );
    expect(curl.exitCode).toBe(0);
    expect(curl.log).toMatch(/^curl \d/m);
    const dns = await runToEnd(
      ['sh', '-c', 'dig -v && nslookup -version && host -V'],
      await store.resolve('registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3'),
    );
    expect(dns.exitCode).toBe(0);
    expect(dns.log).toContain('nslookup 9.');
    const nginx = await store.resolve('nginx:1.25');
    const web = await spec(nginx, [], {
      env: containerEnvironment(nginx.definition.config, { KEMU_CONTAINER_PORTS: '8080', KEMU_IMAGE: 'nginx' }),
    });
    web.args = containerArgv(nginx.definition.config);
    await runtime.create(web);
    await runtime.start(web.id);
    const body = await eventually(
      async () => {
        const child = runtime.exec(web.id, { args: ['wget', '-qO-', 'http://127.0.0.1:8080/'] });
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
        });
        const code = await new Promise<number | null>((r) => child.once('close', r));
        return code === 0 && out;
      },
      { what: 'the workload to answer', timeoutMs: 15_000 },
    );
    expect(body.length).toBeGreaterThan(0);
    await runtime.kill(web.id, 'SIGTERM');
    expect((await runtime.wait(web.id))?.exitCode).toBe(0);
    await runtime.delete(web.id);
  });

  it('runs a container to its end and deletes it (runContainer), and adopts a running one (adoptContainer)', async () => {
    const s = await spec(busybox, ['sh', '-c', 'exit 7']);
    const r = await runContainer(runtime, s);
    expect(r.pid).toBeGreaterThan(0);
    expect((await r.exited).exitCode).toBe(7);
    await r.deleted;
    expect(await runtime.state(s.id)).toBeUndefined();
    const long = await spec(busybox, ['sleep', '600']);
    const first = await runContainer(runtime, long);
    first.unwatch();
    const again = await adoptContainer(runtime, long.id);
    expect(again?.pid).toBe(first.pid);
    again?.kill('SIGKILL');
    expect((await again?.exited)?.exitCode).toBe(137);
    await again?.deleted;
    expect(await adoptContainer(runtime, long.id)).toBeUndefined();
  });

  it('reads stdin from a FIFO and sees EOF once its writers close', async () => {
    const fifo = join(dir, `stdin-${suffix}`);
    await run('mkfifo', [fifo]);
    const writer = openSync(fifo, constants.O_RDWR);
    const s = await spec(busybox, ['sh', '-c', 'read line; echo got:$line; cat >/dev/null; echo eof']);
    const r = await runContainer(runtime, { ...s, stdinPath: fifo });
    writeSync(writer, 'hello\n');
    closeSync(writer);
    expect((await r.exited).exitCode).toBe(0);
    const log = await readFile(s.logPath, 'utf8');
    expect(log).toContain('got:hello');
    expect(log).toContain('eof');
  });

  it('leaves no container, mount or directory after removeRuntime', async () => {
    const other = join(dir, 'node-removed');
    const rt = await createContainerRuntime({ dir: other });
    const s = await spec(busybox, ['sleep', '600']);
    await rt.create(s);
    const { pid } = await rt.start(s.id);
    expect(await removeRuntime(other)).toBe(1);
    expect(existsSync(other)).toBe(false);
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(other)).toBe(false);
    expect(pid !== undefined && existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('keeps a container running after its driver process dies, and a new runtime adopts it', async () => {
    expect(existsSync(distIndex)).toBe(true);
    const s = await spec(busybox, ['sh', '-c', 'echo started; exec sleep 600']);
    const { image, ...rest } = s;
    const driver = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { createContainerRuntime } = await import(${JSON.stringify(distIndex)});
         const rt = await createContainerRuntime({ dir: ${JSON.stringify(join(dir, 'node'))} });
         await rt.create({ ...${JSON.stringify(rest)}, image: ${JSON.stringify(image)} });
         await rt.start(${JSON.stringify(s.id)});
         console.log('up');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      driver.stdout?.on('data', (d: Buffer) => d.toString().includes('up') && resolve());
      driver.once('exit', (code) => reject(new Error(`the driver exited (${code}) before starting the container`)));
    });
    driver.kill('SIGKILL');
    await new Promise((r) => driver.once('exit', r));

    const adopter = await createContainerRuntime({ dir: join(dir, 'node') });
    const found = (await adopter.list()).find((c) => c.id === s.id);
    expect(found?.status).toBe('running');
    expect(found?.pid !== undefined && existsSync(`/proc/${found.pid}`)).toBe(true);
    await eventually(async () => (await readFile(s.logPath, 'utf8')).includes('started'), { what: 'the log line' });
    await adopter.kill(s.id, 'SIGKILL');
    const exit = await adopter.wait(s.id);
    expect(exit).toMatchObject({ exitCode: 137, signal: 9 });
    await adopter.delete(s.id);
  });
});
