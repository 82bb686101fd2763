/**
 * A second real client: the official JavaScript client @kubernetes/client-node 1.x,
 * loading the kubeconfig `kemu up` wrote (https, cluster CA, bearer token), lists,
 * watches, creates, merge-patches and deletes pods of a 1-node kemu cluster.
 */
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  type V1Pod,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { join } from 'node:path';
import { eventually } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from './use-cluster.js';

const pod = (name: string, labels: Record<string, string>): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
});

describe('@kubernetes/client-node against a kemu cluster', () => {
  let kc: KubeConfig;
  let core: CoreV1Api;
  const aborts: AbortController[] = [];

  const cluster = useCluster({ name: 'cnode', nodes: 1 });

  beforeAll(async () => {
    kc = new KubeConfig();
    kc.loadFromFile(join(cluster.stateDir, 'kubeconfig'));
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    for (const a of aborts) a.abort();
  });

  it('uses the kubeconfig as written: https with the CA and a token, no insecure flag', () => {
    const c = kc.getCurrentCluster();
    expect(c?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(c?.caData).toBeTruthy();
    expect(c?.skipTLSVerify).toBeFalsy();
    expect(kc.getCurrentUser()?.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('lists namespaces and reads the kubernetes service; a missing one is a 404 Status', async () => {
    const ns = await core.listNamespace();
    expect(ns.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']),
    );
    const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    expect(svc.spec?.clusterIP).toBe('10.96.0.1');
    const err = await core.readNamespacedService({ name: 'nope', namespace: 'default' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(404);
    expect(JSON.parse((err as ApiException<string>).body)).toMatchObject({ reason: 'NotFound', code: 404 });
  });

  it('watches pods from the start (ADDED first), then creates, patches and deletes one', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('first', { app: 'cn' }) });
    const seen: string[] = [];
    const watch = new Watch(kc);
    const abort = await watch.watch(
      '/api/v1/namespaces/default/pods',
      { allowWatchBookmarks: true },
      (type, obj: V1Pod) => seen.push(`${type} ${obj.metadata?.name ?? ''} ${obj.metadata?.labels?.tier ?? '-'}`),
      () => undefined,
    );
    aborts.push(abort);
    await eventually(() => seen.includes('ADDED first -'), { what: 'ADDED for the existing pod' });
    expect(seen[0]).toBe('ADDED first -');

    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('second', { app: 'cn' }) });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.status?.phase).toBe('Pending');
    await eventually(() => seen.includes('ADDED second -'), { what: 'ADDED for the created pod' });

    const patched = await core.patchNamespacedPod(
      { name: 'second', namespace: 'default', body: { metadata: { labels: { tier: 'backend' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ app: 'cn', tier: 'backend' });
    await eventually(() => seen.includes('MODIFIED second backend'), { what: 'MODIFIED after the patch' });

    const running = await eventually(
      async () => {
        const p = await core.readNamespacedPod({ name: 'second', namespace: 'default' });
        return p.status?.phase === 'Running' ? p : undefined;
      },
      { timeoutMs: 30_000, what: 'second Running' },
    );
    expect(running.spec?.nodeName).toBe('node-1');

    const listed = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'tier=backend' });
    expect(listed.items.map((p) => p.metadata?.name)).toEqual(['second']);

    const deleted = await core.deleteNamespacedPod({ name: 'second', namespace: 'default' });
    expect(deleted.metadata?.deletionTimestamp).toBeTruthy();
    await eventually(() => seen.some((s) => s.startsWith('DELETED second')), {
      timeoutMs: 40_000,
      what: 'DELETED after the delete',
    });
    const gone = await core.readNamespacedPod({ name: 'second', namespace: 'default' }).catch((e: unknown) => e);
    expect((gone as ApiException<string>).code).toBe(404);
  });
});
