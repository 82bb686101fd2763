/**
 * The experiment file: one YAML document shaped like a Chaos Mesh object (kind PodChaos,
 * NodeChaos, ProcessChaos or NetworkChaos with `spec.action`, `spec.mode`/`value`,
 * `spec.selector`, `spec.duration` per fault) plus what Chaos Mesh leaves to a Schedule and
 * to a steady-state tool: `spec.schedule` (`every`, `duration`) and `spec.steadyState`
 * (probe URL, rate, success threshold). Parsing is pure; every error names its field.
 */
import { parseManifests } from '@kemu/api';
import { parseDuration } from './duration.js';
import { ExperimentInvalidError } from './errors.js';

/** The components a ProcessChaos may target. */
export const COMPONENTS = ['apiserver', 'controller', 'node-agent', 'proxy', 'dns'] as const;
/** One component name. */
export type ComponentName = (typeof COMPONENTS)[number];

/** Every action, by kind. */
export const ACTIONS = {
  PodChaos: ['pod-kill', 'container-kill'],
  NodeChaos: ['node-kill', 'partition'],
  ProcessChaos: ['component-kill', 'pause'],
  NetworkChaos: ['loss', 'latency'],
} as const;
/** An experiment kind. */
export type ExperimentKind = keyof typeof ACTIONS;
/** An action. */
export type FaultAction = (typeof ACTIONS)[ExperimentKind][number];
/** How many of the matching targets a fault hits. */
export type SelectionMode = 'one' | 'all' | 'fixed' | 'fixed-percent';

/** What a fault may hit. */
export interface TargetSelector {
  namespace: string;
  labelSelectors: Record<string, string>;
  /** Node names (`node-2`, or `hollow-7` for node-kill); empty means every node. */
  nodes: string[];
  /** Components for ProcessChaos. */
  components: ComponentName[];
}

/** The steady-state probe. */
export interface SteadyState {
  /** `http://<service>[.<ns>[.svc.cluster.local]][:port]/path` or `http://<ClusterIP>:port/path`. */
  url: string;
  /** Requests per second (open loop). */
  rate: number;
  timeoutMs: number;
  /** Percent of requests that must succeed. */
  successThreshold: number;
  /** Node of the client pod (`chaos-probe`). */
  node: string;
  /** Probe time before the first fault and after the last one. */
  warmupMs: number;
  cooldownMs: number;
  /** A fault has recovered at the first success followed by this long without a failure. */
  steadyMs: number;
}

/** A validated experiment. */
export interface Experiment {
  name: string;
  kind: ExperimentKind;
  action: FaultAction;
  mode: SelectionMode;
  /** Count for `fixed`, percent for `fixed-percent`. */
  value: number;
  selector: TargetSelector;
  /** Pod delete grace period in seconds; undefined = the pod's own. */
  gracePeriodSeconds: number | undefined;
  /** How long each timed fault (partition, pause, loss, latency) lasts. */
  faultDurationMs: number;
  /** loss: percent of packets; latency: delay in ms. */
  lossPercent: number;
  latencyMs: number;
  everyMs: number;
  durationMs: number;
  steadyState: SteadyState;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(field: string, detail: string): never {
  throw new ExperimentInvalidError(field, detail);
}

function allowOnly(o: Obj, field: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) fail(`${field}.${k}`, `unknown field (allowed: ${keys.join(', ')})`);
  }
}

function str(o: Obj, field: string, key: string, def?: string): string {
  const v = o[key];
  if (v === undefined) {
    if (def !== undefined) return def;
    fail(`${field}.${key}`, 'required');
  }
  if (typeof v !== 'string' || v === '') fail(`${field}.${key}`, 'must be a non-empty string');
  return v;
}

