/**
 * A component's event-log metrics over a real nats-server: appends through the
 * instrumented connection are timed, the informer's lag is read from the stream when
 * scraped, and the newest snapshot's age shows once a snapshot exists.
 */
import {
  createObjectWriter,
  createPodStatusWriter,
  nodeStatusSubjectFor,
  openSnapshotStore,
  startInformer,
} from '@kemu/eventlog';
import { node, pod, startEventLogFixture } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { instrumentComponent } from './component-metrics.js';

/** The value of the sample of `name` whose line includes every label. */
function sample(text: string, name: string, ...labels: string[]): number | undefined {
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && labels.every((x) => l.includes(x)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('component metrics', () => {
  it('times appends, reports informer lag and the newest snapshot age', async () => {
    await using fx = await startEventLogFixture();
    const raw = await fx.connect('component');
    let informer: Awaited<ReturnType<typeof startInformer>> | undefined;
    const { registry, eventLog } = instrumentComponent(raw, () => informer);
    informer = await startInformer(eventLog, { log: fx.log });
    await informer.synced;
    const writer = createObjectWriter(eventLog, informer, { component: 'test' });
    await writer.put({ resource: 'nodes', namespace: '', name: 'n1' }, node('n1'));
    await writer.put({ resource: 'nodes', namespace: '', name: 'n2' }, node('n2'));
    let text = await registry.metrics();
    expect(sample(text, 'kemu_eventlog_append_duration_seconds_count', 'result="ok"')).toBe(2);
    expect(sample(text, 'kemu_informer_lag_events')).toBe(0);
    expect(sample(text, 'kemu_informer_applied_sequence')).toBe(2);
    expect(text).not.toMatch(/^kemu_eventlog_snapshot_age_seconds\{/m);

    // Another writer's event, not yet applied by a stopped informer, is lag.
    await informer.stop();
    await fx.api.put({ resource: 'nodes', namespace: '', name: 'n3' }, node('n3'));
    text = await registry.metrics();
    expect(sample(text, 'kemu_informer_lag_events')).toBe(1);

    const store = await openSnapshotStore(fx.eventLog, { create: true });
    await store?.write(fx.informer.view);
    text = await registry.metrics();
    const age = sample(text, 'kemu_eventlog_snapshot_age_seconds', 'snapshot="view-');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
  });

  it("times a node's status record on its node's subject (the subject is passed on)", async () => {
    await using fx = await startEventLogFixture();
    const raw = await fx.connect('node-agent');
    let informer: Awaited<ReturnType<typeof startInformer>> | undefined;
    const { registry, eventLog } = instrumentComponent(raw, () => informer);
    informer = await startInformer(eventLog, { log: fx.log });
    await informer.synced;
    const key = { resource: 'pods', namespace: 'default', name: 'web' } as const;
    await fx.api.put(key, pod('web', { node: 'n1', status: { phase: 'Pending' } }));
    expect(await informer.waitForSeq(fx.informer.view.seq)).toBe(true);
    const status = createPodStatusWriter(eventLog, informer, { component: 'node-agent', node: 'n1' });
    const running = await status.updateStatus(key, () => ({ phase: 'Running' }));
    const stored = await raw.jsm.streams.getMessage('KEMU', { last_by_subj: nodeStatusSubjectFor('n1', key) });
    expect(stored?.seq).toBe(Number(running?.metadata.resourceVersion));
    const text = await registry.metrics();
    expect(sample(text, 'kemu_eventlog_append_duration_seconds_count', 'result="ok"')).toBe(1);
  });
});
