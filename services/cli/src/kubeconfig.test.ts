import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from './kubeconfig.js';

describe('renderKubeconfig', () => {
  it('names the cluster, user and context and points at the local apiserver', () => {
    const y = renderKubeconfig({ cluster: 'local', server: 'http://127.0.0.1:6443', token: 'abc' });
    expect(y).toContain('current-context: kemu-local');
    expect(y).toContain('    server: http://127.0.0.1:6443');
    expect(y).toMatch(/- name: kemu-admin\n {2}user:\n {4}token: abc/);
    expect(y).toContain('    namespace: default');
  });
});
