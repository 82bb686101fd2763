import { describe, expect, it } from 'vitest';
import { type ClusterConfig, componentSpecs, natsServerSettings, natsServerSpec, natsUrl } from './components.js';

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
  it('runs one hollow-node-agent in the host netns for every hollow node, with its own credential', () => {
    const specs = componentSpecs({ ...config, hollowNodes: 100, hollowStages: '/x/stages.yaml' }, ctx);
    const hollow = specs.filter((s) => s.name.includes('hollow'));
    expect(hollow).toHaveLength(1);
    expect(hollow[0]?.command).toBe('/usr/bin/node');
    expect(hollow[0]?.args).toEqual(['/r/services/hollow-node-agent/dist/main.js']);
    expect(hollow[0]?.env).toMatchObject({
      KEMU_HOLLOW_NODES: '100',
      KEMU_HOLLOW_STAGES: '/x/stages.yaml',
      KEMU_CLUSTER_CIDR: '10.244.0.0/16',
      KEMU_NATS_NKEY_FILE: '/s/nats-auth/hollow-node-agent.nk',
    });
    expect(componentSpecs(config, ctx).some((s) => s.name.includes('hollow'))).toBe(false);
  });

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
      KEMU_APISERVER_SA_KEY: '/s/pki/sa.key',
      KEMU_APISERVER_ROOT_CA: '/s/pki/ca.crt',
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

  it("hands the cluster's proxy mode to every proxy (userspace when cluster.json has none)", () => {
    const modeOf = (c: ClusterConfig) =>
      componentSpecs(c, ctx)
        .filter((s) => s.env.KEMU_PROXY_MODE !== undefined)
        .map((s) => `${s.name}=${s.env.KEMU_PROXY_MODE}`);
    expect(modeOf(config)).toEqual(['proxy-node-1=userspace', 'proxy-node-2=userspace']);
    expect(modeOf({ ...config, proxyMode: 'nftables' })).toEqual(['proxy-node-1=nftables', 'proxy-node-2=nftables']);
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
    expect(s.args).toEqual(['-c', '/s/nats-auth/nats-server.conf']);
    expect(natsServerSettings(config, '/s/nats', '/s').split('\n')).toEqual([
      'tls { cert_file: "/s/pki/nats.crt", key_file: "/s/pki/nats.key" }',
      'allow_non_tls: true',
      'server_name: "kemu-local"',
      'listen: "10.250.0.1:4222"',
      'jetstream { store_dir: "/s/nats" }',
      '',
    ]);
    expect(s.env).toEqual({ KEMU_CLUSTER: 'local', KEMU_STATE_DIR: '/s' });
    expect(natsUrl(config)).toBe('nats://10.250.0.1:4222');
  });
});
