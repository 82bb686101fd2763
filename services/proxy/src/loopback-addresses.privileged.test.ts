import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoopbackAddresses } from './loopback-addresses.js';

const NS = 'kt-px-la';

describe('createLoopbackAddresses (root, netns kt-px-la)', () => {
  const removeNetns = () => {
    try {
      execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
    } catch {
      // not there
    }
  };
  beforeAll(removeNetns);
  afterAll(removeNetns);

  it('adds, lists and removes /32 ClusterIPs on lo idempotently, inside the service CIDR only', async () => {
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    const lo = createLoopbackAddresses({ serviceCIDR: '10.96.0.0/12', netns: NS });
    await lo.add(['10.96.0.50', '10.96.0.51', '127.0.0.9', '192.168.7.7']);
    await lo.add(['10.96.0.50']);
    expect((await lo.list()).sort()).toEqual(['10.96.0.50', '10.96.0.51']);
    const shown = execFileSync('ip', ['-n', NS, '-4', 'addr', 'show', 'dev', 'lo']).toString();
    expect(shown).not.toContain('192.168.7.7');
    expect(shown).not.toContain('127.0.0.9');
    await lo.remove(['10.96.0.51', '10.96.0.99', '127.0.0.1']);
    expect(await lo.list()).toEqual(['10.96.0.50']);
    expect(execFileSync('ip', ['-n', NS, '-4', 'addr', 'show', 'dev', 'lo']).toString()).toContain('127.0.0.1/8');
  });
});
