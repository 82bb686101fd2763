/**
 * The docker side of `kemu compose`: the docker CLI and whichever compose exists (the v2
 * plugin `docker compose`, else `docker-compose` v1), image builds (the normal Node base
 * when it is on this machine, else the offline base made from host files; nothing is
 * pulled unless asked, as a registry may be unreachable), and reads of containers.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { NORMAL_BASE_IMAGE, OFFLINE_BASE_IMAGE } from './compose-plan.js';
import { CliError, PrerequisiteError } from '../errors.js';

/** Output of a finished command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit (ENOENT is code 127). */
export function runCommand(
  command: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: o.env ?? process.env, timeout: o.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        const code = !e ? 0 : e.code === 'ENOENT' ? 127 : typeof e.code === 'number' ? e.code : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) || (e && !stderr ? e.message : '') });
      },
    );
  });
}

/** Runs a command and returns its stdout; a CliError with its stderr when it fails. */
export async function mustRun(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await runCommand(command, args, env ? { env } : {});
  if (r.code !== 0) {
    const what = `${command} ${args.slice(0, 3).join(' ')}`;
    throw new CliError(
      'DockerFailed',
      `${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-5).join('\n')}`,
    );
  }
  return r.stdout;
}

/** Fails with a clear message unless the docker daemon answers. */
export async function checkDocker(): Promise<void> {
  const r = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  if (r.code === 127) throw new PrerequisiteError('docker is not installed: apt-get install docker.io docker-compose');
  if (r.code !== 0)
    throw new PrerequisiteError(
      `the docker daemon does not answer (${r.stderr.trim()}): start it, e.g. dockerd >/var/log/dockerd.log 2>&1 &`,
    );
}

/** The compose command line: `docker compose` (v2 plugin) when present, else `docker-compose` (v1). */
export async function detectCompose(): Promise<string[]> {
  if ((await runCommand('docker', ['compose', 'version'], { timeoutMs: 20_000 })).code === 0)
    return ['docker', 'compose'];
  if ((await runCommand('docker-compose', ['version'], { timeoutMs: 20_000 })).code === 0) return ['docker-compose'];
  throw new PrerequisiteError(
    'neither `docker compose` nor `docker-compose` is installed: apt-get install docker-compose',
  );
}

/** Tells whether an image is present on this machine. */
export async function imageExists(tag: string): Promise<boolean> {
  return (await runCommand('docker', ['image', 'inspect', tag], { timeoutMs: 20_000 })).code === 0;
}

/**
 * The base image to build on: `requested` when given (the offline one is made if
 * missing), else the normal Node base when it is already on this machine, else the
 * offline base from host files. Never pulls: the caller asks for the normal base to pull it.
 */
export async function chooseBaseImage(repoRoot: string, requested: string | undefined): Promise<string> {
  const base = requested ?? ((await imageExists(NORMAL_BASE_IMAGE)) ? NORMAL_BASE_IMAGE : OFFLINE_BASE_IMAGE);
  if (base === OFFLINE_BASE_IMAGE && !(await imageExists(OFFLINE_BASE_IMAGE))) {
    await mustRun('bash', [join(repoRoot, 'infra', 'docker', 'offline-base.sh'), OFFLINE_BASE_IMAGE]);
  }
  return base;
}

/**
 * Builds the kemu image from the built repository on `base`, tagged `tag` and also
 * `cacheTag`: removing a cluster's own tag then keeps the layers the next build reuses.
 */
export async function buildKemuImage(repoRoot: string, tag: string, cacheTag: string, base: string): Promise<void> {
  const dockerfile = join(repoRoot, 'infra', 'docker', 'Dockerfile');
  const tags = ['-t', tag, '-t', cacheTag];
  await mustRun('docker', ['build', '-q', ...tags, '--build-arg', `BASE=${base}`, '-f', dockerfile, repoRoot]);
}

/** The IPv4 address of a container on its (single) network. */
export async function containerIp(id: string): Promise<string> {
  const out = await mustRun('docker', [
    'inspect',
    '--format',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
    id,
  ]);
  const ip = out.trim().split(/\s+/)[0];
  if (!ip) throw new CliError('DockerFailed', `container ${id} has no address`);
  return ip;
}
