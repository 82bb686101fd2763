/**
 * One fault, once, without a probe (`kemu chaos kill-pod`, `kill-container`,
 * `kill-component`, `kill-node`, `partition`, `pause`, `loss`, `latency`): injected and
 * recorded by the fault recorder exactly as a run's faults are (so the dashboard's chaos
 * timeline shows it), held for the experiment's fault duration or until aborted, then
 * ended.
 */
import type { ChaosCluster } from './chaos-cluster.js';
import type { Experiment } from './experiment.js';
import { checkInjectable, type FaultRecord } from './fault-injectors.js';
import { connectChaosLog, createFaultRecorder } from './fault-recorder.js';
import { openUndoJournal } from './undo-journal.js';

/** Inputs of a one-off fault. */
export interface OneOffOptions {
  cluster: ChaosCluster;
  /** An experiment of one fault: its action, selector, mode and fault duration. */
  experiment: Experiment;
  /** Called once the faults are injected, before they are held. */
  onInjected?(faults: readonly FaultRecord[]): void;
  /** Aborting ends the faults early. */
  signal?: AbortSignal;
}

/** What a one-off fault did. */
export interface OneOffResult {
  faults: FaultRecord[];
  /** Events that could not be recorded. */
  errors: string[];
}

/** Injects the fault, holds it, ends it, and waits until its Events are on the log. */
export async function runOneOff(o: OneOffOptions): Promise<OneOffResult> {
  const { cluster, experiment } = o;
  const networkMeans = await checkInjectable(experiment, cluster);
  const journal = openUndoJournal(cluster.stateDir);
  const eventLog = await connectChaosLog(cluster);
  const errors: string[] = [];
  try {
    const recorder = createFaultRecorder({
      experiment,
      context: { cluster, journal, networkMeans },
      eventLog,
      errors,
    });
    const faults = await recorder.inject();
    o.onInjected?.(faults.map((f) => f.record));
    if (experiment.faultDurationMs > 0 && !o.signal?.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, experiment.faultDurationMs);
        o.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
    // Every fault ends and every Event is posted even when one end fails; then the failure shows.
    const ended = await Promise.allSettled(faults.map((f) => recorder.end(f)));
    await recorder.settled();
    const failed = ended.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { faults: faults.map((f) => f.record), errors };
  } finally {
    await eventLog.close().catch(() => undefined);
  }
}
