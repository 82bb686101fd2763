/**
 * `kemu up` / `kemu down` for real, as root: netns, nats-server, supervisor, restarts,
 * kubeconfig, exec and logs. The first suite runs stand-in services (see
 * testing/fake-services.ts) so the CLI is tested on its own; the second runs the real
 * services once they are built.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subnetIndexFor } from '@kemu/netns';
import { eventually, freePort } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_SERVICES } from './cluster/preflight.js';
import { clusterLeftovers } from './testing/cluster-leftovers.js';
import { FAKE_POD, writeFakeServices } from './testing/fake-services.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const kemuBin = join(repoRoot, 'kemu');
const cliBuilt = existsSync(join(repoRoot, 'services/cli/dist/main.js'));
const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;
const realServicesBuilt = REQUIRED_SERVICES.every((s) => existsSync(join(repoRoot, 'services', s, 'dist', 'main.js')));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function kemu(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<Result> {
  return new Promise((done) => {
    execFile(kemuBin, args, { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function pidsOf(stateDir: string): Promise<Record<string, number>> {
  return JSON.parse(await readFile(join(stateDir, 'pids.json'), 'utf8')) as Record<string, number>;
}

/** Fails a suite whose built code is missing: a test must not pass by not running. */
function requireBuilt(built: boolean, what: string): void {
  if (!built) throw new Error(`${what} is not built: run pnpm build first`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('kemu up/down with stand-in services', () => {
  beforeAll(() => requireBuilt(cliBuilt, 'the kemu CLI'));
  // Random names: two test runs on one host must not tear down each other's clusters.
  const cluster = `ktf${randomBytes(2).toString('hex')}`;
  let home = '';
  let env: NodeJS.ProcessEnv = {};
  let port = 0;
  const stateDir = () => join(home, cluster);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kt-cl-home-'));
    const servicesDir = join(home, 'services');
    await writeFakeServices(servicesDir, join(repoRoot, 'packages/netns/dist/index.js'));
    env = { KEMU_HOME: home, KEMU_SERVICES_DIR: servicesDir, KEMU_CLUSTER: '' };
    port = await freePort();
    await kemu(['down', '--name', cluster], env);
  }, 60_000);

  afterAll(async () => {
    await kemu(['down', '--name', cluster], env);
    await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('brings a 2-node cluster up with progress and usage, and says so when it is already up', async () => {
    const up = await kemu(['up', '--nodes', '2', '--name', cluster, '--apiserver-port', String(port)], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('[1/7] creating network');
    expect(up.stderr).toContain('[2/7] creating certificates');
    expect(up.stderr).toContain('[7/7] writing kubeconfig');
    expect(up.stdout).toContain(`export KUBECONFIG=$(./kemu kubeconfig --name ${cluster})`);
    expect(up.stdout).toContain('kubectl get svc,endpoints,pods -o wide');

    const again = await kemu(['up', '--nodes', '2', '--name', cluster], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`cluster ${cluster} is already up`);
  }, 90_000);

  it('records every component in pids.json and restarts one that is killed', async () => {
    const pids = await pidsOf(stateDir());
    expect(Object.keys(pids).sort()).toEqual([
      'apiserver',
      'controller',
      'dns-node-1',
      'dns-node-2',
      'nats-server',
      'node-agent-node-1',
      'node-agent-node-2',
      'proxy-node-1',
      'proxy-node-2',
      'supervisor',
    ]);
    for (const pid of Object.values(pids)) expect(alive(pid)).toBe(true);
    const old = pids.controller as number;
    process.kill(old, 'SIGKILL');
    const fresh = await eventually(
      async () => {
        const now = (await pidsOf(stateDir())).controller;
        return now !== undefined && now !== old && alive(now) ? now : undefined;
      },
      { timeoutMs: 10_000, what: 'controller restarted' },
    );
    expect(fresh).not.toBe(old);
    const status = await kemu(['status', '--name', cluster], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/controller\s+\d+\s+yes\s+1\s/);
    expect(status.stdout).toMatch(/node-2\s+Ready/);
  }, 30_000);

  it('keeps keys and the token file readable by root only', () => {
    const pki = join(stateDir(), 'pki');
    expect(statSync(pki).mode & 0o777).toBe(0o700);
    for (const f of ['ca.key', 'apiserver.key', 'tokens.csv'])
      expect(statSync(join(pki, f)).mode & 0o777, f).toBe(0o600);
    const cert = spawnSync('openssl', ['x509', '-in', join(pki, 'apiserver.crt'), '-noout', '-ext', 'subjectAltName'], {
      encoding: 'utf8',
    });
    expect(cert.stdout).toContain('IP Address:127.0.0.1');
    expect(cert.stdout).toContain(`IP Address:10.250.${subnetIndexFor(cluster)}.1`);
    expect(cert.stdout).toContain('IP Address:10.96.0.1');
    expect(cert.stdout).toContain('DNS:kubernetes.default.svc.cluster.local');
  });

  it('writes a 0600 kubeconfig that kubectl can use', async () => {
    const k = await kemu(['kubeconfig', '--name', cluster], env);
    expect(k.code).toBe(0);
    const path = k.stdout.trim();
    expect(path).toBe(join(stateDir(), 'kubeconfig'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    expect(text).toContain(`server: https://127.0.0.1:${port}`);
    expect(text).toMatch(/certificate-authority-data: [A-Za-z0-9+/=]{100,}\n/);
    if (hasKubectl) {
      const r = spawnSync('kubectl', ['get', '--raw', '/api/v1/nodes'], {
        env: { ...process.env, KUBECONFIG: path, KUBECACHEDIR: join(home, 'kube-cache') },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('node-1');
    }
  });

  it('runs a command inside the pod netns with the container env and passes the exit code through', async () => {
    const r = await kemu(
      ['exec', '--name', cluster, FAKE_POD.name, '--', 'sh', '-c', 'echo $GREETING; ip -4 -o addr show eth0'],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hello-from-container');
    expect(r.stdout).toContain(`${FAKE_POD.ip}/24`);
    expect((await kemu(['exec', '--name', cluster, FAKE_POD.name, '--', 'sh', '-c', 'exit 7'], env)).code).toBe(7);
    const missing = await kemu(['exec', '--name', cluster, 'nope', '--', 'true'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: Error from server (NotFound): pods "nope" not found\n');
  });

  it('prints component logs', async () => {
    const r = await kemu(['logs', 'node-agent', '--node', '2', '--name', cluster], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('registered node-2');
    const bad = await kemu(['logs', 'proxy', '--name', cluster], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/add --node N/);
  });

  it('down removes every process, netns, link, address and the state dir, and is idempotent', async () => {
    const down = await kemu(['down', '--name', cluster], env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`Deleted cluster "${cluster}"`);
    expect(await clusterLeftovers(cluster, subnetIndexFor(cluster))).toEqual([]);
    expect(existsSync(stateDir())).toBe(false);
    const again = await kemu(['down', '--name', cluster], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to delete');
    expect((await kemu(['kubeconfig', '--name', cluster], env)).code).toBe(1);
  }, 30_000);
});

describe('kemu up/down with the real services', () => {
  beforeAll(() => {
    requireBuilt(cliBuilt, 'the kemu CLI');
    requireBuilt(realServicesBuilt, `the services (${REQUIRED_SERVICES.join(', ')})`);
  });
  const cluster = `ktr${randomBytes(2).toString('hex')}`;
  let home = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kt-cl-home-'));
    env = { KEMU_HOME: home, KEMU_CLUSTER: '' };
  });

  afterAll(async () => {
    await kemu(['down', '--name', cluster], env);
    await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('brings up 2 Ready nodes and tears everything down', async () => {
    const port = await freePort();
    const up = await kemu(['up', '--nodes', '2', '--name', cluster, '--apiserver-port', String(port)], env, 120_000);
    expect(up.code, `${up.stderr}`).toBe(0);
    const status = await kemu(['status', '--name', cluster], env);
    expect(status.stdout).toMatch(/node-1\s+Ready/);
    expect(status.stdout).toMatch(/node-2\s+Ready/);
    const down = await kemu(['down', '--name', cluster], env);
    expect(down.code).toBe(0);
    expect(await clusterLeftovers(cluster, subnetIndexFor(cluster))).toEqual([]);
  }, 180_000);
});
