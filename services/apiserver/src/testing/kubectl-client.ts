/** The real kubectl against a test apiserver: a token kubeconfig and a runner that never throws. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What one kubectl run gave. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs /usr/bin/kubectl with `kubeconfig`, its cache and HOME under `dir`; resolves with its exit code. */
export function runKubectl(dir: string, kubeconfig: string, args: string[]): Promise<KubectlResult> {
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache'), HOME: dir };
  return new Promise((resolve) => {
    execFile('/usr/bin/kubectl', args, { env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Writes a kubeconfig at `path` for `server` (trusting the PEM `ca`) with a bearer token; returns the path. */
export async function writeTokenKubeconfig(path: string, server: string, ca: string, token: string): Promise<string> {
  const caData = Buffer.from(ca).toString('base64');
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: kemu, cluster: {server: "${server}", certificate-authority-data: ${caData}}}]
contexts: [{name: kemu, context: {cluster: kemu, user: kemu, namespace: default}}]
current-context: kemu
users: [{name: kemu, user: {token: ${token}}}]
`,
  );
  return path;
}
