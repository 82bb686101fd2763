/**
 * What each root filesystem holds, as data: host executables (copied with their shared
 * library closure), whether busybox's applets fill /bin, and the few files a real image
 * of that kind carries (passwd, group, nsswitch.conf, curl's entrypoint and CA bundle).
 * Nothing else of the host goes in; /etc/hosts, /etc/hostname and /etc/resolv.conf are
 * empty mount points for the kubelet-managed files.
 */
import type { RootfsKind } from './image-reference.js';

/** A host executable copied into the image with its ldd closure. */
export interface RecipeBinary {
  /** Path on this machine. */
  source: string;
  /** Path in the image. */
  path: string;
}

/** A file written into the image. */
export interface RecipeFile {
  path: string;
  mode: number;
  content: string;
}

/** How one root filesystem is made. */
export interface ImageRecipe {
  kind: RootfsKind;
  /** busybox copied to /bin/busybox with every applet linked beside it (unless a binary has the name). */
  busybox: boolean;
  binaries: RecipeBinary[];
  /** Host shared libraries (and their closure) loaded at run time rather than linked, placed at their host path. */
  libraries: string[];
  /** Host files copied as they are, when present (data, never executables). */
  hostFiles: RecipeFile['path'][];
  files: RecipeFile[];
  dirs: { path: string; mode: number }[];
}

/**
 * glibc's name service modules: the static busybox dlopens them for getaddrinfo (wget,
 * ping, nc), as in the official busybox (glibc) image, which carries them in /lib.
 */
const NSS_LIBRARIES = [
  '/lib/x86_64-linux-gnu/libnss_files.so.2',
  '/lib/x86_64-linux-gnu/libnss_dns.so.2',
  '/lib/x86_64-linux-gnu/libresolv.so.2',
];

/** Bumped when a recipe changes in a way its inputs do not show, so cached images are rebuilt. */
export const RECIPE_VERSION = 5;

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'bin:x:2:2:bin:/bin:/bin/false',
  'sys:x:3:3:sys:/dev:/bin/false',
  'sync:x:4:100:sync:/bin:/bin/sync',
  'mail:x:8:8:mail:/var/spool/mail:/bin/false',
  'www-data:x:33:33:www-data:/var/www:/bin/false',
  'operator:x:37:37:Operator:/var:/bin/false',
  'nobody:x:65534:65534:nobody:/home:/bin/false',
  '',
].join('\n');

const GROUP = [
  'root:x:0:',
  'daemon:x:1:',
  'bin:x:2:',
  'sys:x:3:',
  'adm:x:4:',
  'tty:x:5:',
  'disk:x:6:',
  'wheel:x:10:root',
  'mail:x:12:',
  'www-data:x:33:',
  'operator:x:37:',
  'users:x:100:',
  'nogroup:x:65534:',
  '',
].join('\n');

/** curlimages/curl's entrypoint: a first argument that is an option or no command runs curl. */
const CURL_ENTRYPOINT = `#!/bin/sh
set -e
if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ]; then
  set -- curl "$@"
fi
exec "$@"
`;

const BASE_DIRS = [
  { path: '/bin', mode: 0o755 },
  { path: '/dev', mode: 0o755 },
  { path: '/etc', mode: 0o755 },
  { path: '/home', mode: 0o755 },
  { path: '/proc', mode: 0o555 },
  { path: '/root', mode: 0o700 },
  { path: '/sys', mode: 0o555 },
  { path: '/tmp', mode: 0o1777 },
  { path: '/usr/bin', mode: 0o755 },
  { path: '/usr/sbin', mode: 0o755 },
  { path: '/var/spool/mail', mode: 0o755 },
  { path: '/var/www', mode: 0o755 },
];

const BASE_FILES: RecipeFile[] = [
  { path: '/etc/passwd', mode: 0o644, content: PASSWD },
  { path: '/etc/group', mode: 0o644, content: GROUP },
  { path: '/etc/nsswitch.conf', mode: 0o644, content: 'hosts: files dns\nnetworks: files\n' },
  { path: '/etc/hosts', mode: 0o644, content: '' },
  { path: '/etc/hostname', mode: 0o644, content: '' },
  { path: '/etc/resolv.conf', mode: 0o644, content: '' },
];

/**
 * Applets of the official busybox image that Debian's busybox-static is built without;
 * coreutils' own binary stands in (Debian-based images such as nginx and mysql carry it too).
 */
const MISSING_APPLETS: RecipeBinary[] = [{ source: '/usr/bin/printenv', path: '/bin/printenv' }];

/** The recipe of a root filesystem; `nodeBinary` is the node the workload image runs. */
export function imageRecipe(kind: RootfsKind, options: { nodeBinary?: string } = {}): ImageRecipe {
  const base = { kind, busybox: true, dirs: BASE_DIRS, hostFiles: [] as string[], libraries: NSS_LIBRARIES };
  switch (kind) {
    case 'busybox':
      return { ...base, binaries: MISSING_APPLETS, files: BASE_FILES };
    case 'curl':
      return {
        ...base,
        binaries: [...MISSING_APPLETS, { source: '/usr/bin/curl', path: '/usr/bin/curl' }],
        hostFiles: ['/etc/ssl/certs/ca-certificates.crt'],
        files: [...BASE_FILES, { path: '/entrypoint.sh', mode: 0o755, content: CURL_ENTRYPOINT }],
      };
    case 'dnsutils':
      return {
        ...base,
        // A Debian image: dash is /bin/sh, so `sh -c 'nslookup …'` runs BIND's nslookup, not busybox's applet.
        binaries: [
          ...MISSING_APPLETS,
          { source: '/bin/dash', path: '/bin/sh' },
          ...['dig', 'nslookup', 'host'].map((b) => ({ source: `/usr/bin/${b}`, path: `/usr/bin/${b}` })),
        ],
        files: BASE_FILES,
      };
    case 'kubectl':
      // This machine's kubectl (a static Go binary): in a pod it finds the in-cluster config (the ServiceAccount token).
      return {
        ...base,
        binaries: [...MISSING_APPLETS, { source: '/usr/bin/kubectl', path: '/bin/kubectl' }],
        files: BASE_FILES,
      };
    case 'workload':
      // nginx's image (the common one here) carries curl; tests and docs exec it in pods.
      return {
        ...base,
        binaries: [
          ...MISSING_APPLETS,
          { source: options.nodeBinary ?? '/usr/bin/node', path: '/usr/bin/node' },
          { source: '/usr/bin/curl', path: '/usr/bin/curl' },
        ],
        hostFiles: ['/etc/ssl/certs/ca-certificates.crt'],
        files: BASE_FILES,
      };
  }
}