function num(o: Obj, field: string, key: string, def: number | undefined, min: number, max: number): number {
  const v = o[key];
  if (v === undefined) {
    if (def !== undefined) return def;
    fail(`${field}.${key}`, 'required');
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) fail(`${field}.${key}`, 'must be a number');
  if (n < min || n > max) fail(`${field}.${key}`, `must be between ${min} and ${max}`);
  return n;
}

function dur(o: Obj, field: string, key: string, def: string | undefined): number {
  const v = o[key];
  if (v === undefined && def === undefined) fail(`${field}.${key}`, 'required (a duration such as 5s)');
  const text = v === undefined ? (def as string) : v;
  const ms = typeof text === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined) fail(`${field}.${key}`, `invalid duration ${JSON.stringify(text)} (use e.g. 500ms, 5s, 1m)`);
  return ms;
}

function oneOf<T extends string>(o: Obj, field: string, key: string, allowed: readonly T[], def?: T): T {
  const v = str(o, field, key, def);
  if (!allowed.includes(v as T)) fail(`${field}.${key}`, `unsupported value "${v}" (one of: ${allowed.join(', ')})`);
  return v as T;
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s !== '')) {
    fail(field, 'must be a string or a list of strings');
  }
  return list as string[];
}

function parseSelector(v: unknown, kind: ExperimentKind): TargetSelector {
  const field = 'spec.selector';
  if (v === undefined) v = {};
  if (!isObj(v)) fail(field, 'must be a map');
  allowOnly(v, field, ['namespace', 'labelSelectors', 'nodes', 'components']);
  const labels = v.labelSelectors ?? {};
  if (!isObj(labels) || !Object.values(labels).every((x) => typeof x === 'string' || typeof x === 'number')) {
    fail(`${field}.labelSelectors`, 'must be a map of label to value');
  }
  const nodes = strings(v.nodes, `${field}.nodes`);
  for (const [i, n] of nodes.entries()) {
    if (!/^(node|hollow)-\d+$/.test(n)) fail(`${field}.nodes[${i}]`, `"${n}" is not node-N or hollow-N`);
  }
  const components = strings(v.components, `${field}.components`);
  for (const [i, c] of components.entries()) {
    if (!COMPONENTS.includes(c as ComponentName)) {
      fail(`${field}.components[${i}]`, `unknown component "${c}" (one of: ${COMPONENTS.join(', ')})`);
    }
  }
  if (kind === 'PodChaos' && Object.keys(labels).length === 0) {
    fail(`${field}.labelSelectors`, 'required for PodChaos (which pods to hit)');
  }
  if (kind === 'ProcessChaos' && components.length === 0) fail(`${field}.components`, 'required for ProcessChaos');
  return {
    namespace: v.namespace === undefined ? 'default' : str(v, field, 'namespace'),
    labelSelectors: Object.fromEntries(Object.entries(labels).map(([k, x]) => [k, String(x)])),
    nodes,
    components: components as ComponentName[],
  };
}

function parseSteadyState(v: unknown): SteadyState {
  const field = 'spec.steadyState';
  if (!isObj(v)) fail(field, 'required: a map with url, rate and successThreshold');
  allowOnly(v, field, ['url', 'rate', 'timeout', 'successThreshold', 'node', 'warmup', 'cooldown', 'steadyFor']);
  const url = str(v, field, 'url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail(`${field}.url`, `"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:') fail(`${field}.url`, 'only http:// URLs are probed');
  const node = str(v, field, 'node', 'node-1');
  if (!/^node-\d+$/.test(node)) fail(`${field}.node`, `"${node}" is not node-N`);
  return {
    url,
    rate: num(v, field, 'rate', undefined, 1, 1000),
    timeoutMs: dur(v, field, 'timeout', '2s'),
    successThreshold: num(v, field, 'successThreshold', undefined, 0, 100),
    node,
    warmupMs: dur(v, field, 'warmup', '2s'),
    cooldownMs: dur(v, field, 'cooldown', '5s'),
    steadyMs: dur(v, field, 'steadyFor', '2s'),
  };
}

