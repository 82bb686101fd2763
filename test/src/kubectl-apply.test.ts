/**
 * `kubectl apply` of every kind kemu serves, as kubectl 1.32 drives it (client-side
 * apply: GET, POST, then strategic merge PATCH with $setElementOrder, `$patch: delete`
 * elements and nulls), and `kubectl delete -f` of the same file.
 */
import { useCluster } from './use-cluster.js';
import { describe, expect, it } from 'vitest';

const manifest = (o: { ports: string; labels: string; replicas: number; image: string }) => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: shop
  labels:
${o.labels}
spec:
  selector:
    app: shop
  ports:
${o.ports}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
spec:
  replicas: ${o.replicas}
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: shop
        image: ${o.image}
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
  namespace: shop
spec:
  containers:
  - name: solo
    image: ${o.image}
`;

const twoPorts = '    - name: http\n      port: 80\n      targetPort: 8080\n    - name: admin\n      port: 9000\n';
const onePort = '    - name: http\n      port: 80\n      targetPort: 8080\n';
const twoLabels = '    app: shop\n    tier: backend';
const oneLabel = '    app: shop';

describe('kubectl apply and delete -f', () => {
  const cluster = useCluster({ name: 'aply', nodes: 1 });

  const apply = (yaml: string) => cluster.kubectl(['apply', '-f', '-'], { input: yaml });

  it('creates every kind of a multi-document file, then reports each unchanged', async () => {
    const first = manifest({ ports: twoPorts, labels: twoLabels, replicas: 0, image: 'nginx:1.27' });
    const created = await apply(first);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim().split('\n')).toEqual([
      'namespace/shop created',
      'service/shop created',
      'deployment.apps/shop created',
      'pod/solo created',
    ]);
    const again = await apply(first);
    expect(again.stdout.trim().split('\n')).toEqual([
      'namespace/shop unchanged',
      'service/shop unchanged',
      'deployment.apps/shop unchanged',
      'pod/solo unchanged',
    ]);
  });

  it('applies a removed port ($patch: delete), a removed label (null), replicas and an image as configured', async () => {
    const changed = manifest({ ports: onePort, labels: oneLabel, replicas: 2, image: 'nginx:1.28' });
    const r = await apply(changed);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'namespace/shop unchanged',
      'service/shop configured',
      'deployment.apps/shop configured',
      'pod/solo configured',
    ]);
    const svc = await cluster.kubectlOk([
      'get',
      'svc',
      'shop',
      '-n',
      'shop',
      '-o',
      'jsonpath={.spec.ports[*].name} {.metadata.labels}',
    ]);
    expect(svc).toBe('http {"app":"shop"}');
    expect(await cluster.kubectlOk(['get', 'deploy', 'shop', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}'])).toBe(
      '2',
    );
    expect(
      await cluster.kubectlOk(['get', 'pod', 'solo', '-n', 'shop', '-o', 'jsonpath={.spec.containers[0].image}']),
    ).toBe('nginx:1.28');
  });

  it('refuses a pod spec change other than the image, as the apiserver does', async () => {
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\n  namespace: shop\nspec:\n  containers:\n  - name: solo\n    image: nginx:1.28\n    ports:\n    - containerPort: 9999\n';
    const r = await apply(pod);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/The Pod "solo" is invalid: spec: Forbidden: pod updates may not change fields/);
  });

  it('deletes everything of the file with delete -f', async () => {
    const file = manifest({ ports: onePort, labels: oneLabel, replicas: 2, image: 'nginx:1.28' });
    const r = await cluster.kubectl(['delete', '-f', '-', '--wait=false'], { input: file });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('namespace "shop" deleted');
    expect(r.stdout).toContain('service "shop" deleted');
    expect(r.stdout).toContain('deployment.apps "shop" deleted');
    expect(r.stdout).toContain('pod "solo" deleted');
    const gone = await cluster.kubectl(['get', 'svc', 'shop', '-n', 'shop']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/NotFound/);
  });
});
