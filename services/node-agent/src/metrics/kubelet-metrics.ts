/**
 * The kubelet's own metrics on the node-agent's /metrics: how long pods take to start
 * (kubelet_pod_start_duration_seconds: from the node-agent first seeing a pod bound to its
 * node to the pod running, observed once per pod, for pods it saw arrive live) and how
 * many pods and containers run (kubelet_running_pods, kubelet_running_containers).
 */
import type { Pod } from '@kemu/api';
import type { Informer } from '@kemu/eventlog';
import { Gauge, Histogram, type MetricsRegistry } from '@kemu/metrics';

/** The kubelet's pod start buckets (0.5 s … 3600 s) with finer ones below for a local node. */
const START_BUCKETS = [
  0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700,
  3600,
];

/** Registers the kubelet metrics for `node`; returns the remover of its informer handlers. */
export function registerKubeletMetrics(
  registry: MetricsRegistry,
  informer: Informer,
  node: string,
  now = Date.now,
): () => void {
  const registers = [registry];
  const startDuration = new Histogram({
    name: 'kubelet_pod_start_duration_seconds',
    help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
    buckets: START_BUCKETS,
    registers,
  });
  const mine = () =>
    informer
      .lister('pods')
      .list()
      .filter((p) => p.spec.nodeName === node);
  new Gauge({
    name: 'kubelet_running_pods',
    help: 'Number of pods that have a running pod sandbox',
    registers,
    collect() {
      this.set(mine().filter((p) => p.status?.phase === 'Running').length);
    },
  });
  new Gauge({
    name: 'kubelet_running_containers',
    help: 'Number of containers currently running',
    labelNames: ['container_state'],
    registers,
    collect() {
      const running = mine()
        .flatMap((p) => p.status?.containerStatuses ?? [])
        .filter((s) => s.state?.running);
      this.set({ container_state: 'running' }, running.length);
    },
  });
  // First-seen time (ms) of this node's pods by uid; NaN once observed (or never to be).
  const firstSeen = new Map<string, number>();
  const onPod = (pod: Pod) => {
    const uid = pod.metadata.uid ?? '';
    if (pod.spec.nodeName !== node || !informer.isSynced()) return;
    const seen = firstSeen.get(uid);
    const phase = pod.status?.phase;
    if (seen === undefined) {
      // A pod first seen running or done was started by an earlier node-agent: not timed.
      firstSeen.set(uid, phase === 'Pending' || phase === undefined ? now() : Number.NaN);
    } else if (!Number.isNaN(seen) && phase === 'Running') {
      startDuration.observe((now() - seen) / 1000);
      firstSeen.set(uid, Number.NaN);
    }
  };
  return informer.on('pods', {
    onAdd: onPod,
    onUpdate: (_old, pod) => onPod(pod),
    onDelete: (pod) => void firstSeen.delete(pod.metadata.uid ?? ''),
  });
}