/** Parses and validates an experiment document; throws ExperimentInvalidError naming the field. */
export function parseExperiment(text: string): Experiment {
  let docs: unknown[];
  try {
    docs = parseManifests(text);
  } catch (err) {
    fail('(file)', `not an experiment document: ${(err as Error).message.split('\n')[0]}`);
  }
  if (docs.length !== 1) fail('(file)', `must hold exactly one document, found ${docs.length}`);
  const doc = docs[0];
  if (!isObj(doc)) fail('(file)', 'must be a YAML map');
  allowOnly(doc, '(file)', ['apiVersion', 'kind', 'metadata', 'spec']);
  if (doc.apiVersion !== 'chaos.kemu.dev/v1alpha1') fail('apiVersion', 'must be chaos.kemu.dev/v1alpha1');
  const kind = oneOf(doc, '(file)', 'kind', Object.keys(ACTIONS) as ExperimentKind[]);
  const meta = doc.metadata;
  if (!isObj(meta)) fail('metadata', 'required: a map with name');
  const name = str(meta, 'metadata', 'name');
  const spec = doc.spec;
  if (!isObj(spec)) fail('spec', 'required');
  allowOnly(spec, 'spec', [
    'action',
    'mode',
    'value',
    'selector',
    'gracePeriod',
    'duration',
    'loss',
    'latency',
    'schedule',
    'steadyState',
  ]);
  const action = oneOf(spec, 'spec', 'action', ACTIONS[kind] as readonly FaultAction[]);
  const mode = oneOf<SelectionMode>(spec, 'spec', 'mode', ['one', 'all', 'fixed', 'fixed-percent'], 'one');
  const value =
    mode === 'fixed'
      ? num(spec, 'spec', 'value', undefined, 1, 1000)
      : mode === 'fixed-percent'
        ? num(spec, 'spec', 'value', undefined, 1, 100)
        : 1;
  if (spec.gracePeriod !== undefined && action !== 'pod-kill') fail('spec.gracePeriod', 'only for action pod-kill');
  const timed = ['partition', 'pause', 'loss', 'latency'].includes(action);
  if (spec.duration !== undefined && !timed) fail('spec.duration', `not used by ${action} (a kill is instantaneous)`);
  const schedule = spec.schedule;
  if (!isObj(schedule)) fail('spec.schedule', 'required: a map with every and duration');
  allowOnly(schedule, 'spec.schedule', ['every', 'duration']);
  const everyMs = dur(schedule, 'spec.schedule', 'every', undefined);
  const durationMs = dur(schedule, 'spec.schedule', 'duration', undefined);
  if (everyMs <= 0) fail('spec.schedule.every', 'must be positive');
  if (durationMs <= 0) fail('spec.schedule.duration', 'must be positive');
  const faultDurationMs = timed ? dur(spec, 'spec', 'duration', undefined) : 0;
  if (timed && faultDurationMs > everyMs) {
    fail('spec.duration', `a fault (${spec.duration}) must not outlast the schedule interval (${schedule.every})`);
  }
  if (action === 'loss' && spec.loss === undefined) fail('spec.loss', 'required for action loss (percent, e.g. 10)');
  if (action === 'latency' && spec.latency === undefined)
    fail('spec.latency', 'required for action latency (e.g. 100ms)');
  return {
    name,
    kind,
    action,
    mode,
    value,
    selector: parseSelector(spec.selector, kind),
    gracePeriodSeconds: spec.gracePeriod === undefined ? undefined : num(spec, 'spec', 'gracePeriod', 0, 0, 3600),
    faultDurationMs,
    lossPercent: action === 'loss' ? num(spec, 'spec', 'loss', undefined, 0.1, 100) : 0,
    latencyMs: action === 'latency' ? dur(spec, 'spec', 'latency', undefined) : 0,
    everyMs,
    durationMs,
    steadyState: parseSteadyState(spec.steadyState),
  };
}
