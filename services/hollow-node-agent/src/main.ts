/**
 * hollow-node-agent: many hollow nodes in one process, as KWOK and kubemark run them.
 * Wiring only: config → stages → runtime (logger, event log, informer) → hollow nodes
 * (Node, heartbeat, Lease) → hollow pods (the shared lifecycle machines, timed by the
 * stages). No pod has a process or a network: pod IPs come from each node's pod CIDR, to
 * which every real node keeps an unreachable route (`kemu up`).
 */
import { readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { createObjectWriter, type ObjectWriter } from '@kemu/eventlog';
import { HOLLOW_NODE_IP, hollowNodeLayout, hollowStopFile, KUBELET_VERSION } from '@kemu/kubelet';
import { readConfig, runComponent } from '@kemu/runtime';
import { configFromEnv } from './config.js';
import { createHollowMachines } from './hollow-actors.js';
import { createHollowNodes } from './hollow-nodes.js';
import { createHollowPods } from './hollow-pods.js';
import { DEFAULT_STAGES, parseStages } from './hollow-stages.js';

const config = readConfig('hollow-node-agent', () => configFromEnv(process.env));
const stages = config.stagesFile ? parseStages(readFileSync(config.stagesFile, 'utf8')) : DEFAULT_STAGES;
const layout = hollowNodeLayout(config.nodePrefix, config.nodes, config.clusterCidr);

await runComponent(
  {
    component: 'hollow-node-agent',
    logLevel: config.logLevel,
    natsUrl: config.natsUrl,
    natsNkeyFile: config.natsNkeyFile,
    natsTlsCa: config.natsTlsCa,
    connectionName: 'hollow-node-agent',
    streamReplicas: config.streamReplicas,
    resources: ['pods', 'nodes', 'leases'],
  },
  async ({ log, eventLog, informer }) => {
    log.info({ nodes: layout.length, stages, kubeletVersion: KUBELET_VERSION }, 'hollow-node-agent starting');
    await informer.synced;
    const writers = new Map<string, ObjectWriter>();
    const writer = (node: string) => {
      let w = writers.get(node);
      if (!w) writers.set(node, (w = createObjectWriter(eventLog, informer, { component: 'hollow-node-agent', node })));
      return w;
    };
    const machines = createHollowMachines({ stages, random: Math.random, now: Date.now });
    const pods = createHollowPods({
      nodes: layout,
      informer,
      deps: (node) => ({
        node,
        hostIP: HOLLOW_NODE_IP,
        writer: writer(node),
        view: informer.view,
        machines,
        now: Date.now,
        paused: () => nodes.isDown(node),
        log,
      }),
      log,
    });
    const nodes = createHollowNodes({
      nodes: layout,
      facts: {
        internalIP: HOLLOW_NODE_IP,
        kernelVersion: release(),
        osImage: 'kemu hollow node',
        architecture: arch() === 'x64' ? 'amd64' : arch(),
        cpu: '2',
        memory: '4Gi',
        pods: config.pods,
        machineID: 'hollow',
        bootID: 'hollow',
        systemUUID: 'hollow',
      },
      writer,
      view: informer.view,
      heartbeatMs: config.heartbeatMs,
      stopFile: (name) => hollowStopFile(config.stateDir, name),
      onResume: (name) => pods.resync(name),
      log,
    });
    await nodes.register();
    nodes.start();
    pods.start();
    log.info({ nodes: layout.length, pods: pods.count() }, 'hollow-node-agent ready');
    return () => {
      nodes.stop();
      pods.stop();
    };
  },
);
