/**
 * The kubelet's resource metrics endpoint (`/metrics/resource`), the feed metrics-server
 * reads: cumulative CPU seconds and working-set bytes of the node, each pod and each
 * container, in the Prometheus text format with a timestamp on every sample (the time
 * it was measured, from which a reader turns two CPU samples into a rate). Written here
 * by hand, not with prom-client, because prom-client does not write sample timestamps;
 * the node-agent renders it, the apiserver parses it.
 */

/** One container's cumulative usage. */
export interface ContainerUsage {
  namespace: string;
  pod: string;
  container: string;
  /** CPU time used since the container started, in core-seconds. */
  cpuSeconds: number;
  /** Working set: memory in use minus inactive file cache, in bytes. */
  memoryBytes: number;
  /** When the container started, in seconds since the epoch. */
  startTime?: number;
}

/** A node's usage measured at one moment. */
export interface ResourceUsage {
  /** When it was measured (ms since the epoch). */
  timestampMs: number;
  node: { cpuSeconds: number; memoryBytes: number };
  containers: ContainerUsage[];
}

const HELP: Record<string, [string, string]> = {
  container_cpu_usage_seconds_total: ['counter', 'Cumulative cpu time consumed by the container in core-seconds'],
  container_memory_working_set_bytes: ['gauge', 'Current working set of the container in bytes'],
  container_start_time_seconds: ['gauge', 'Start time of the container since unix epoch in seconds'],
  node_cpu_usage_seconds_total: ['counter', 'Cumulative cpu time consumed by the node in core-seconds'],
  node_memory_working_set_bytes: ['gauge', 'Current working set of the node in bytes'],
  pod_cpu_usage_seconds_total: ['counter', 'Cumulative cpu time consumed by the pod in core-seconds'],
  pod_memory_working_set_bytes: ['gauge', 'Current working set of the pod in bytes'],
  scrape_error: ['gauge', '1 if there was an error while getting container metrics, 0 otherwise'],
};

const escapeLabel = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

/** Renders a measurement as the kubelet's `/metrics/resource` reply. */
export function renderResourceMetrics(usage: ResourceUsage, scrapeError = false): string {
  const ts = Math.round(usage.timestampMs);
  const samples = new Map<string, string[]>(Object.keys(HELP).map((name) => [name, []]));
  const add = (name: string, labels: Record<string, string>, value: number, stamped = true) =>
    samples.get(name)?.push(`${name}${labelText(labels)} ${value}${stamped ? ` ${ts}` : ''}`);
  const pods = new Map<string, { namespace: string; pod: string; cpu: number; memory: number }>();
  for (const c of usage.containers) {
    const labels = { container: c.container, namespace: c.namespace, pod: c.pod };
    add('container_cpu_usage_seconds_total', labels, c.cpuSeconds);
    add('container_memory_working_set_bytes', labels, c.memoryBytes);
    if (c.startTime !== undefined) add('container_start_time_seconds', labels, c.startTime);
    const key = `${c.namespace}/${c.pod}`;
    const p = pods.get(key) ?? { namespace: c.namespace, pod: c.pod, cpu: 0, memory: 0 };
    p.cpu += c.cpuSeconds;
    p.memory += c.memoryBytes;
    pods.set(key, p);
  }
  add('node_cpu_usage_seconds_total', {}, usage.node.cpuSeconds);
  add('node_memory_working_set_bytes', {}, usage.node.memoryBytes);
  for (const p of pods.values()) {
    add('pod_cpu_usage_seconds_total', { namespace: p.namespace, pod: p.pod }, p.cpu);
    add('pod_memory_working_set_bytes', { namespace: p.namespace, pod: p.pod }, p.memory);
  }
  add('scrape_error', {}, scrapeError ? 1 : 0, false);
  const lines: string[] = [];
  for (const [name, [type, help]] of Object.entries(HELP)) {
    lines.push(`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`, ...(samples.get(name) ?? []));
  }
  return `${lines.join('\n')}\n`;
}

/** One sample of the text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the samples of a Prometheus text exposition (comments skipped; malformed lines ignored). */
export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line.trim());
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    out.push({ name: m[1] as string, labels, value, timestampMs: m[4] === undefined ? undefined : Number(m[4]) });
  }
  return out;
}

/** Reads a `/metrics/resource` reply back into a measurement; `fallbackMs` stamps samples without a timestamp. */
export function parseResourceMetrics(text: string, fallbackMs: number): ResourceUsage {
  const usage: ResourceUsage = { timestampMs: fallbackMs, node: { cpuSeconds: 0, memoryBytes: 0 }, containers: [] };
  const containers = new Map<string, ContainerUsage>();
  const container = (l: Record<string, string>) => {
    const key = `${l.namespace}/${l.pod}/${l.container}`;
    let c = containers.get(key);
    if (!c) {
      c = {
        namespace: l.namespace ?? '',
        pod: l.pod ?? '',
        container: l.container ?? '',
        cpuSeconds: 0,
        memoryBytes: 0,
      };
      containers.set(key, c);
    }
    return c;
  };
  for (const s of parseSamples(text)) {
    if (s.name === 'node_cpu_usage_seconds_total') {
      usage.node.cpuSeconds = s.value;
      usage.timestampMs = s.timestampMs ?? fallbackMs;
    } else if (s.name === 'node_memory_working_set_bytes') usage.node.memoryBytes = s.value;
    else if (s.name === 'container_cpu_usage_seconds_total') container(s.labels).cpuSeconds = s.value;
    else if (s.name === 'container_memory_working_set_bytes') container(s.labels).memoryBytes = s.value;
    else if (s.name === 'container_start_time_seconds') container(s.labels).startTime = s.value;
  }
  usage.containers = [...containers.values()];
  return usage;
}
