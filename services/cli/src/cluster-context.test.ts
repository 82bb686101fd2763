import { describe, expect, it } from 'vitest';
import { resolveClusterContext } from './cluster-context.js';
import { UsageError } from './errors.js';

describe('resolveClusterContext', () => {
  it('defaults to the local cluster under <repo>/.kemu with subnet 0', () => {
    const c = resolveClusterContext({ name: undefined, env: {}, repoRoot: '/repo' });
    expect(c.cluster).toBe('local');
    expect(c.subnetIndex).toBe(0);
    expect(c.paths.stateDir).toBe('/repo/.kemu/local');
    expect(c.paths.pidsFile).toBe('/repo/.kemu/local/pids.json');
    expect(c.servicesDir).toBe('/repo/services');
  });

  it('prefers --name over KEMU_CLUSTER and honours KEMU_HOME', () => {
    const env = { KEMU_CLUSTER: 'envname', KEMU_HOME: '/tmp/h' };
    expect(resolveClusterContext({ name: 'flag1', env, repoRoot: '/r' }).paths.stateDir).toBe('/tmp/h/flag1');
    const fromEnv = resolveClusterContext({ name: undefined, env, repoRoot: '/r' });
    expect(fromEnv.cluster).toBe('envname');
    expect(fromEnv.subnetIndex).toBeGreaterThanOrEqual(1);
  });

  it('refuses names the layout cannot use', () => {
    expect(() => resolveClusterContext({ name: 'Bad-Name', env: {}, repoRoot: '/r' })).toThrow(UsageError);
  });
});
