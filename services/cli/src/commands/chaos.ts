/**
 * `kemu chaos`, the front end of @kemu/chaos: `run FILE` runs an experiment and prints its
 * report (exit 1 when the success threshold is missed); `recover` undoes what a killed
 * runner left (from the undo journal); `kill-pod`, `kill-container`, `kill-component`,
 * `kill-node`, `partition`, `pause`, `loss` and `latency` are one-off faults, recorded on
 * the event log as a run's faults are. SIGINT/SIGTERM end every fault before the command
 * exits. A ChaosError ends the command as a CliError with its code and exit code.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { boolFlag, boolFlagSpec, type ParsedArgs, stringFlag, valueFlagSpec } from '../args.js';
import {
  COMPONENTS,
  ChaosError,
  type ComponentName,
  type Experiment,
  type FaultAction,
  formatReport,
  openUndoJournal,
  parseDuration,
  parseExperiment,
  performUndo,
  runExperiment,
  runOneOff,
} from '@kemu/chaos';
import type { Command, CommandIO } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { openChaosCluster } from '../client/open-chaos-cluster.js';

const SUBCOMMANDS = [
  'run',
  'recover',
  'kill-pod',
  'kill-container',
  'kill-component',
  'kill-node',
  'partition',
  'pause',
  'loss',
  'latency',
];

/** Runs `body` with an AbortSignal that SIGINT/SIGTERM trigger. */
async function withInterrupts<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runRun(io: CommandIO): Promise<number> {
  const file = io.args.positionals[1];
  if (!file) throw new UsageError('an experiment file is required: kemu chaos run FILE.yaml');
  const output = stringFlag(io.args, 'output');
  if (output !== undefined && output !== 'json') throw new UsageError(`unknown output format "${output}" (use json)`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError('NotFound', `cannot read ${file}: ${(err as Error).message}`);
  }
  const experiment = parseExperiment(text);
  const cluster = await openChaosCluster(io.ctx);
  const report = await withInterrupts((signal) =>
    runExperiment({ cluster, experiment, signal, progress: (l) => io.stderr.write(`chaos: ${l}\n`) }),
  );
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const reportFile = stringFlag(io.args, 'report');
  if (reportFile) await writeFile(reportFile, json);
  io.stdout.write(output === 'json' ? json : formatReport(report));
  if (report.interrupted) return 130;
  return report.verdict === 'Pass' ? 0 : 1;
}

async function runRecover(io: CommandIO): Promise<number> {
  const journal = openUndoJournal(io.ctx.paths.stateDir);
  const entries = await journal.list();
  if (entries.length === 0) io.stdout.write('nothing to recover\n');
  for (const e of entries) {
    const did = await performUndo(e.step);
    await journal.remove(e.id);
    io.stdout.write(`${e.target} (since ${e.since}): ${did}\n`);
  }
  return 0;
}

function labelsOf(args: ParsedArgs): Record<string, string> {
  const text = stringFlag(args, 'selector');
  if (!text) throw new UsageError('a label selector is required: -l key=value[,key=value]');
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const m = part.trim().match(/^([A-Za-z0-9._/-]+)==?([A-Za-z0-9._-]*)$/);
    if (!m) throw new UsageError(`unsupported selector "${part}": use key=value`);
    out[m[1] as string] = m[2] as string;
  }
  return out;
}

function nodeOf(args: ParsedArgs): string[] {
  const n = stringFlag(args, 'node');
  if (n === undefined) return [];
  const name = /^\d+$/.test(n) ? `node-${n}` : n;
  if (!/^(node|hollow)-\d+$/.test(name)) throw new UsageError(`invalid --node "${n}": use N, node-N or hollow-N`);
  return [name];
}

function forOf(args: ParsedArgs): number {
  const text = stringFlag(args, 'for');
  if (!text) throw new UsageError('--for DURATION is required (e.g. --for 20s)');
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`invalid --for "${text}": use e.g. 10s`);
  return ms;
}

/** An experiment of one fault, without a probe, for the one-off commands. */
function oneOff(action: FaultAction, kind: Experiment['kind'], fields: Partial<Experiment>): Experiment {
  return {
    name: `one-off-${action}`,
    kind,
    action,
    mode: 'one',
    value: 1,
    selector: { namespace: 'default', labelSelectors: {}, nodes: [], components: [] },
    gracePeriodSeconds: undefined,
    faultDurationMs: 0,
    lossPercent: 0,
    latencyMs: 0,
    everyMs: 1,
    durationMs: 1,
    steadyState: {
      url: 'http://none/',
      rate: 1,
      timeoutMs: 1,
      successThreshold: 0,
      node: 'node-1',
      warmupMs: 0,
      cooldownMs: 0,
      steadyMs: 0,
    },
    ...fields,
  };
}

