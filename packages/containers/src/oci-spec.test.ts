import { describe, expect, it } from 'vitest';
import { capabilitySet, DEFAULT_CAPABILITIES, ociSpec } from './oci-spec.js';

const input = { args: ['sh'], env: { A: '1' }, netnsPath: '/var/run/netns/p1', hostname: 'web-0' };

describe('ociSpec', () => {
  it('joins the pod netns and creates its own pid, ipc, uts and mount namespaces', () => {
    const spec = ociSpec(input, '/c/rootfs') as { linux: { namespaces: unknown[] }; hostname: string };
    expect(spec.linux.namespaces).toEqual([
      { type: 'pid' },
      { type: 'ipc' },
      { type: 'uts' },
      { type: 'mount' },
      { type: 'network', path: '/var/run/netns/p1' },
    ]);
    expect(spec.hostname).toBe('web-0');
  });

  it('joins a shared pid namespace by path', () => {
    const spec = ociSpec({ ...input, pidNamespacePath: '/proc/42/ns/pid' }, '/r') as {
      linux: { namespaces: unknown[] };
    };
    expect(spec.linux.namespaces[0]).toEqual({ type: 'pid', path: '/proc/42/ns/pid' });
  });

  it('carries containerd defaults: no new privileges, masked and read-only paths, devices denied', () => {
    const spec = ociSpec(input, '/r') as {
      process: { noNewPrivileges: boolean; env: string[] };
      linux: { maskedPaths: string[]; readonlyPaths: string[]; resources: unknown };
      mounts: { destination: string; options: string[] }[];
    };
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.env).toEqual(['A=1']);
    expect(spec.linux.maskedPaths).toContain('/proc/kcore');
    expect(spec.linux.readonlyPaths).toContain('/proc/sys');
    expect(spec.linux.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }] });
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
    const allowed = ociSpec({ ...input, allowPrivilegeEscalation: true }, '/r') as {
      process: { noNewPrivileges: boolean };
    };
    expect(allowed.process.noNewPrivileges).toBe(false);
  });

  it('bind-mounts volumes read-write or read-only', () => {
    const spec = ociSpec(
      {
        ...input,
        mounts: [
          { destination: '/data', source: '/v/data' },
          { destination: '/cfg', source: '/v/cfg', readonly: true },
        ],
      },
      '/r',
    ) as { mounts: { destination: string; options: string[] }[] };
    expect(spec.mounts.find((m) => m.destination === '/data')?.options).toEqual(['rbind', 'rprivate', 'rw']);
    expect(spec.mounts.find((m) => m.destination === '/cfg')?.options).toEqual(['rbind', 'rprivate', 'ro']);
  });
});

describe('capabilitySet', () => {
  it('applies drop then add, with or without the CAP_ prefix', () => {
    expect(capabilitySet(undefined)).toEqual(DEFAULT_CAPABILITIES);
    expect(capabilitySet({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] })).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(capabilitySet({ drop: ['NET_RAW'] })).not.toContain('CAP_NET_RAW');
    expect(capabilitySet({ add: ['CAP_NET_ADMIN'] })).toContain('CAP_NET_ADMIN');
  });
});
