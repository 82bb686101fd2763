/**
 * What of a pod's spec becomes part of its containers' OCI specs, decided from the spec
 * alone (kubelet's kuberuntime): the container id, the mounts (the kubelet-managed
 * /etc/hosts, /etc/hostname and /etc/resolv.conf, then the container's volumeMounts),
 * and the user and privileges from securityContext. Volumes: emptyDir (also `medium:
 * Memory`) and the types kemu does not model (configMap, secret, projected, …) are
 * directories of the pod shared by its containers, starting empty; hostPath is refused,
 * because a container must not reach into its node's files.
 */
import type { Container, Pod } from '@kemu/api';
import { join, normalize } from 'node:path';

/** A volume kemu will not mount; the pod's containers cannot be created. */
export class VolumeRefusedError extends Error {
  override readonly name = 'VolumeRefusedError';
  readonly code = 'VolumeRefused';
}

/** A bind mount of a container (the shape @kemu/containers takes). */
export interface MountSpec {
  destination: string;
  source: string;
  readonly?: boolean;
}

/** A volume directory of a pod on the node. */
export interface PodVolume {
  name: string;
  /** Host directory: `<volumesDir>/<name>`. */
  path: string;
  /** emptyDir with medium Memory: a tmpfs. */
  memory: boolean;
}

/** The kubelet-managed files of a pod, on the node. */
export interface PodFiles {
  hosts: string;
  hostname: string;
  resolvConf?: string;
  /** dnsPolicy Default: the node's own resolv.conf, which a pod must not write. */
  resolvConfReadonly?: boolean;
  volumesDir: string;
}

/** What every container id of a pod starts with: `<uid, 12 hex>-`. */
export function podContainerIdPrefix(uid: string): string {
  return `${uid.replaceAll('-', '').slice(0, 12)}-`;
}

/** The id of one run of a container: `<uid, 12 hex>-<name>-<restartCount>` (unique on the node). */
export function containerIdFor(uid: string, name: string, restartCount: number): string {
  return `${podContainerIdPrefix(uid)}${name}-${restartCount}`;
}

/** The pod's volumes to prepare; VolumeRefusedError for a hostPath volume. */
export function podVolumes(pod: Pod, volumesDir: string): PodVolume[] {
  return (pod.spec.volumes ?? []).map((v) => {
    if (v.hostPath !== undefined) {
      throw new VolumeRefusedError(
        `volume "${v.name}": hostPath volumes are refused: a kemu container has its own root filesystem and may not mount the node's files; use an emptyDir volume`,
      );
    }
    const medium = (v.emptyDir as { medium?: string } | undefined)?.medium;
    return { name: v.name, path: join(volumesDir, v.name), memory: medium === 'Memory' };
  });
}

/** The mounts of a container: the pod's /etc files, then its volumeMounts (subPath inside the volume). */
export function containerMounts(pod: Pod, container: Container, files: PodFiles): MountSpec[] {
  const volumes = new Map(podVolumes(pod, files.volumesDir).map((v) => [v.name, v]));
  const mounts: MountSpec[] = [
    { destination: '/etc/hosts', source: files.hosts },
    { destination: '/etc/hostname', source: files.hostname },
    ...(files.resolvConf
      ? [
          {
            destination: '/etc/resolv.conf',
            source: files.resolvConf,
            ...(files.resolvConfReadonly ? { readonly: true } : {}),
          },
        ]
      : []),
  ];
  for (const m of container.volumeMounts ?? []) {
    const volume = volumes.get(m.name);
    if (!volume) throw new VolumeRefusedError(`volumeMount "${m.name}" names no volume of the pod`);
    const sub = m.subPath ? normalize(m.subPath) : '';
    if (sub.startsWith('..') || sub.startsWith('/')) {
      throw new VolumeRefusedError(`volumeMount "${m.name}": subPath "${m.subPath}" leaves its volume`);
    }
    mounts.push({
      destination: m.mountPath,
      source: sub ? join(volume.path, sub) : volume.path,
      readonly: m.readOnly === true,
    });
  }
  return mounts;
}

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  supplementalGroups?: number[];
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

/** The user and privileges of a container: its securityContext over the pod's. */
export function containerSecurity(pod: Pod, container: Container) {
  const podSc = (pod.spec.securityContext ?? {}) as SecurityContext;
  const sc = (container.securityContext ?? {}) as SecurityContext;
  const uid = sc.runAsUser ?? podSc.runAsUser;
  const gid = sc.runAsGroup ?? podSc.runAsGroup;
  const groups = [...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : []), ...(podSc.supplementalGroups ?? [])];
  return {
    ...(uid !== undefined || gid !== undefined || groups.length > 0
      ? { user: { uid: uid ?? 0, gid: gid ?? 0, ...(groups.length > 0 ? { additionalGids: groups } : {}) } }
      : {}),
    ...(sc.readOnlyRootFilesystem ? { readonlyRootfs: true } : {}),
    ...(sc.allowPrivilegeEscalation !== undefined ? { allowPrivilegeEscalation: sc.allowPrivilegeEscalation } : {}),
    ...(sc.capabilities ? { capabilities: sc.capabilities } : {}),
  };
}
