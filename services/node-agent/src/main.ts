/**
 * node-agent (the kubelet of one node), running inside its node netns. Wiring only:
 * env → logger → event log → informer → node registration + heartbeat → pod manager
 * → run until SIGTERM. Pod processes are left running on exit and adopted next time.
 */
import { connectEventLog, createEventRecorder, createObjectWriter, listObjects, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { ensurePodBridge, podBridgeMac } from '@kemu/netns';
import { isQuantity, type Pod } from '@kemu/api';
import { readFileSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerLaunch } from './container-launch.js';
import { readNodeFacts } from './node-facts.js';
import { createNodeLease } from './node-lease.js';
import { createNodeRegistration } from './node-registration.js';
import { createOrphanSweep } from './orphan-sweep.js';
import { waitForPodCidr } from './pod-cidr-wait.js';
import { createPodRoutes } from './pod-routes.js';
import { readProcEnviron } from './process-runner.js';
import { podCgroupScope, removePodCgroups } from './pod-cgroups.js';
import { createPodManager } from './pod-manager.js';
import { gatewayOf, intToIp, parseCidr } from './pod-ip-allocator.js';
import { createPodSandbox } from './pod-sandbox.js';
import { startPodStreams } from './pod-streams.js';
import { serviceEnvVars } from './service-env.js';

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`node-agent: ${name} is required\n`);
    process.exit(2);
  }
  return v;
}

const env = process.env;
const node = required('KEMU_NODE');
const natsUrl = required('KEMU_NATS_URL');
const nodeIP = required('KEMU_NODE_IP');
// Unset on a node that joins later: the controller's node IPAM assigns one.
const configuredPodCIDR = env.KEMU_POD_CIDR || undefined;
const cluster = env.KEMU_CLUSTER || 'local';
const stateDir = resolve(env.KEMU_STATE_DIR || join('.kemu', cluster));
const here = dirname(fileURLToPath(import.meta.url));
const workloadEntry = resolve(env.KEMU_WORKLOAD_ENTRY || join(here, '..', '..', 'pod-workload', 'dist', 'main.js'));
const heartbeatMs = Number(env.KEMU_NODE_HEARTBEAT_SECONDS || 10) * 1000;
const serviceCidr = parseCidr(env.KEMU_SERVICE_CIDR || '10.96.0.0/12');
const clusterDNS = env.KEMU_CLUSTER_DNS || intToIp(serviceCidr.network + 10);
const clusterDomain = env.KEMU_CLUSTER_DOMAIN || 'cluster.local';

const log = createLogger({ component: 'node-agent', node });
log.info({ cluster, podCIDR: configuredPodCIDR, nodeIP, workloadEntry, stateDir }, 'node-agent starting');
try {
  const ownMnt = readlinkSync('/proc/self/ns/mnt');
  if (ownMnt !== readlinkSync(`/proc/${process.ppid}/ns/mnt`)) {
    log.warn(
      { ownMnt },
      'running in a private mount namespace: pod netns will be invisible outside this process; start with nsenter --net=/run/netns/<node>',
    );
  }
} catch {
  // Not readable here; nothing to check.
}

const eventLog = await connectEventLog({ servers: natsUrl, name: `node-agent-${node}`, log });
const informer = await startInformer(eventLog, { resources: ['pods', 'nodes', 'services', 'leases'], log });
await informer.synced;
const writer = createObjectWriter(eventLog, informer, { component: 'node-agent', node });

const events = createEventRecorder({ writer, source: { component: 'kubelet', host: node }, log });

const resources = {
  cpu: env.KEMU_NODE_CPU || undefined,
  memory: env.KEMU_NODE_MEMORY || undefined,
  pods: env.KEMU_NODE_PODS || undefined,
};
for (const [name, q] of Object.entries(resources))
  if (q !== undefined && !isQuantity(q)) throw new Error(`KEMU_NODE_${name.toUpperCase()} is not a quantity: ${q}`);
const facts = await readNodeFacts({ cluster, name: node, internalIP: nodeIP, podCIDR: configuredPodCIDR, resources });
const registration = createNodeRegistration({ writer, view: informer.view, facts, heartbeatMs, log });
await registration.register();
// The kubelet refers to its Node by name, uid included (kubectl describe node looks for both).
void events.event({ kind: 'Node', name: node, uid: node, apiVersion: 'v1' }, 'Normal', 'Starting', 'Starting kubelet.');
registration.start();
const podCIDR = configuredPodCIDR ?? (await waitForPodCidr(informer, node, log));
const cidr = parseCidr(podCIDR);
await ensurePodBridge({
  netns: undefined,
  bridge: 'cbr0',
  gatewayAddress: `${gatewayOf(cidr)}/${cidr.prefixLength}`,
  mac: podBridgeMac(podCIDR),
});
log.info({ podCIDR }, 'pod bridge ready');
const podRoutes = createPodRoutes({
  self: node,
  ownCidr: () => podCIDR,
  listNodes: () => listObjects(informer.view, 'nodes'),
  onNodesChange: (handler) => informer.on('nodes', { onAdd: handler, onUpdate: handler, onDelete: handler }),
  log,
});
podRoutes.start();
const lease = createNodeLease({ writer, view: informer.view, node, renewMs: heartbeatMs, log });
await lease.renew().catch((err: unknown) => log.warn({ err }, 'node lease not created'));
lease.start();

const sandbox = createPodSandbox({
  cluster,
  bridge: 'cbr0',
  gateway: gatewayOf(cidr),
  prefixLength: cidr.prefixLength,
  clusterDNS,
  clusterDomain,
  etcNetnsDir: env.KEMU_ETC_NETNS_DIR || '/etc/netns',
});
const baseEnv = { PATH: env.PATH || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
const streams = startPodStreams({
  bus: eventLog.nc,
  node,
  view: informer.view,
  stateDir,
  enterPod: (uid, pid) => ['nsenter', '--uts', `--target=${pid}`, '--', 'ip', 'netns', 'exec', sandbox.netnsName(uid)],
  readEnviron: readProcEnviron,
  log,
});
const manager = createPodManager({
  node,
  podCidr: cidr,
  informer,
  writer,
  sandbox,
  readEnviron: readProcEnviron,
  sweepOrphans: createOrphanSweep({ cluster, sandbox, log }),
  removeCgroups: (gone) => removePodCgroups(cluster, gone),
  log,
  workerDeps: {
    node,
    hostIP: nodeIP,
    writer,
    view: informer.view,
    sandbox,
    log,
    events,
    cgroupScope: podCgroupScope(cluster),
    launch: (pod: Pod, containerName: string, podIP: string) =>
      streams.withStdin(
        pod,
        containerName,
        containerLaunch({
          pod,
          container: pod.spec.containers.find((c) => c.name === containerName) ?? pod.spec.containers[0]!,
          podIP,
          hostIP: nodeIP,
          node,
          podNetns: sandbox.netnsName(pod.metadata.uid ?? ''),
          workloadEntry,
          nodeBinary: process.execPath,
          serviceEnv: serviceEnvVars(listObjects(informer.view, 'services'), pod.metadata.namespace ?? 'default'),
          baseEnv,
        }),
      ),
    logPath: (pod: Pod, containerName: string) => streams.startLog(pod, containerName),
  },
});
await manager.start();
log.info({ version: JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')).version }, 'node-agent ready');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'node-agent stopping; pod processes keep running');
  registration.stop();
  podRoutes.stop();
  lease.stop();
  streams.stop();
  manager.stop();
  await informer.stop().catch(() => undefined);
  await eventLog.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
