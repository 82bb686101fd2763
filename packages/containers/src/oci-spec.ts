/**
 * A container's OCI runtime spec (config.json), as containerd's default Unix spec and its
 * CRI plugin make it for a kubelet: the default capability set, masked and read-only
 * /proc and /sys paths, a devices cgroup that denies everything runc does not add, no new
 * privileges unless the pod allows privilege escalation, /proc, a minimal /dev with pts,
 * shm and mqueue, /sys and its cgroups read-only. The container joins its pod's network
 * namespace by path and gets its own mount, PID, IPC and UTS namespaces, or joins given
 * PID/IPC/UTS namespaces (shareProcessNamespace). Pure: the spec is data.
 */

/** A mount of a container: a bind of a host path, or a tmpfs. */
export interface ContainerMount {
  destination: string;
  /** Host path for a bind mount; ignored for tmpfs. */
  source: string;
  type?: 'bind' | 'tmpfs';
  readonly?: boolean;
}

/** The user a container's processes run as. */
export interface ContainerUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

/** Everything about a container that goes into its config.json. */
export interface OciSpecInput {
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  user?: ContainerUser;
  /** Hostname in the container's own UTS namespace (ignored when joining one). */
  hostname?: string;
  /** Path of the network namespace to join (/var/run/netns/<pod sandbox>). */
  netnsPath: string;
  /** Paths of namespaces to join instead of creating them (shareProcessNamespace). */
  pidNamespacePath?: string;
  ipcNamespacePath?: string;
  utsNamespacePath?: string;
  mounts?: ContainerMount[];
  readonlyRootfs?: boolean;
  /** allowPrivilegeEscalation: true clears noNewPrivileges. */
  allowPrivilegeEscalation?: boolean;
  /** securityContext.capabilities: names with or without the CAP_ prefix; `ALL` in drop drops all. */
  capabilities?: { add?: string[]; drop?: string[] };
  cgroupsPath?: string;
  annotations?: Record<string, string>;
}

/** containerd's default capabilities (oci.defaultUnixCaps). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** containerd's default masked paths: mounted over with /dev/null or an empty read-only tmpfs. */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** containerd's default read-only paths. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const DEFAULT_MOUNTS = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  {
    destination: '/dev',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
  },
  {
    destination: '/dev/pts',
    type: 'devpts',
    source: 'devpts',
    options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
  },
  {
    destination: '/dev/shm',
    type: 'tmpfs',
    source: 'shm',
    options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
  },
  { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  {
    destination: '/sys/fs/cgroup',
    type: 'cgroup',
    source: 'cgroup',
    options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
  },
];

function capName(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** The capability set after securityContext's drop and add. */
export function capabilitySet(capabilities: OciSpecInput['capabilities']): string[] {
  const drop = (capabilities?.drop ?? []).map(capName);
  let caps = drop.includes('CAP_ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  for (const add of (capabilities?.add ?? []).map(capName))
    if (add !== 'CAP_ALL' && !caps.includes(add)) caps = [...caps, add];
  return caps;
}

function namespace(type: string, path?: string): { type: string; path?: string } {
  return path ? { type, path } : { type };
}

function mountEntry(m: ContainerMount): { destination: string; type: string; source: string; options: string[] } {
  if (m.type === 'tmpfs') {
    return {
      destination: m.destination,
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'mode=1777', m.readonly ? 'ro' : 'rw'],
    };
  }
  return {
    destination: m.destination,
    type: 'bind',
    source: m.source,
    options: ['rbind', 'rprivate', m.readonly ? 'ro' : 'rw'],
  };
}

/** The config.json of a container whose root filesystem is `rootfsPath`. */
export function ociSpec(input: OciSpecInput, rootfsPath: string): Record<string, unknown> {
  const caps = capabilitySet(input.capabilities);
  const ownUts = input.utsNamespacePath === undefined;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: {
        uid: input.user?.uid ?? 0,
        gid: input.user?.gid ?? 0,
        ...(input.user?.additionalGids?.length ? { additionalGids: input.user.additionalGids } : {}),
      },
      args: input.args,
      env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: input.allowPrivilegeEscalation !== true,
    },
    root: { path: rootfsPath, readonly: input.readonlyRootfs === true },
    ...(ownUts && input.hostname ? { hostname: input.hostname } : {}),
    mounts: [...DEFAULT_MOUNTS, ...(input.mounts ?? []).map(mountEntry)],
    annotations: input.annotations ?? {},
    linux: {
      ...(input.cgroupsPath ? { cgroupsPath: input.cgroupsPath } : {}),
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [
        namespace('pid', input.pidNamespacePath),
        namespace('ipc', input.ipcNamespacePath),
        namespace('uts', input.utsNamespacePath),
        namespace('mount'),
        namespace('network', input.netnsPath),
      ],
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
