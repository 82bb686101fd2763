/**
 * Start-up to synced for a process over a long event log: an informer replaying the whole
 * log against one starting from an event-log snapshot and consuming the tail after it.
 * The log is a pods/services/endpoints churn on a real nats-server of its own; the
 * snapshot sits `tail` events before the end (half the writer's default 5000, its
 * average distance).
 */
import { churnEvents, publishChurn } from '@kemu/testkit';
import { connectEventLog, createView, openSnapshotStore, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { startNatsServer } from '@kemu/testkit';
import { median } from './stats.js';
import type { Row } from './table.js';

const log = createLogger({ component: 'bench', level: 'silent' });

interface Sample {
  events: number;
  tail: number;
  objects: number;
  snapshotBytes: number;
  fullMs: number[];
  snapshotMs: number[];
}

async function measureOne(
  progress: (msg: string) => void,
  events: number,
  tail: number,
  runs: number,
): Promise<Sample> {
  const server = await startNatsServer();
  const eventLog = await connectEventLog({ servers: server.url, name: 'bench', log });
  try {
    const oracle = createView();
    const all = [...churnEvents(events, 42)];
    await publishChurn(eventLog, all.slice(0, events - tail), oracle);
    const store = await openSnapshotStore(eventLog, { create: true });
    if (!store) throw new Error('no snapshot store');
    const written = await store.write(oracle);
    await publishChurn(eventLog, all.slice(events - tail), oracle);
    progress(`snapshot start-up: ${events} events written, snapshot at ${written.seq} (${written.size} bytes)`);
    const sample: Sample = {
      events,
      tail,
      objects: oracle.objects.size,
      snapshotBytes: written.size,
      fullMs: [],
      snapshotMs: [],
    };
    for (let r = 0; r < runs; r++) {
      for (const useSnapshots of [false, true]) {
        const t0 = performance.now();
        const informer = await startInformer(eventLog, { log, useSnapshots });
        await informer.synced;
        const ms = performance.now() - t0;
        const ok = informer.view.seq === oracle.seq && informer.view.objects.size === oracle.objects.size;
        await informer.stop();
        if (!ok) throw new Error(`informer (snapshots ${useSnapshots}) synced to a different view`);
        (useSnapshots ? sample.snapshotMs : sample.fullMs).push(ms);
      }
    }
    progress(
      `snapshot start-up over ${events} events: full replay ${median(sample.fullMs).toFixed(0)} ms, ` +
        `snapshot + ${tail} tail ${median(sample.snapshotMs).toFixed(0)} ms`,
    );
    return sample;
  } finally {
    await eventLog.close();
    await server.stop();
  }
}

/** Measures start-up to synced over 10^4 and 10^5 events, full replay against snapshot + tail. */
export async function measureSnapshotStartup(
  progress: (msg: string) => void,
  sizes: readonly number[] = [10_000, 100_000],
  runs = 3,
): Promise<{ rows: Row[]; samples: Sample[] }> {
  const samples: Sample[] = [];
  const rows: Row[] = [];
  for (const events of sizes) {
    const tail = Math.min(2_500, Math.floor(events / 4));
    const s = await measureOne(progress, events, tail, runs);
    samples.push(s);
    const full = median(s.fullMs);
    const snap = median(s.snapshotMs);
    const label = `process start-up to synced, ${events.toExponential(0).replace('e+', 'e')}-event log`;
    rows.push(
      { figure: `${label}: full replay`, value: `${full.toFixed(0)} ms`, target: events === 10_000 ? '≤ 5 s' : '' },
      {
        figure: `${label}: snapshot (${s.objects} objects) + ${tail}-event tail (ratio to full replay)`,
        value: `${snap.toFixed(0)} ms`,
        ratio: (snap / full).toFixed(2),
        target: '< 1',
      },
    );
  }
  return { rows, samples };
}
