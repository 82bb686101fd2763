/**
 * node-agent (the kubelet of one node), running inside its node netns. Wiring only:
 * config → runtime (logger, event log, informer) → node registration + heartbeat → pod
 * bridge and routes → container runtime and images → pod manager → node endpoints (with
 * /metrics and /metrics/resource); the runtime stops it on SIGTERM/SIGINT. Containers
 * are left running on exit and adopted next time.
 */
import {
  createObjectWriter,
  createPodStatusWriter,
  createSecretCipher,
  listObjects,
  loadOrCreateEncryptionKey,
} from '@kemu/eventlog';
import { createEventRecorder } from '@kemu/event-recorder';
import { ensurePodBridge, podBridgeMac } from '@kemu/netns';
import { type Pod, formatCidr } from '@kemu/api';
import { readConfig, runComponent } from '@kemu/runtime';
import { mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeRuntimeDir } from '@kemu/containers';
import { configFromEnv } from './config.js';
import { selectPodRuntime } from './runtime/pod-runtime.js';
import { containerLaunch } from './runtime/container-launch.js';
import { readNodeFacts } from './registration/node-facts.js';
import { createNodeLease } from './registration/node-lease.js';
import { createNodeRegistration } from './registration/node-registration.js';
import { createOrphanSweep } from './pods/orphan-sweep.js';
import { waitForPodCidr } from './registration/pod-cidr-wait.js';
import { createPodRoutes } from './network/pod-routes.js';
import { readProcEnviron } from './runtime/process-runner.js';
import { podCgroupScope, removePodCgroups } from './runtime/pod-cgroups.js';
import { createPodManager } from './pods/pod-manager.js';
import { createServiceAccountVolumes, serviceAccountBinds } from './volumes/service-account-volume.js';
import { gatewayOf, parsePodCidr } from './pods/pod-ip-allocator.js';
import { createPodSandbox } from './pods/pod-sandbox.js';
import { startPodStreams } from './streams/pod-streams.js';
import { startNodeEndpoints } from './registration/node-endpoints.js';
import { registerKubeletMetrics } from './metrics/kubelet-metrics.js';
import { metricsPaths } from './metrics/resource-usage.js';
import { serviceEnvVars } from './runtime/service-env.js';
import { followConfigVolumes, viewConfigSources } from './volumes/config-volume-sync.js';
import { configMounts, removePodVolumes, syncConfigVolumes } from './volumes/config-volumes.js';

const here = dirname(fileURLToPath(import.meta.url));
const config = readConfig('node-agent', () => configFromEnv(process.env, here));
const { node, nodeIP, cluster, stateDir, workloadEntry } = config;

