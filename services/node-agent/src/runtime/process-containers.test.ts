import { describe, expect, it } from 'vitest';
import type { ContainerLaunch } from './container-launch.js';
import { inOwnUts, processArgv } from './process-containers.js';

const base: ContainerLaunch = {
  image: 'nginx',
  env: {},
  hostname: 'web-1',
  netnsPath: '/var/run/netns/kemu-t-pod-abc',
  mounts: [],
  binds: [],
  security: {},
  builtIn: true,
};
const o = { workloadEntry: '/w/main.js', nodeBinary: '/usr/bin/node' };
const inPod = ['ip', 'netns', 'exec', 'kemu-t-pod-abc'];

describe('processArgv (pods as processes, where runc cannot run)', () => {
  it('runs the workload with the host node in the pod netns and its own UTS namespace', () => {
    expect(processArgv(base, o)).toEqual([...inPod, ...inOwnUts('web-1', ['/usr/bin/node', '/w/main.js'])]);
  });

  it('runs busybox commands as applets of the host busybox, and curl args after curl', () => {
    expect(processArgv({ ...base, image: 'busybox', args: ['nslookup', 'web'] }, o)).toEqual([
      ...inPod,
      ...inOwnUts('web-1', ['busybox', 'nslookup', 'web']),
    ]);
    expect(processArgv({ ...base, image: 'curlimages/curl:8.5.0', args: ['-s', 'http://web'] }, o)).toEqual([
      ...inPod,
      ...inOwnUts('web-1', ['curl', '-s', 'http://web']),
    ]);
    expect(processArgv({ ...base, image: 'alpine', command: ['sh', '-c'], args: ['sleep 1'] }, o)).toEqual([
      ...inPod,
      ...inOwnUts('web-1', ['sh', '-c', 'sleep 1']),
    ]);
  });

  it('binds ConfigMap, Secret and ServiceAccount directories read-only in a private mount namespace', () => {
    const binds = [{ source: '/k/pods/u/volumes/kubernetes.io~configmap/cfg', mountPath: "/etc/it's" }];
    const argv = processArgv({ ...base, binds }, o);
    expect(argv.slice(0, 7)).toEqual([...inPod, 'unshare', '--uts', '--mount']);
    expect(argv[9]).toBe(
      "{ if [ -d '/k/pods/u/volumes/kubernetes.io~configmap/cfg' ]; then mkdir -p '/etc/it'\\''s'; else mkdir -p \"$(dirname '/etc/it'\\''s')\" && touch '/etc/it'\\''s'; fi; } && mount --bind -o ro '/k/pods/u/volumes/kubernetes.io~configmap/cfg' '/etc/it'\\''s' || exit 1; hostname \"$0\" 2>/dev/null; exec \"$@\"",
    );
    expect(argv.slice(10)).toEqual(['web-1', '/usr/bin/node', '/w/main.js']);
  });
});