function oneOffExperiment(io: CommandIO, sub: string): Experiment {
  const { args } = io;
  const namespace = stringFlag(args, 'namespace') ?? 'default';
  const mode = boolFlag(args, 'all') ? 'all' : 'one';
  switch (sub) {
    case 'kill-pod': {
      const grace = stringFlag(args, 'grace');
      if (grace !== undefined && !/^\d+$/.test(grace)) throw new UsageError(`invalid --grace "${grace}"`);
      return oneOff('pod-kill', 'PodChaos', {
        mode,
        gracePeriodSeconds: grace === undefined ? undefined : Number(grace),
        selector: { namespace, labelSelectors: labelsOf(args), nodes: nodeOf(args), components: [] },
      });
    }
    case 'kill-container':
      return oneOff('container-kill', 'PodChaos', {
        mode,
        selector: { namespace, labelSelectors: labelsOf(args), nodes: nodeOf(args), components: [] },
      });
    case 'kill-component':
    case 'pause': {
      const component = sub === 'pause' ? stringFlag(args, 'component') : io.args.positionals[1];
      if (!component || !COMPONENTS.includes(component as ComponentName)) {
        throw new UsageError(`a component is required: one of ${COMPONENTS.join(', ')}`);
      }
      return oneOff(sub === 'pause' ? 'pause' : 'component-kill', 'ProcessChaos', {
        mode,
        faultDurationMs: sub === 'pause' ? forOf(args) : 0,
        selector: { namespace, labelSelectors: {}, nodes: nodeOf(args), components: [component as ComponentName] },
      });
    }
    case 'kill-node': {
      // A real node's processes are SIGKILLed (the fault ends at their restart); a hollow node stays down --for.
      const nodes = nodeOf(args);
      if (nodes.length === 0) throw new UsageError('--node N is required');
      const hollow = nodes[0]?.startsWith('hollow-') === true;
      return oneOff('node-kill', 'NodeChaos', {
        faultDurationMs: hollow ? forOf(args) : 0,
        selector: { namespace, labelSelectors: {}, nodes, components: [] },
      });
    }
    case 'loss':
    case 'latency': {
      const nodes = nodeOf(args);
      if (nodes.length === 0) throw new UsageError('--node N is required');
      const fields = {
        faultDurationMs: forOf(args),
        selector: { namespace, labelSelectors: {}, nodes, components: [] },
      };
      if (sub === 'loss') {
        const text = stringFlag(args, 'percent');
        const percent = text === undefined ? Number.NaN : Number(text);
        if (!(percent >= 0.1 && percent <= 100)) throw new UsageError('--percent P is required (0.1 to 100)');
        return oneOff('loss', 'NetworkChaos', { ...fields, lossPercent: percent });
      }
      const text = stringFlag(args, 'delay');
      const ms = text === undefined ? undefined : parseDuration(text);
      if (ms === undefined || ms <= 0) throw new UsageError('--delay DURATION is required (e.g. --delay 100ms)');
      return oneOff('latency', 'NetworkChaos', { ...fields, latencyMs: ms });
    }
    default: {
      const nodes = nodeOf(args);
      if (nodes.length === 0) throw new UsageError('--node N is required');
      return oneOff('partition', 'NodeChaos', {
        faultDurationMs: forOf(args),
        selector: { namespace, labelSelectors: {}, nodes, components: [] },
      });
    }
  }
}

async function runOneOffCommand(io: CommandIO, sub: string): Promise<number> {
  const experiment = oneOffExperiment(io, sub);
  const cluster = await openChaosCluster(io.ctx);
  return withInterrupts(async (signal) => {
    // Recorded on the event log as `kemu chaos run` records its faults (the dashboard's chaos timeline).
    const { faults, errors } = await runOneOff({
      cluster,
      experiment,
      signal,
      onInjected: (records) => {
        for (const r of records) io.stdout.write(`${experiment.action}: ${r.target}\n`);
      },
    });
    for (const f of faults) if (f.undone) io.stdout.write(`${f.target}: ${f.undone}\n`);
    for (const e of errors) io.stderr.write(`chaos: ${e}\n`);
    return signal.aborted ? 130 : 0;
  });
}

async function runChaos(io: CommandIO): Promise<number> {
  const sub = io.args.positionals[0];
  if (!sub || !SUBCOMMANDS.includes(sub)) {
    throw new UsageError(`a subcommand is required: one of ${SUBCOMMANDS.join(', ')}\nUsage:\n  ${chaosCommand.usage}`);
  }
  try {
    if (sub === 'run') return await runRun(io);
    if (sub === 'recover') return await runRecover(io);
    return await runOneOffCommand(io, sub);
  } catch (err) {
    if (err instanceof ChaosError) throw new CliError(err.code, err.message, { exitCode: err.exitCode, cause: err });
    throw err;
  }
}

/** `kemu chaos`. */
export const chaosCommand: Command = {
  name: 'chaos',
  usage: [
    'kemu chaos run FILE.yaml [-o json] [--report FILE]',
    '  kemu chaos recover',
    '  kemu chaos kill-pod -l KEY=VALUE [-n NAMESPACE] [--grace SECONDS] [--node N] [--all]',
    '  kemu chaos kill-container -l KEY=VALUE [-n NAMESPACE] [--node N] [--all]',
    '  kemu chaos kill-component apiserver|controller|node-agent|proxy|dns [--node N] [--all]',
    '  kemu chaos kill-node --node N|hollow-N [--for DURATION (hollow nodes: how long they stay down)]',
    '  kemu chaos partition --node N --for DURATION',
    '  kemu chaos pause --component NAME [--node N] --for DURATION',
    '  kemu chaos loss --node N --percent P --for DURATION',
    '  kemu chaos latency --node N --delay DURATION --for DURATION   (needs tc netem)',
  ].join('\n'),
  summary: 'run chaos experiments with a steady-state report, or inject one fault',
  flags: [
    valueFlagSpec('output', 'o'),
    valueFlagSpec('report'),
    valueFlagSpec('selector', 'l'),
    valueFlagSpec('namespace', 'n'),
    valueFlagSpec('grace'),
    valueFlagSpec('node'),
    valueFlagSpec('for'),
    valueFlagSpec('component'),
    valueFlagSpec('percent'),
    valueFlagSpec('delay'),
    boolFlagSpec('all'),
  ],
  run: runChaos,
};
