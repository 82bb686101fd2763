import { describe, expect, it } from 'vitest';
import { type ClusterConfig, componentSpecs, natsServerSpec, natsUrl } from './components.js';

const config: ClusterConfig = {
  cluster: 'local',
  nodes: 2,
  subnetIndex: 0,
  apiserverPort: 6443,
  token: 't0k',
  createdAt: '',
};
const ctx = {
  stateDir: '/s',
  logsDir: '/s/logs',
  natsStoreDir: '/s/nats',
  servicesDir: '/r/services',
  nodeBin: '/usr/bin/node',
};

describe('componentSpecs', () => {
  it('runs control-plane components in the host netns and node components inside their node netns', () => {
    const specs = componentSpecs(config, ctx);
    expect(specs.map((s) => s.name)).toEqual([
      'apiserver',
      'controller',
      'node-agent-node-1',
      'proxy-node-1',
      'dns-node-1',
      'node-agent-node-2',
      'proxy-node-2',
      'dns-node-2',
    ]);
    const api = specs[0]!;
    expect(api.command).toBe('/usr/bin/node');
    expect(api.args).toEqual(['/r/services/apiserver/dist/main.js']);
    expect(api.env.KEMU_APISERVER_LISTEN).toBe('127.0.0.1:6443,10.250.0.1:6443');
    expect(api.env.KEMU_APISERVER_ADVERTISE).toBe('10.250.0.1:6443');
    expect(api.logFile).toBe('/s/logs/apiserver.log');
    expect(api.env).toMatchObject({
      KEMU_APISERVER_CERT: '/s/pki/apiserver.crt',
      KEMU_APISERVER_KEY: '/s/pki/apiserver.key',
      KEMU_APISERVER_TOKEN_FILE: '/s/pki/tokens.csv',
    });
    expect(api.env.KEMU_APISERVER_TOKEN).toBeUndefined();

    const proxy2 = specs[6]!;
    expect(proxy2.command).toBe('nsenter');
    expect(proxy2.args).toEqual([
      '--net=/run/netns/kemu-local-node-2',
      '--',
      '/usr/bin/node',
      '/r/services/proxy/dist/main.js',
    ]);
    expect(proxy2.env).toMatchObject({
      KEMU_NATS_URL: 'nats://10.250.0.1:4222',
      KEMU_CLUSTER: 'local',
      KEMU_NODE: 'node-2',
      KEMU_NODE_IP: '10.250.0.12',
      KEMU_POD_CIDR: '10.244.2.0/24',
      KEMU_STATE_DIR: '/s',
      KEMU_SERVICE_CIDR: '10.96.0.0/12',
    });
    expect(proxy2.logFile).toBe('/s/logs/proxy-node-2.log');

    const dns2 = specs[7]!;
    expect(dns2.args).toEqual([
      '--net=/run/netns/kemu-local-node-2',
      '--',
      '/usr/bin/node',
      '/r/services/dns/dist/main.js',
    ]);
    expect(dns2.env).toMatchObject({ KEMU_NODE: 'node-2', KEMU_NODE_IP: '10.250.0.12' });
    expect(dns2.logFile).toBe('/s/logs/dns-node-2.log');
  });

  it('runs dns on the first two nodes only', () => {
    const names = componentSpecs({ ...config, nodes: 3 }, ctx).map((s) => s.name);
    expect(names.filter((n) => n.startsWith('dns-'))).toEqual(['dns-node-1', 'dns-node-2']);
    expect(componentSpecs({ ...config, nodes: 1 }, ctx).map((s) => s.name)).toContain('dns-node-1');
  });
});

describe('natsServerSpec', () => {
  it('binds JetStream to the host underlay address with the store in the state dir', () => {
    const s = natsServerSpec(config, ctx);
    expect(s.args).toEqual(['-js', '-a', '10.250.0.1', '-p', '4222', '-sd', '/s/nats', '-m', '0', '-n', 'kemu-local']);
    expect(s.env).toEqual({ KEMU_CLUSTER: 'local', KEMU_STATE_DIR: '/s' });
    expect(natsUrl(config)).toBe('nats://10.250.0.1:4222');
  });
});
