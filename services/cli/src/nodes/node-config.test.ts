import { describe, expect, it } from 'vitest';
import { resolveClusterContext } from '../cluster-context.js';
import { UsageError } from '../errors.js';
import { joinedNodeNetns, joinedNodeSpecs, natsHost, nodePaths, validateNodeName } from './node-config.js';
import { pickFreeAddress } from './node-join.js';

const ctx = resolveClusterContext({ name: 'abc', env: { KEMU_HOME: '/tmp/kh' }, repoRoot: '/repo' });

describe('joined node config', () => {
  it('keeps a node state dir apart from the cluster state dir', () => {
    expect(nodePaths(ctx, 'node-4').stateDir).toBe('/tmp/kh/nodes/abc/node-4');
    expect(ctx.paths.stateDir).toBe('/tmp/kh/abc');
    expect(joinedNodeNetns('abc', 'node-4')).toBe('kemu-abc-node-4');
  });

  it('reads the host of the first NATS URL and rejects other schemes', () => {
    expect(natsHost('nats://10.250.3.1:4222')).toBe('10.250.3.1');
    expect(natsHost('nats://nats-1:4222,nats://nats-2:4222')).toBe('nats-1');
    expect(() => natsHost('http://x:1')).toThrow(UsageError);
    expect(() => validateNodeName('Node_4')).toThrow(UsageError);
    expect(() => validateNodeName(undefined)).toThrow(UsageError);
  });

  it('runs node-agent and proxy in the node netns, or directly with --here; KEMU_POD_CIDR only when given', () => {
    const base = {
      cluster: 'abc',
      node: 'node-4',
      natsUrl: 'nats://10.250.3.1:4222',
      address: '10.250.3.254',
      createdAt: 't',
    };
    const o = { servicesDir: '/repo/services', nodeBin: '/usr/bin/node' };
    const inNetns = joinedNodeSpecs({ ...base, netns: 'kemu-abc-node-4' }, nodePaths(ctx, 'node-4'), o);
    expect(inNetns.map((s) => s.name)).toEqual(['node-agent', 'proxy']);
    expect(inNetns[0]).toMatchObject({
      command: 'nsenter',
      args: ['--net=/run/netns/kemu-abc-node-4', '--', '/usr/bin/node', '/repo/services/node-agent/dist/main.js'],
      logFile: '/tmp/kh/nodes/abc/node-4/logs/node-agent.log',
    });
    expect(inNetns[0]?.env).toMatchObject({ KEMU_NODE: 'node-4', KEMU_NODE_IP: '10.250.3.254', KEMU_CLUSTER: 'abc' });
    expect(inNetns[0]?.env.KEMU_POD_CIDR).toBeUndefined();
    const here = joinedNodeSpecs({ ...base, netns: null, podCidr: '10.244.9.0/24' }, nodePaths(ctx, 'node-4'), o);
    expect(here[1]).toMatchObject({ command: '/usr/bin/node', args: ['/repo/services/proxy/dist/main.js'] });
    expect(here[1]?.env.KEMU_POD_CIDR).toBe('10.244.9.0/24');
  });

  it('picks the highest free host address of the subnet', () => {
    expect(pickFreeAddress('10.250.3.1/24', new Set(['10.250.3.1']))).toBe('10.250.3.254/24');
    expect(pickFreeAddress('10.250.3.1/24', new Set(['10.250.3.254', '10.250.3.253']))).toBe('10.250.3.252/24');
    expect(pickFreeAddress('10.9.0.1/30', new Set(['10.9.0.1', '10.9.0.2']))).toBeUndefined();
  });
});
