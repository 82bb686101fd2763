/**
 * ServiceAccounts and RBAC as a pod sees them, on a real kemu cluster with the real
 * kubectl: the namespace's `default` ServiceAccount exists, a pod runs as it and gets its
 * projected volume (token bound to the pod, ca.crt, namespace) in the node-agent's
 * per-pod directory, and `curl` from inside the pod with that token against
 * https://kubernetes.default.svc (through the `kubernetes` Service and cluster DNS) gets
 * 403 with Kubernetes' message until a RoleBinding allows it, then 200 (and so does
 * kubectl itself, run in a `bitnami/kubectl` pod with the in-cluster config). The admin
 * kubeconfig keeps full rights throughout.
 * The runtime bind-mounts the directory read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount (runc containers: in their OCI spec;
 * process pods: in a private mount namespace), where curl reads the files.
 */
import { eventually } from '@kemu/testkit';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCluster } from './use-cluster.js';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'client', namespace: 'default' },
  spec: { containers: [{ name: 'client', image: 'nginx' }] },
};

describe('ServiceAccount tokens and RBAC from inside a pod', () => {
  const cluster = useCluster({ name: 'sa', nodes: 1 });

  it('gets 403 with its projected token until a RoleBinding allows it, then 200', async () => {
    await eventually(async () => (await cluster.kubectl(['get', 'serviceaccount', 'default'])).code === 0, {
      timeoutMs: 30_000,
      what: 'the default ServiceAccount',
    });
    await cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(POD) });
    await eventually(
      async () =>
        (await cluster.kubectl(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'])).stdout.trim() === 'Running',
      { timeoutMs: 60_000, what: 'the client pod Running' },
    );
    const pod = JSON.parse(await cluster.kubectlOk(['get', 'pod', 'client', '-o', 'json']));
    expect(pod.spec.serviceAccountName).toBe('default');
    const dir = join(
      cluster.stateDir,
      'pods',
      `default_client_${pod.metadata.uid}`,
      'volumes',
      'kubernetes.io~projected',
      'kube-api-access',
    );
    const token = await eventually(async () => readFile(join(dir, 'token'), 'utf8').catch(() => undefined), {
      timeoutMs: 30_000,
      what: 'the projected token',
    });
    expect(await readFile(join(dir, 'namespace'), 'utf8')).toBe('default');
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(
      await readFile(join(cluster.stateDir, 'pki', 'ca.crt'), 'utf8'),
    );
    const claims = JSON.parse(Buffer.from(String(token).split('.')[1] as string, 'base64url').toString());
    expect(claims['kubernetes.io']).toMatchObject({
      namespace: 'default',
      pod: { name: 'client', uid: pod.metadata.uid },
      serviceaccount: { name: 'default' },
    });

    const mount = '/var/run/secrets/kubernetes.io/serviceaccount';
    const inPod = await cluster.kubectlOk(['exec', 'client', '--', 'cat', `${mount}/token`]);
    expect(inPod.trim()).toBe(String(token).trim());
    const write = await cluster.kubectl(['exec', 'client', '--', 'sh', '-c', `echo x > ${mount}/token`]);
    expect(write.code, 'the volume is read-only').not.toBe(0);

    const curl = () =>
      cluster.kubectl([
        'exec',
        'client',
        '--',
        'sh',
        '-c',
        `curl -sS -m 10 --cacert ${mount}/ca.crt -H "Authorization: Bearer $(cat ${mount}/token)" -w '\\n%{http_code}' https://kubernetes.default.svc/api/v1/namespaces/default/pods`,
      ]);
    // kubectl in a pod (a kubectl image, this machine's kubectl) finds the in-cluster config itself.
    const kubectlInPod = async (name: string): Promise<{ phase: string; logs: string }> => {
      await cluster.kubectlOk([
        'run',
        name,
        '--image=bitnami/kubectl',
        '--restart=Never',
        '--',
        'get',
        'pods',
        '-o',
        'name',
      ]);
      const phase = await eventually(
        async () => {
          const p = (await cluster.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout.trim();
          return p === 'Succeeded' || p === 'Failed' ? p : undefined;
        },
        { timeoutMs: 60_000, what: `pod ${name} to finish` },
      );
      return { phase, logs: await cluster.kubectlOk(['logs', name]) };
    };
    const kubectlDenied = await kubectlInPod('kubectl-denied');
    expect(kubectlDenied.phase).toBe('Failed');
    expect(kubectlDenied.logs).toContain(
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods"',
    );

    const denied = await curl();
    const [deniedBody, deniedCode] = denied.stdout.trim().split('\n').slice(-2);
    expect(deniedCode, denied.stdout + denied.stderr).toBe('403');
    expect(denied.stdout).toContain(
      'pods is forbidden: User \\"system:serviceaccount:default:default\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"default\\"',
    );
    expect(deniedBody).toBeDefined();

    await cluster.kubectlOk([
      'create',
      'rolebinding',
      'default-view',
      '--clusterrole=view',
      '--serviceaccount=default:default',
    ]);
    const allowed = await eventually(
      async () => {
        const r = await curl();
        return r.stdout.trim().endsWith('\n200') ? r.stdout : undefined;
      },
      { timeoutMs: 15_000, what: 'the pod to list pods once bound' },
    );
    expect(JSON.parse(String(allowed).trim().split('\n').slice(0, -1).join('\n')).kind).toBe('PodList');
    const kubectlAllowed = await kubectlInPod('kubectl-allowed');
    expect(kubectlAllowed.phase, kubectlAllowed.logs).toBe('Succeeded');
    expect(kubectlAllowed.logs.split('\n')).toContain('pod/client');
    // The admin keeps full rights.
    expect((await cluster.kubectl(['auth', 'can-i', '*', '*', '--all-namespaces'])).stdout.trim()).toBe('yes');
  }, 240_000);
});
