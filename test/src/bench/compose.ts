/**
 * Compose figures: `kemu compose up --nodes 3` to every node container Ready, and the
 * keep-alive request rate through a ClusterIP from a client pod to a backend pod on the
 * same node container versus one on another node container (the extra hop over the
 * docker bridge, routed), in interleaved rounds. wrk runs on the host inside the client
 * pod's netns, entered through the node container's mount namespace
 * (/proc/<container pid>/root/run/netns/<pod netns>).
 */
import { getContainerRuntimeClient } from 'testcontainers';
import { startComposeCluster } from '../compose-cluster.js';
import { runCommand } from '../kemu-cluster.js';
import { median } from './stats.js';
import type { Row } from './table.js';
import { parseWrk } from './wrk.js';

const manifest = (near: string, far: string) => `apiVersion: v1
kind: Service
metadata: { name: bench-near }
spec:
  selector: { app: bench-near }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: bench-far }
spec:
  selector: { app: bench-far }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: bench-near, labels: { app: bench-near } }
spec:
  nodeName: ${near}
  containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080 }] }]
---
apiVersion: v1
kind: Pod
metadata: { name: bench-far, labels: { app: bench-far } }
spec:
  nodeName: ${far}
  containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080 }] }]
---
apiVersion: v1
kind: Pod
metadata: { name: bench-client }
spec:
  nodeName: ${near}
  containers: [{ name: client, image: busybox, command: [sleep, "3600"] }]
`;

/** Measures compose up and near/far ClusterIP request rates. */
export async function measureCompose(
  progress: (msg: string) => void,
  rounds: number,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  progress('kemu compose up --nodes 3');
  const cluster = await startComposeCluster({ name: 'bcmp', nodes: 3 });
  try {
    progress(`compose up to 3 nodes Ready: ${cluster.upSeconds.toFixed(1)} s`);
    const nodes = JSON.parse(await cluster.kubectlOk(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[] } }[];
    };
    const [near, far] = nodes.items;
    if (!near || !far) throw new Error('fewer than two nodes');
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest(near.metadata.name, far.metadata.name) });
    await cluster.kubectlOk([
      'wait',
      '--for=condition=Ready',
      'pod/bench-near',
      'pod/bench-far',
      'pod/bench-client',
      '--timeout=60s',
    ]);
    const client = JSON.parse(await cluster.kubectlOk(['get', 'pod', 'bench-client', '-o', 'json'])) as {
      metadata: { uid: string };
    };
    const nearIp = near.status.addresses.find((a) => a.type === 'InternalIP')?.address;
    const container = (await cluster.containers('node')).find((c) => c.ip === nearIp);
    if (!container) throw new Error(`no node container with address ${nearIp}`);
    const docker = (await getContainerRuntimeClient()).container.dockerode;
    const pid = (await docker.getContainer(container.id).inspect()).State.Pid;
    const netns = `/proc/${pid}/root/run/netns/kemu-${cluster.name}-pod-${client.metadata.uid.replaceAll('-', '').slice(0, 12)}`;
    const clusterIP = async (svc: string) =>
      (await cluster.kubectlOk(['get', 'svc', svc, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const targets = { near: await clusterIP('bench-near'), far: await clusterIP('bench-far') };

    const samples: Record<string, number[]> = { up: [cluster.upSeconds], near: [], far: [] };
    for (let round = 0; round < rounds; round++) {
      for (const [key, ip] of Object.entries(targets)) {
        const r = await runCommand(
          'nsenter',
          [`--net=${netns}`, 'wrk', '-t1', '-c8', '-d5s', '--latency', `http://${ip}/`],
          {
            timeoutMs: 60_000,
          },
        );
        if (r.code !== 0) throw new Error(`wrk failed: ${r.stderr}`);
        const w = parseWrk(r.stdout);
        samples[key]?.push(w.requestsPerSecond);
        progress(`compose ClusterIP ${key} round ${round + 1}/${rounds}: ${w.requestsPerSecond.toFixed(0)} req/s`);
      }
    }
    const nearRps = median(samples.near ?? []);
    const farRps = median(samples.far ?? []);
    return {
      rows: [
        { figure: 'kemu compose up to ready, 3 node containers', value: `${cluster.upSeconds.toFixed(1)} s` },
        {
          figure: 'compose: ClusterIP keep-alive req/s, backend on the same node container',
          value: nearRps.toFixed(0),
        },
        {
          figure: 'compose: ClusterIP keep-alive req/s, backend on another node container',
          value: farRps.toFixed(0),
          ratio: `${(farRps / nearRps).toFixed(2)}× same node`,
        },
      ],
      samples,
    };
  } finally {
    await cluster.down();
  }
}
