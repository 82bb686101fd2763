/**
 * Drives a compose cluster for end-to-end tests and benchmarks: `./kemu compose up` in
 * its own KEMU_HOME (random name, free apiserver port), the real kubectl, the apiserver
 * over HTTPS with the kubeconfig's CA and token, and the containers through
 * testcontainers' container runtime client (list by compose labels, kill, remove).
 * `down` runs `./kemu compose down` and then removes whatever of the project is left,
 * so a failed test leaves no container or network behind.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@kemu/testkit';
import { getContainerRuntimeClient } from 'testcontainers';
import { parse } from 'yaml';
import { type CommandResult, repoRoot, runCommand } from './kemu-cluster.js';
import type { ProxyMode } from './proxy-modes.js';

/** One container of the compose project. */
export interface ComposeContainer {
  id: string;
  service: string;
  ip: string;
  running: boolean;
}

/** A running compose cluster. */
export interface ComposeCluster {
  readonly name: string;
  readonly project: string;
  /** The cluster's state dir on the host (PKI in pki/, NATS credentials in nats-auth/). */
  readonly stateDir: string;
  /** Seconds `kemu compose up` took, from the command to every node Ready. */
  readonly upSeconds: number;
  kemu(args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<CommandResult>;
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<CommandResult>;
  kubectlOk(args: string[], options?: { input?: string }): Promise<string>;
  /** An HTTPS request to the apiserver as kemu-admin; resolves with status and body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  containers(service?: string): Promise<ComposeContainer[]>;
  /** The last `lines` log lines of a service's containers that are not info level (diagnostics). */
  logs(service: string, lines: number): Promise<string>;
  /** Names of the project's docker networks. */
  networks(): Promise<string[]>;
  kill(id: string): Promise<void>;
  down(): Promise<void>;
}

/** Fails with a clear message unless docker answers (the suite must not skip silently). */
export async function requireDocker(): Promise<void> {
  try {
    const client = await getContainerRuntimeClient();
    await client.container.list();
  } catch (err) {
    throw new Error(
      `the compose suite needs a running docker daemon (apt-get install docker.io docker-compose; dockerd &): ${String(err)}`,
    );
  }
}

/** Brings a compose cluster up with `./kemu compose up`; throws with its output when that fails. */
export async function startComposeCluster(options: {
  name: string;
  nodes: number;
  env?: Record<string, string>;
  /** `kemu compose up --proxy-mode`; absent means kemu's default (userspace). */
  proxyMode?: ProxyMode;
}): Promise<ComposeCluster> {
  const name = `${options.name.slice(0, 4)}${randomBytes(2).toString('hex')}`;
  const project = `kemu-${name}`;
  const home = await mkdtemp(join(tmpdir(), `kemu-compose-${name}-`));
  const env = { ...options.env, KEMU_HOME: home, KEMU_CLUSTER: name };
  const stateDir = join(home, name);
  const kubeconfig = join(stateDir, 'kubeconfig');
  const kubeCache = join(home, 'kube-cache');
  const kemuBin = join(repoRoot, 'kemu');
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;

  const kemu = (args: string[], o: { timeoutMs?: number; env?: Record<string, string> } = {}) =>
    runCommand(kemuBin, args, { env: { ...env, ...o.env }, timeoutMs: o.timeoutMs ?? 120_000 });
  const kubectl = (args: string[], o: { input?: string; timeoutMs?: number } = {}) =>
    runCommand('kubectl', args, {
      env: { KUBECONFIG: kubeconfig, KUBECACHEDIR: kubeCache },
      input: o.input,
      timeoutMs: o.timeoutMs ?? 60_000,
    });

  async function containers(service?: string): Promise<ComposeContainer[]> {
    const labels = [`com.docker.compose.project=${project}`];
    if (service) labels.push(`com.docker.compose.service=${service}`);
    const list = await docker.listContainers({ all: true, filters: { label: labels } });
    return list.map((c) => ({
      id: c.Id,
      service: c.Labels['com.docker.compose.service'] ?? '',
      ip: Object.values(c.NetworkSettings?.Networks ?? {})[0]?.IPAddress ?? '',
      running: c.State === 'running',
    }));
  }

  const listNetworks = () => docker.listNetworks({ filters: { label: [`com.docker.compose.project=${project}`] } });

  async function down(): Promise<void> {
    await kemu(['compose', 'down', '--name', name]);
    // Whatever `compose down` left (it failed, or up never recorded the project).
    for (const c of await containers())
      await docker
        .getContainer(c.id)
        .remove({ force: true, v: true })
        .catch(() => {});
    const networks = await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${project}`] } });
    for (const n of networks)
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {});
    await rm(home, { recursive: true, force: true });
  }

  const port = await freePort();
  const started = Date.now();
  const modeArgs = options.proxyMode ? ['--proxy-mode', options.proxyMode] : [];
  const up = await kemu(
    ['compose', 'up', '--nodes', String(options.nodes), '--apiserver-port', String(port), ...modeArgs],
    { timeoutMs: 240_000 },
  );
  const upSeconds = (Date.now() - started) / 1000;
  if (up.code !== 0) {
    await down();
    throw new Error(`kemu compose up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  }

  const config = parse(await readFile(kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  const ca = Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64');
  const token = config.users[0]?.user.token ?? '';
  const server = new URL(config.clusters[0]?.cluster.server ?? '');

  function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: server.hostname,
          port: server.port,
          method,
          path,
          ca,
          timeout: 10_000,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  return {
    name,
    project,
    stateDir,
    upSeconds,
    kemu,
    kubectl,
    async kubectlOk(args, o = {}) {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    api,
    containers,
    async logs(service, lines) {
      let out = '';
      for (const c of await containers(service)) {
        const r = await runCommand('docker', ['logs', '--tail', '2000', c.id]);
        const text = `${r.stdout}${r.stderr}`.split('\n').filter((l) => !l.includes('"level":30'));
        out += `--- ${service} ${c.id.slice(0, 12)} ---\n${text.slice(-lines).join('\n')}\n`;
      }
      return out;
    },
    async networks() {
      return (await listNetworks()).map((n) => n.Name);
    },
    async kill(id) {
      await docker.getContainer(id).kill();
    },
    down,
  };
}
