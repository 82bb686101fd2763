import { describe, expect, it } from 'vitest';
import {
  NATS_SERVICES,
  composeEnv,
  composePlan,
  composeServer,
  controlPlaneAddress,
  natsAddress,
  nodeNameForAddress,
} from './compose-plan.js';

describe('composePlan', () => {
  const plan = composePlan({
    cluster: 'demo',
    subnetIndex: 17,
    repoRoot: '/repo',
    stateDir: '/home/u/.kemu/demo',
    apiserverPort: 16443,
    nodes: 3,
    baseImage: 'kemu/base:offline3',
    proxyMode: 'nftables',
  });

  it('names the project after the cluster and puts its network in 10.253.<subnet index>', () => {
    expect(plan.project).toBe('kemu-demo');
    expect(plan.subnet).toBe('10.253.17');
    expect(plan.composeFile).toBe('/repo/infra/compose.yaml');
    expect(composeServer(plan)).toBe('https://127.0.0.1:16443');
    expect(controlPlaneAddress(plan)).toBe('10.253.17.10');
    expect(NATS_SERVICES.map((_, i) => natsAddress(plan, i))).toEqual(['10.253.17.11', '10.253.17.12', '10.253.17.13']);
  });

  it('tags the image with the cluster, so clusters built from different checkouts do not share one', () => {
    expect(plan.image).toBe('kemu/kemu:demo');
  });

  it('gives docker compose the variables infra/compose.yaml reads and keeps the caller environment', () => {
    const env = composeEnv(plan, { PATH: '/bin', KEMU_NODE_GRACE_SECONDS: '4' });
    expect(env).toMatchObject({
      PATH: '/bin',
      KEMU_CLUSTER: 'demo',
      KEMU_SUBNET: '10.253.17',
      KEMU_APISERVER_PORT: '16443',
      KEMU_IMAGE: 'kemu/kemu:demo',
      KEMU_BASE_IMAGE: 'kemu/base:offline3',
      KEMU_PROXY_MODE: 'nftables',
      KEMU_COMPOSE_SECRETS: '/home/u/.kemu/demo/compose-secrets',
      KEMU_NODE_GRACE_SECONDS: '4',
    });
    expect(env.KEMU_POD_EVICTION_SECONDS).toBeUndefined();
  });
});

describe('nodeNameForAddress', () => {
  it('names a node container after the last octet of its address', () => {
    expect(nodeNameForAddress('10.253.17.130')).toBe('node-130');
  });

  it('rejects what is not an IPv4 address', () => {
    expect(() => nodeNameForAddress('')).toThrow(/not an IPv4/);
  });
});
