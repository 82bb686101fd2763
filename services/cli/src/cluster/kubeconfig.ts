/**
 * The kubeconfig `kemu up` writes: one cluster (https, with the cluster CA inline as
 * certificate-authority-data), the kemu-admin user with a bearer token, context kemu-<cluster>.
 */

/** Renders the kubeconfig YAML for a cluster; `caPem` is the CA certificate kubectl verifies the apiserver with. */
export function renderKubeconfig(o: {
  cluster: string;
  server: string;
  token: string;
  caPem: string;
  namespace?: string;
}): string {
  const ctx = `kemu-${o.cluster}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${ctx}`,
    '  cluster:',
    `    certificate-authority-data: ${Buffer.from(o.caPem).toString('base64')}`,
    `    server: ${o.server}`,
    'users:',
    '- name: kemu-admin',
    '  user:',
    `    token: ${o.token}`,
    'contexts:',
    `- name: ${ctx}`,
    '  context:',
    `    cluster: ${ctx}`,
    '    user: kemu-admin',
    `    namespace: ${o.namespace ?? 'default'}`,
    `current-context: ${ctx}`,
    'preferences: {}',
    '',
  ].join('\n');
}
