import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from './kubeconfig.js';

describe('renderKubeconfig', () => {
  it('names the cluster, user and context and points at the local apiserver with its CA', () => {
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const y = renderKubeconfig({ cluster: 'local', server: 'https://127.0.0.1:6443', token: 'abc', caPem });
    expect(y).toContain('current-context: kemu-local');
    expect(y).toContain('    server: https://127.0.0.1:6443');
    expect(y).toContain(`    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}\n`);
    expect(y).toMatch(/- name: kemu-admin\n {2}user:\n {4}token: abc/);
    expect(y).toContain('    namespace: default');
  });
});
