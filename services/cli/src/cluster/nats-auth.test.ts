import { describe, expect, it } from 'vitest';
import { clusterRoles, credentialName, joinedNodeRole, parseJoinBundle, renderServerAuth } from './nats-auth.js';

describe('nats-auth', () => {
  it('names one credential per component of a local cluster', () => {
    expect(clusterRoles(['node-1']).map(credentialName)).toEqual([
      'admin',
      'apiserver',
      'controller',
      'dashboard',
      'node-agent-node-1',
      'proxy-node-1',
      'dns-node-1',
    ]);
    expect(credentialName(joinedNodeRole('node-4'))).toBe('node-node-4');
  });

  it('gives the admin every right and a proxy only its own mirror pod among objects, besides its flow records', () => {
    const text = renderServerAuth([
      { publicKey: 'UADMIN', role: { kind: 'admin' } },
      { publicKey: 'UPROXY', role: { kind: 'proxy', node: 'node-1' } },
    ]);
    expect(text).toContain('{ nkey: UADMIN }');
    const proxyLine = text.split('\n').find((l) => l.includes('UPROXY')) ?? '';
    const objects = [...proxyLine.matchAll(/"(kemu\.[^"]+)"/g)].map((m) => m[1]);
    expect(objects).toEqual(['kemu.obj.pods.kube-system.kube-proxy-node-1', 'kemu.flows.conn.node-1']);
    expect(proxyLine).not.toMatch(/\$JS\.API\.>|STREAM\.DELETE|STREAM\.PURGE|STREAM\.UPDATE/);
  });

  it("gives the hollow-node-agent one credential with a node-agent's object rights for each hollow node only", () => {
    const roles = clusterRoles(['node-1'], ['hollow-1', 'hollow-2']);
    expect(roles.map(credentialName).at(-1)).toBe('hollow-node-agent');
    const text = renderServerAuth([{ publicKey: 'UHOLLOW', role: roles.at(-1) as (typeof roles)[number] }]);
    const line = text.split('\n').find((l) => l.includes('UHOLLOW')) ?? '';
    expect(line).toContain('"kemu.obj.nodes._.hollow-2"');
    expect(line).toContain('"kemu.obj.leases.kube-node-lease.hollow-1"');
    expect(line).not.toContain('node-1');
    expect(line).not.toMatch(/\$JS\.API\.>|STREAM\.DELETE/);
  });

  it('reads the seed and the CA of a join credential file', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(parseJoinBundle(`SUSEED\n${pem}\n`)).toEqual({ seed: 'SUSEED', caPem: `${pem}\n` });
    expect(parseJoinBundle('SUSEED')).toEqual({ seed: 'SUSEED', caPem: undefined });
  });
});
