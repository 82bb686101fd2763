/**
 * Which runtime runs the node's pods: containers under runc when this machine can run
 * them (checked once at start with a busybox container that must exit 0), else plain
 * processes as before containers (a compose node container without the privileges runc
 * needs, a host without runc), with a warning naming why. KEMU_POD_RUNTIME=runc makes a
 * failed check fatal, =process skips it.
 */
import { createContainerRuntime, createImageStore, nodeRuntimeDir, runContainer } from '@kemu/containers';
import type { Logger } from '@kemu/log';
import { join, dirname } from 'node:path';
import { createNodeContainers, type NodeContainers } from './node-containers.js';
import { createProcessContainers } from './process-containers.js';

/** What choosing the runtime needs. */
export interface PodRuntimeOptions {
  mode: 'auto' | 'runc' | 'process';
  stateDir: string;
  node: string;
  imageStore: string;
  workloadEntry: string;
  /** PATH of pods run as processes. */
  path: string;
  log: Logger;
}

/** The node's pod runtime, with the name of what it is. */
export async function selectPodRuntime(
  o: PodRuntimeOptions,
): Promise<{ kind: 'runc' | 'process'; containers: NodeContainers }> {
  const processes = () =>
    createProcessContainers({ workloadEntry: o.workloadEntry, nodeBinary: process.execPath, path: o.path, log: o.log });
  if (o.mode === 'process') return { kind: 'process', containers: processes() };
  const dir = nodeRuntimeDir(o.stateDir, o.node);
  try {
    const runtime = await createContainerRuntime({ dir });
    const images = createImageStore({ dir: o.imageStore, workloadDir: dirname(dirname(o.workloadEntry)) });
    const busybox = await images.resolve('busybox');
    const probe = await runContainer(runtime, {
      id: `runtime-check-${process.pid}`,
      image: busybox,
      args: ['true'],
      env: busybox.definition.config.env,
      netnsPath: '/proc/self/ns/net',
      logPath: join(dir, 'runtime-check.log'),
    });
    const exit = await probe.exited;
    if (exit.exitCode !== 0) throw new Error(`a busybox container exited ${exit.exitCode}`);
    // Built once per machine; building now keeps the first pod of each image from waiting for it.
    for (const kind of ['workload', 'curl', 'dnsutils'] as const) {
      void images.rootfs(kind).catch((err: unknown) => o.log.warn({ err, kind }, 'image build failed'));
    }
    return {
      kind: 'runc',
      containers: createNodeContainers({ runtime, images, volumesDir: join(dir, 'volumes'), log: o.log }),
    };
  } catch (err) {
    if (o.mode === 'runc') throw err;
    o.log.warn({ err }, 'runc cannot run containers on this machine: pods run as processes');
    return { kind: 'process', containers: processes() };
  }
}
