/**
 * The behaviour of hollow pods as data, as KWOK's Stages are: each step of a pod's life
 * that a real node spends in the kernel or in a process takes a delay with jitter, and
 * may fail at a rate. Randomness is injected, so timing is tested without chance.
 *
 *   sandbox   ContainerCreating: the pod network; a failure retries after the machine's 2 s backoff
 *   start     the container's process starts; a failure exits it with code 1 (restarts per
 *             restartPolicy, CrashLoopBackOff as for a real crash)
 *   ready     the readiness probe passes; a failure tries again after another delay
 *   complete  containers of pods with restartPolicy Never/OnFailure exit 0 this long after starting (Jobs)
 *   stop      a container exits this long after SIGTERM
 */
import { parse } from 'yaml';

/** One timed stage: delayMs plus up to jitterMs, then a failure with probability failureRate. */
export interface HollowStage {
  delayMs: number;
  jitterMs: number;
  /** 0 to 1. */
  failureRate: number;
}

/** Every stage of a hollow pod. */
export interface HollowStages {
  sandbox: HollowStage;
  start: HollowStage;
  ready: HollowStage;
  complete: HollowStage;
  stop: HollowStage;
}

/** The names of the stages, in the order a pod passes them. */
export const STAGE_NAMES = ['sandbox', 'start', 'ready', 'complete', 'stop'] as const;

/** About what a runc container takes on this machine, so figures stay comparable with real nodes. */
export const DEFAULT_STAGES: HollowStages = {
  sandbox: { delayMs: 50, jitterMs: 50, failureRate: 0 },
  start: { delayMs: 100, jitterMs: 100, failureRate: 0 },
  ready: { delayMs: 200, jitterMs: 200, failureRate: 0 },
  complete: { delayMs: 5_000, jitterMs: 1_000, failureRate: 0 },
  stop: { delayMs: 100, jitterMs: 100, failureRate: 0 },
};

/** The stages file is not valid. */
export class HollowStagesError extends Error {
  override name = 'HollowStagesError';
  readonly code = 'InvalidHollowStages';
}

/** How long the stage takes this time: its delay plus `random()` times its jitter, in whole ms. */
export function stageDelay(stage: HollowStage, random: () => number): number {
  return stage.delayMs + Math.floor(random() * stage.jitterMs);
}

/** Whether the stage fails this time (`random()` below its failure rate). */
export function stageFails(stage: HollowStage, random: () => number): boolean {
  return stage.failureRate > 0 && random() < stage.failureRate;
}

function field(value: unknown, where: string, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new HollowStagesError(`${where}: expected a number from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Parses a stages document (JSON or YAML: `{ start: { delayMs: 500, failureRate: 0.1 } }`);
 * stages and fields left out keep DEFAULT_STAGES. Throws HollowStagesError.
 */
export function parseStages(text: string, defaults: HollowStages = DEFAULT_STAGES): HollowStages {
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new HollowStagesError(`not JSON or YAML: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new HollowStagesError('expected a map of stage name to { delayMs, jitterMs, failureRate }');
  }
  const out: HollowStages = { ...defaults };
  for (const [name, value] of Object.entries(doc)) {
    if (!(STAGE_NAMES as readonly string[]).includes(name)) {
      throw new HollowStagesError(`unknown stage "${name}": use ${STAGE_NAMES.join(', ')}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HollowStagesError(`${name}: expected { delayMs, jitterMs, failureRate }`);
    }
    const stage = { ...defaults[name as keyof HollowStages] };
    for (const [k, v] of Object.entries(value)) {
      if (k === 'delayMs' || k === 'jitterMs') stage[k] = field(v, `${name}.${k}`, 86_400_000);
      else if (k === 'failureRate') stage.failureRate = field(v, `${name}.${k}`, 1);
      else throw new HollowStagesError(`${name}.${k}: unknown field (delayMs, jitterMs, failureRate)`);
    }
    out[name as keyof HollowStages] = stage;
  }
  return out;
}
