/**
 * The projected ServiceAccount volume kubelet gives every pod (kube-api-access-*):
 * `token` (a token bound to the pod, from the apiserver over NATS, see the apiserver's
 * pod-token-service.ts), `ca.crt` (the cluster CA) and `namespace`, in a per-pod
 * directory the node-agent owns:
 * `<state dir>/pods/<ns>_<name>_<uid>/volumes/kubernetes.io~projected/kube-api-access/`.
 * Containers see it at /var/run/secrets/kubernetes.io/serviceaccount (SERVICE_ACCOUNT_MOUNT:
 * the runtime bind-mounts the directory there, read-only). Files are replaced atomically
 * (write, then rename) and the token is refreshed at 80 % of its lifetime, as kubelet
 * does; a pod with automountServiceAccountToken: false gets no volume.
 */
import type { Pod } from '@kemu/api';
import type { Logger } from '@kemu/log';
import { mkdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where containers find the volume. */
export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The subject prefix a node-agent asks for pod tokens on (`kemu.podtoken.<node>`). */
export const POD_TOKEN_SUBJECT_PREFIX = 'kemu.podtoken';

/** A projected volume's files from the apiserver, or why not. */
type PodTokenReply =
  | { token: string; expirationTimestamp: string; namespace: string; caCrt: string }
  | { error: string };

/** The NATS request the volume needs. */
export interface TokenBus {
  request(subject: string, payload: Uint8Array, opts: { timeout: number }): Promise<{ data: Uint8Array }>;
}

/** Sets up and tears down the volume of each pod. */
export interface ServiceAccountVolumes {
  /** Writes the pod's files (and keeps the token fresh); resolves to the directory, or undefined when the pod opts out. */
  setUp(pod: Pod): Promise<string | undefined>;
  /** Stops refreshing and removes the pod's files. */
  tearDown(pod: Pod): Promise<void>;
  /** The pod's volume directory. */
  dirOf(pod: Pod): string;
  stop(): void;
}

/** A request for a pod token that the apiserver refused. */
export class PodTokenError extends Error {
  override name = 'PodTokenError';
  readonly code = 'PodTokenRefused';
}

const REQUEST_TIMEOUT_MS = 5_000;
const RETRY_MS = 10_000;

async function writeAtomic(dir: string, name: string, data: string): Promise<void> {
  const tmp = join(dir, `.${name}.tmp`);
  await writeFile(tmp, data, { mode: 0o644 });
  await rename(tmp, join(dir, name));
}

/** Creates the volume manager of node `node`, with files under `stateDir`. */
export function createServiceAccountVolumes(o: {
  node: string;
  stateDir: string;
  bus: TokenBus;
  log: Logger;
  now?: () => number;
}): ServiceAccountVolumes {
  const now = o.now ?? Date.now;
  const refreshers = new Map<string, NodeJS.Timeout>();
  const dirOf = (pod: Pod) =>
    join(
      o.stateDir,
      'pods',
      `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name}_${pod.metadata.uid ?? ''}`,
      'volumes',
      'kubernetes.io~projected',
      'kube-api-access',
    );

  async function fetchToken(pod: Pod): Promise<Extract<PodTokenReply, { token: string }>> {
    const req = {
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      uid: pod.metadata.uid ?? '',
    };
    const msg = await o.bus.request(
      `${POD_TOKEN_SUBJECT_PREFIX}.${o.node}`,
      new TextEncoder().encode(JSON.stringify(req)),
      {
        timeout: REQUEST_TIMEOUT_MS,
      },
    );
    const reply = JSON.parse(new TextDecoder().decode(msg.data)) as PodTokenReply;
    if ('error' in reply) throw new PodTokenError(reply.error);
    return reply;
  }

  function schedule(pod: Pod, delayMs: number): void {
    const uid = pod.metadata.uid ?? '';
    clearTimeout(refreshers.get(uid));
    refreshers.set(
      uid,
      setTimeout(() => void refresh(pod), delayMs),
    );
  }

  async function refresh(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    if (!refreshers.has(uid)) return;
    try {
      const reply = await fetchToken(pod);
      await writeAtomic(dirOf(pod), 'ca.crt', reply.caCrt);
      await writeAtomic(dirOf(pod), 'namespace', reply.namespace);
      await writeAtomic(dirOf(pod), 'token', reply.token);
      schedule(pod, Math.max(RETRY_MS, (Date.parse(reply.expirationTimestamp) - now()) * 0.8));
    } catch (err) {
      o.log.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod token refresh failed');
      schedule(pod, RETRY_MS);
    }
  }

  return {
    dirOf,
    async setUp(pod) {
      refreshers.set(
        pod.metadata.uid ?? '',
        setTimeout(() => undefined, 0),
      );
      if ((pod.spec as { automountServiceAccountToken?: boolean }).automountServiceAccountToken === false)
        return undefined;
      const dir = dirOf(pod);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      let reply: Awaited<ReturnType<typeof fetchToken>>;
      try {
        reply = await fetchToken(pod);
      } catch (err) {
        // Retried until it works (a pod created before its ServiceAccount, an apiserver restarting).
        schedule(pod, RETRY_MS);
        throw err;
      }
      await writeAtomic(dir, 'ca.crt', reply.caCrt);
      await writeAtomic(dir, 'namespace', reply.namespace);
      await writeAtomic(dir, 'token', reply.token);
      schedule(pod, Math.max(RETRY_MS, (Date.parse(reply.expirationTimestamp) - now()) * 0.8));
      return dir;
    },
    async tearDown(pod) {
      const uid = pod.metadata.uid ?? '';
      clearTimeout(refreshers.get(uid));
      refreshers.delete(uid);
      await rm(dirOf(pod), { recursive: true, force: true });
    },
    stop() {
      for (const t of refreshers.values()) clearTimeout(t);
      refreshers.clear();
    },
  };
}

/**
 * The read-only bind of the pod's volume directory at SERVICE_ACCOUNT_MOUNT (none when the
 * pod opts out); the directory is created when missing, so the token may arrive later.
 */
export function serviceAccountBinds(
  pod: Pod,
  volumes: Pick<ServiceAccountVolumes, 'dirOf'>,
): { source: string; mountPath: string }[] {
  if ((pod.spec as { automountServiceAccountToken?: boolean }).automountServiceAccountToken === false) return [];
  const source = volumes.dirOf(pod);
  mkdirSync(source, { recursive: true, mode: 0o755 });
  return [{ source, mountPath: SERVICE_ACCOUNT_MOUNT }];
}