await runComponent(
  {
    component: 'node-agent',
    node,
    logLevel: config.logLevel,
    natsUrl: config.natsUrl,
    natsNkeyFile: config.natsNkeyFile,
    natsTlsCa: config.natsTlsCa,
    connectionName: `node-agent-${node}`,
    streamReplicas: config.streamReplicas,
    resources: ['pods', 'nodes', 'services', 'configmaps', 'secrets'],
    objects: [{ resource: 'leases', namespace: 'kube-node-lease', name: node }],
    // Every pod's spec (bindings arrive on object subjects), but only its own pods' status.
    ownPodsOf: node,
    ...(config.encryptionKeyFile
      ? { cipher: createSecretCipher(loadOrCreateEncryptionKey(config.encryptionKeyFile)) }
      : {}),
  },
  async ({ log, eventLog, informer, metrics }) => {
    log.info(
      { cluster, podCIDR: config.podCIDR && formatCidr(config.podCIDR), nodeIP, workloadEntry, stateDir },
      'node-agent starting',
    );
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

    await informer.synced;
    const stopKubeletMetrics = registerKubeletMetrics(metrics, informer, node);
    // Its Events go on its own node's subjects, as its pods' status (its credential allows no other).
    const writer = createObjectWriter(eventLog, informer, { component: 'node-agent', node }, { eventsOnNode: node });
    const statusWriter = createPodStatusWriter(eventLog, informer, { component: 'node-agent', node });
    const events = createEventRecorder({ writer, source: { component: 'kubelet', host: node }, log });

    const resources = { cpu: config.cpu, memory: config.memory, pods: config.pods };
    const facts = await readNodeFacts({
      cluster,
      name: node,
      internalIP: nodeIP,
      podCIDR: config.podCIDR && formatCidr(config.podCIDR),
      resources,
    });
    const heartbeatMs = config.heartbeatMs;
    const registration = createNodeRegistration({ writer, view: informer.view, facts, heartbeatMs, log });
    await registration.register();
    // The kubelet refers to its Node by name, uid included (kubectl describe node looks for both).
    void events.event(
      { kind: 'Node', name: node, uid: node, apiVersion: 'v1' },
      'Normal',
      'Starting',
      'Starting kubelet.',
    );
    registration.start();
    const podCIDR = config.podCIDR ? formatCidr(config.podCIDR) : await waitForPodCidr(informer, node, log);
    const cidr = parsePodCidr(podCIDR);
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

    const podSandbox = createPodSandbox({
      cluster,
      bridge: 'cbr0',
      gateway: gatewayOf(cidr),
      prefixLength: cidr.prefixLength,
      clusterDNS: config.clusterDNS,
      clusterDomain: config.clusterDomain,
      etcNetnsDir: config.etcNetnsDir,
    });
    const configSources = viewConfigSources(informer);
    // The node-agent's own directory, as the kubelet's /var/lib/kubelet: pod volumes live below it.
    const kubeletRoot = join(stateDir, 'kubelet', node);
    mkdirSync(kubeletRoot, { recursive: true, mode: 0o700 });
    followConfigVolumes({ informer, node, root: kubeletRoot, sources: configSources, log });
    const { kind: podRuntime, containers } = await selectPodRuntime({
      mode: config.podRuntime,
      stateDir,
      node,
      imageStore: config.imageStore,
      workloadEntry,
      path: config.path,
      log,
    });
    log.info({ podRuntime }, 'pod runtime ready');
    // A pod's sandbox goes with its pause container and volumes.
    const sandbox = {
      ...podSandbox,
      delete: async (uid: string) => {
        await podSandbox.delete(uid);
        await containers.removePod(uid);
      },
    };
    const volumesDir = join(nodeRuntimeDir(stateDir, node), 'volumes');
    const streams = startPodStreams({
      bus: eventLog.nc,
      node,
      view: informer.view,
      stateDir,
      // The container's mount namespace too, so exec sees its ConfigMap and Secret volumes.
      enterPod: (uid, pid) => [
        'nsenter',
        '--uts',
        '--mount',
        `--target=${pid}`,
        '--',
        'ip',
        'netns',
        'exec',
        sandbox.netnsName(uid),
      ],
      enterPodNetwork: (uid) => ['ip', 'netns', 'exec', sandbox.netnsName(uid)],
      nodeAddresses: () => [nodeIP],
      enterContainer: (pid, tty) => containers.enter(pid, { tty }),
      containerRootfs: (pid) => containers.rootfs(pid),
      readEnviron: readProcEnviron,
      log,
    });
    const serviceAccountVolumes = createServiceAccountVolumes({ node, stateDir, bus: eventLog.nc, log });
    const sweepSandboxes = createOrphanSweep({ cluster, sandbox, log });
    const manager = createPodManager({
      node,
      podCidr: cidr,
      informer,
      statusWriter,
      sandbox,
      readEnviron: readProcEnviron,
      sweepOrphans: async (live) => {
        await containers.sweep(live);
        await sweepSandboxes(live);
      },
      removeCgroups: (gone) => removePodCgroups(cluster, gone),
      removeVolumes: (gone) => removePodVolumes(kubeletRoot, gone),
      log,
      workerDeps: {
        node,
        hostIP: nodeIP,
        statusWriter,
        view: informer.view,
        sandbox,
        log,
        events,
        cgroupScope: podCgroupScope(cluster),
        volumes: serviceAccountVolumes,
        containers,
        launch: (pod: Pod, containerName: string, podIP: string) =>
          streams.withStdin(
            pod,
            containerName,
            containerLaunch({
              config: configSources,
              binds: [
                ...configMounts(pod, containerName, syncConfigVolumes(pod, kubeletRoot, configSources)),
                ...serviceAccountBinds(pod, serviceAccountVolumes),
              ],
              pod,
              container: pod.spec.containers.find((c) => c.name === containerName) ?? pod.spec.containers[0]!,
              podIP,
              hostIP: nodeIP,
              node,
              netnsPath: `/var/run/netns/${sandbox.netnsName(pod.metadata.uid ?? '')}`,
              files: {
                ...sandbox.etcFiles(pod),
                volumesDir: join(volumesDir, pod.metadata.uid ?? ''),
              },
              serviceEnv: serviceEnvVars(listObjects(informer.view, 'services'), pod.metadata.namespace ?? 'default'),
            }),
          ),
        logPath: (pod: Pod, containerName: string) => streams.startLog(pod, containerName),
      },
    });
    await manager.start();
    const ownPods = () => listObjects(informer.view, 'pods').filter((p) => p.spec.nodeName === node);
    const endpoints = await startNodeEndpoints({
      view: informer.view,
      node,
      address: nodeIP,
      paths: metricsPaths(metrics, ownPods),
      log,
    }).catch((err: unknown) => {
      log.warn({ err }, 'node endpoints not served');
      return undefined;
    });
    log.info(
      { version: JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')).version },
      'node-agent ready',
    );

    return () => {
      log.info('node-agent stopping; pod processes keep running');
      registration.stop();
      podRoutes.stop();
      lease.stop();
      streams.stop();
      endpoints?.close();
      stopKubeletMetrics();
      manager.stop();
      serviceAccountVolumes.stop();
    };
  },
);
