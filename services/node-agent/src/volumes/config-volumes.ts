/**
 * ConfigMap and Secret volumes of a pod, as the kubelet's configmap and secret volume
 * plugins project them: every key (or only `items`, at their `path` and `mode`) as a
 * file with `defaultMode` (0644), written with the AtomicWriter under the node-agent's
 * state dir (`pods/<uid>/volumes/kubernetes.io~configmap/<volume>`), which the container
 * sees bind-mounted at its `mountPath`. A missing source that is not `optional` fails the
 * mount; the container waits until it appears. Re-syncing rewrites only changed volumes.
 * `root` is the node-agent's own directory (`$KEMU_STATE_DIR/kubelet/<node>`, as
 * /var/lib/kubelet), so a container runtime can bind-mount the volumes from there.
 */
import type { Pod } from '@kemu/api';
import { existsSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { ContainerConfigError, type ConfigSources } from '../runtime/config-env.js';
import { type PayloadFile, writeAtomically } from './atomic-writer.js';

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

interface ConfigVolumeSource {
  name?: string;
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/** The directory a pod's volume is written to. */
export function volumeDir(root: string, uid: string, plugin: 'configmap' | 'secret', volume: string): string {
  return join(root, 'pods', uid, 'volumes', `kubernetes.io~${plugin}`, volume);
}

/** Removes the volume files of pods for which `gone(uid)` is true. */
export function removePodVolumes(root: string, gone: (uid: string) => boolean): void {
  const pods = join(root, 'pods');
  if (!existsSync(pods)) return;
  for (const uid of readdirSync(pods)) if (gone(uid)) rmSync(join(pods, uid), { recursive: true, force: true });
}

/** The files of one ConfigMap/Secret volume; undefined for an absent optional source; throws ContainerConfigError. */
export function volumePayload(
  kind: 'ConfigMap' | 'Secret',
  volume: string,
  src: ConfigVolumeSource,
  namespace: string,
  sources: ConfigSources,
): PayloadFile[] {
  const name = (kind === 'ConfigMap' ? src.name : src.secretName) ?? '';
  const obj = kind === 'ConfigMap' ? sources.configMap(namespace, name) : sources.secret(namespace, name);
  if (!obj) {
    if (src.optional) return [];
    throw new ContainerConfigError(
      `MountVolume.SetUp failed for volume "${volume}" : ${kind.toLowerCase()} "${name}" not found`,
      'ContainerCreating',
    );
  }
  const bytes = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(obj.data ?? {}))
    bytes.set(k, kind === 'ConfigMap' ? Buffer.from(v, 'utf8') : Buffer.from(v, 'base64'));
  if (kind === 'ConfigMap')
    for (const [k, v] of Object.entries((obj as { binaryData?: Record<string, string> }).binaryData ?? {}))
      bytes.set(k, Buffer.from(v, 'base64'));
  const mode = src.defaultMode ?? 0o644;
  if (!src.items) return [...bytes].map(([k, content]) => ({ path: k, content, mode }));
  return src.items.flatMap((item) => {
    const content = bytes.get(item.key);
    if (content === undefined) {
      if (src.optional) return [];
      throw new ContainerConfigError(
        `MountVolume.SetUp failed for volume "${volume}" : ${kind.toLowerCase()} references non-existent ${kind === 'ConfigMap' ? 'config' : 'secret'} key: ${item.key}`,
        'ContainerCreating',
      );
    }
    return [{ path: item.path, content, mode: item.mode ?? mode }];
  });
}

/** Writes a pod's ConfigMap/Secret volumes; returns volume name → directory. Throws ContainerConfigError. */
export function syncConfigVolumes(pod: Pod, root: string, sources: ConfigSources): Map<string, string> {
  const out = new Map<string, string>();
  const namespace = pod.metadata.namespace ?? 'default';
  for (const v of (pod.spec.volumes as Record<string, unknown>[] | undefined) ?? []) {
    const name = v.name as string;
    const kind = v.configMap ? 'ConfigMap' : v.secret ? 'Secret' : undefined;
    if (!kind) continue;
    const src = (v.configMap ?? v.secret) as ConfigVolumeSource;
    const dir = volumeDir(root, pod.metadata.uid ?? '', kind === 'ConfigMap' ? 'configmap' : 'secret', name);
    writeAtomically(dir, volumePayload(kind, name, src, namespace, sources));
    out.set(name, dir);
  }
  return out;
}

/** The real path of `subPath` inside the volume `dir`; undefined when it is missing or leaves the volume. */
function subPathSource(dir: string, subPath: string): string | undefined {
  const inside = normalize(subPath);
  if (isAbsolute(inside) || inside === '..' || inside.startsWith('../')) return undefined;
  try {
    const real = realpathSync(join(dir, inside));
    return real.startsWith(`${realpathSync(dir)}/`) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The bind mounts of one container: its volumeMounts of ConfigMap/Secret volumes (a subPath as the file or directory it names). */
export function configMounts(
  pod: Pod,
  containerName: string,
  dirs: Map<string, string>,
): { source: string; mountPath: string }[] {
  const c = pod.spec.containers.find((x) => x.name === containerName);
  return (c?.volumeMounts ?? []).flatMap((m) => {
    const dir = dirs.get(m.name);
    if (!dir) return [];
    if (!m.subPath) return [{ source: dir, mountPath: m.mountPath }];
    // A subPath (one key as a file, e.g. nginx.conf) is resolved once, at container start,
    // through the AtomicWriter's ..data link, so later updates do not reach it: as the kubelet.
    const resolved = subPathSource(dir, m.subPath);
    return resolved ? [{ source: resolved, mountPath: m.mountPath }] : [];
  });
}
