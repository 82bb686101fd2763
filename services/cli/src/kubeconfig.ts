/** The kubeconfig `kemu up` writes: one cluster, the kemu-admin user with a token, context kemu-<cluster>. */

/** Renders the kubeconfig YAML for a cluster. */
export function renderKubeconfig(o: { cluster: string; server: string; token: string; namespace?: string }): string {
  const ctx = `kemu-${o.cluster}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${ctx}`,
    '  cluster:',
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
