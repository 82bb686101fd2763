import { type FaultRecord, faultEvent } from '@kemu/chaos';
import { type ConnectionFlow, createFlowRecorder, ensureFlowStream, flowSubject } from '@kemu/flows';
import { endpointSlice, eventually, node, pod, service, startEventLogFixture } from '@kemu/testkit';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { createChaosFeed } from './chaos-feed.js';
import { createClusterFeed } from './cluster-feed.js';
import { createDashboardServer } from './dashboard-server.js';
import { startFlowFeed } from './flow-feed.js';

const screenshots = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const bundlePath = fileURLToPath(new URL('../dist/page/app.js', import.meta.url));

const WEB1 = '10.244.1.10:8080';
const WEB2 = '10.244.2.10:8080';
const WEB3 = '10.244.1.11:8080';

function conn(o: Partial<ConnectionFlow> & Pick<ConnectionFlow, 'node' | 'candidates' | 'result'>): ConnectionFlow {
  const ok = o.result === 'ok';
  return {
    kind: 'conn',
    v: 1,
    protocol: 'TCP',
    mode: 'userspace',
    client: '10.244.1.20:41000',
    clusterIP: '10.96.0.20',
    port: 80,
    service: 'default/web:http',
    sliceVersions: ['1'],
    programmedAtSeq: 1,
    tried: [o.endpoint ?? o.candidates[0] ?? ''],
    reason: 'round-robin',
    ...(ok ? { endpoint: o.candidates[0] } : {}),
    bytesIn: ok ? 78 : 0,
    bytesOut: ok ? 240 : 0,
    startedAt: Date.now(),
    durationMs: 3,
    ...o,
  };
}

describe('chaos timeline (chromium against a recorded log and flows)', () => {
  let fx: Awaited<ReturnType<typeof startEventLogFixture>>;
  let browser: Browser;
  let page: Page;
  let url: string;
  let removalSeq = 0;
  const pageErrors: string[] = [];
  const stops: (() => Promise<void> | void)[] = [];

  async function publish(...records: ConnectionFlow[]): Promise<void> {
    const r = createFlowRecorder({
      publish: (d) => fx.eventLog.js.publish(flowSubject('conn', 'node-1'), d),
      log: fx.log,
    });
    for (const x of records) r.record(x);
    await r.stop();
  }

  async function recordFault(
    r: FaultRecord,
    reason: Parameters<typeof faultEvent>[2],
    atMs: number,
    proxyNode?: string,
  ) {
    const e = faultEvent('kill-web', r, reason, atMs, proxyNode);
    await fx.api.put({ resource: 'events', namespace: 'default', name: e.metadata.name }, e);
  }

  beforeAll(async () => {
    fx = await startEventLogFixture({ component: 'apiserver' });
    const { api } = fx;
    for (const [n, ip] of [
      ['node-1', '10.0.0.2'],
      ['node-2', '10.0.0.3'],
    ] as const) {
      await api.put({ resource: 'nodes', namespace: '', name: n }, node(n, { ip }));
    }
    for (const p of [
      pod('web-1', { node: 'node-1', ip: '10.244.1.10', labels: { app: 'web' } }),
      pod('web-2', { node: 'node-2', ip: '10.244.2.10', labels: { app: 'web' } }),
      pod('client', { node: 'node-1', ip: '10.244.1.20', labels: { app: 'client' } }),
    ]) {
      await api.put({ resource: 'pods', namespace: 'default', name: p.metadata.name }, p);
    }
    await api.put(
      { resource: 'services', namespace: 'default', name: 'web' },
      service('web', { spec: { clusterIP: '10.96.0.20' } }),
    );
    const slice = endpointSlice('web', {
      endpoints: [
        { ip: '10.244.1.10', nodeName: 'node-1' },
        { ip: '10.244.2.10', nodeName: 'node-2' },
      ],
    });
    const stored = await api.put({ resource: 'endpointslices', namespace: 'default', name: 'web-abc12' }, slice);
    const sliceSeq = Number(stored.metadata.resourceVersion);
    await ensureFlowStream(fx.eventLog.jsm);
    await publish(
      conn({ node: 'node-1', candidates: [WEB1, WEB2], result: 'ok', programmedAtSeq: sliceSeq }),
      conn({ node: 'node-1', candidates: [WEB2, WEB1], result: 'ok', programmedAtSeq: sliceSeq }),
    );

    // A pod-kill as `kemu chaos run` records it, then what the cluster did about it.
    const before = await fx.eventLog.lastSequence();
    const start = Date.now();
    const kill: FaultRecord = {
      id: 'fault-1',
      action: 'pod-kill',
      target: 'pod default/web-1',
      node: 'node-1',
      pod: { namespace: 'default', name: 'web-1', uid: 'u-web-1', ip: '10.244.1.10' },
      startMs: start,
      endMs: start,
      log: { before, start: before + 1 },
    };
    await recordFault(kill, 'ChaosInjected', start);
    await api.update({ resource: 'pods', namespace: 'default', name: 'web-1' }, (p) => ({
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString() },
      status: { ...p.status, conditions: [{ type: 'Ready', status: 'False' }] },
    }));
    await publish(conn({ node: 'node-1', candidates: [WEB1, WEB2], result: 'refused', programmedAtSeq: sliceSeq }));
    const removed = await api.update({ resource: 'endpointslices', namespace: 'default', name: 'web-abc12' }, (e) => ({
      ...e,
      endpoints: (e.endpoints ?? []).filter((ep) => ep.addresses[0] !== '10.244.1.10'),
    }));
    removalSeq = Number(removed?.metadata.resourceVersion);
    await recordFault(kill, 'ChaosEndpointLeftProxy', Date.now(), 'node-1');
    await recordFault(kill, 'ChaosEndpointLeftProxy', Date.now() + 40, 'node-2');
    await publish(
      conn({ node: 'node-1', candidates: [WEB2], result: 'ok', programmedAtSeq: removalSeq }),
      conn({ node: 'node-2', candidates: [WEB2], result: 'ok', programmedAtSeq: removalSeq }),
    );
    const gone = fx.informer.view.objects.get('pods/default/web-1');
    if (gone) await api.remove({ resource: 'pods', namespace: 'default', name: 'web-1' }, gone);
    await api.put(
      { resource: 'pods', namespace: 'default', name: 'web-3' },
      pod('web-3', { node: 'node-1', ip: '10.244.1.11', labels: { app: 'web' } }),
    );
    await api.update({ resource: 'endpointslices', namespace: 'default', name: 'web-abc12' }, (e) => ({
      ...e,
      endpoints: [
        ...(e.endpoints ?? []),
        {
          addresses: ['10.244.1.11'],
          nodeName: 'node-1',
          conditions: { ready: true, serving: true, terminating: false },
        },
      ],
    }));
    await publish(conn({ node: 'node-1', candidates: [WEB2, WEB3], result: 'ok', programmedAtSeq: removalSeq + 10 }));

    await fx.informer.waitForSeq(await fx.eventLog.lastSequence());
    const cluster = createClusterFeed(fx.informer);
    const flows = startFlowFeed(fx.eventLog, fx.log);
    const chaos = createChaosFeed(fx.eventLog, fx.log);
    const server = createDashboardServer({
      cluster,
      flows,
      chaos,
      eventLog: fx.eventLog,
      bundlePath,
      clusterName: 'test',
      log: fx.log,
    });
    url = `${await server.listen({ host: '127.0.0.1', port: 0 })}/`;
    stops.push(
      () => server.close(),
      () => cluster.stop(),
      () => flows.stop(),
      () => chaos.stop(),
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await mkdir(screenshots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of stops.reverse()) await s();
    await fx?.close();
  });

  const rows = (sel: string) => page.locator(`[data-testid="chaos-table"] ${sel}`);

  it('puts a pod-kill on its node lane, linked to the endpoint leaving the slice, each proxy dropping it, failed connections and recovery', async () => {
    await page.goto(`${url}?view=chaos`);
    await page.waitForSelector('[data-testid="chaos-table"] tr[data-fault="fault-1"]');
    expect(await rows('tr[data-fault="fault-1"]').textContent()).toContain('pod-kill pod default/web-1');
    const removed = await rows('tr[data-kind="endpoint-removed"]').textContent();
    expect(removed).toContain('endpoint 10.244.1.10 removed from EndpointSlice web-abc12 (1 ready left)');
    expect(removed).toContain(
      `kemu events --resource endpointslices --since seq:${removalSeq} --until seq:${removalSeq}`,
    );
    expect(await rows('tr[data-kind="proxy-dropped"][data-lane="proxy:node-2"]').textContent()).toContain(
      'proxy on node-2 dropped 10.244.1.10',
    );
    expect(await rows('tr[data-kind="proxy-programmed"][data-lane="proxy:node-1"]').textContent()).toContain(
      `programmed seq ${removalSeq} without 10.244.1.10`,
    );
    expect(await rows('tr[data-kind="failed"]').textContent()).toContain(
      '1 failed connection(s) to default/web (refused 1)',
    );
    const recovered = await rows('tr[data-kind="recovered"]').allTextContents();
    expect(recovered.join('\n')).toContain('default/web back to 2 ready endpoints (10.244.1.11 added)');
    expect(recovered.join('\n')).toContain('connections to default/web succeed again (via node-1 to 10.244.2.10:8080)');
    expect(await rows('tr[data-kind="pod"]').allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('pod default/web-1 terminating'),
        expect.stringContaining('pod default/web-1 deleted'),
      ]),
    );
    const lanes = await page
      .locator('[data-testid="chaos-graph"] g[data-lane]')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-lane')));
    expect(lanes).toEqual(['node:node-1', 'proxy:node-1', 'proxy:node-2', 'service:default/web']);
    expect(
      await page.locator('[data-testid="chaos-graph"] g[data-fault="fault-1"] g[data-kind]').count(),
    ).toBeGreaterThanOrEqual(8);
    await page.screenshot({ path: `${screenshots}chaos.png`, fullPage: true });
  });

  it('shows a fault recorded while the page is open, live, on the proxy lane', async () => {
    const start = Date.now();
    const proxyKill: FaultRecord = {
      id: 'fault-2',
      action: 'component-kill',
      target: 'proxy-node-2 (pid 4242)',
      node: 'node-2',
      startMs: start,
      log: { before: await fx.eventLog.lastSequence(), start: 0 },
    };
    await recordFault(proxyKill, 'ChaosInjected', start);
    await publish(conn({ node: 'node-2', candidates: [WEB2], result: 'reset', startedAt: start + 5 }));
    await recordFault(
      { ...proxyKill, endMs: start + 900, undone: 'restarted by the supervisor after 900 ms' },
      'ChaosEnded',
      start + 900,
    );
    await eventually(async () => {
      expect(await rows('tr[data-of="fault-2"][data-kind="ended"]').textContent()).toContain(
        'restarted by the supervisor after 900 ms',
      );
      return true;
    });
    expect(await rows('tr[data-fault="fault-2"]').textContent()).toContain('proxy on node-2');
    expect(await rows('tr[data-of="fault-2"][data-kind="failed"]').textContent()).toContain('(reset 1)');
    await page.selectOption('[data-filter="node"]', 'node-1');
    await page.waitForSelector('[data-testid="chaos-table"] tr[data-fault="fault-2"]', { state: 'detached' });
    expect(await rows('tr[data-of="fault-1"][data-lane="proxy:node-2"]').count()).toBe(0);
    expect(await rows('tr[data-of="fault-1"][data-lane="proxy:node-1"]').count()).toBeGreaterThan(0);
    await page.selectOption('[data-filter="node"]', '');
    await page.click('[data-testid="chaos-table"] tr[data-fault="fault-2"]');
    await page.waitForSelector('[data-testid="chaos-table"] tr[data-fault="fault-1"]', { state: 'detached' });
  });

  it('replays the timeline at a sequence: before the endpoint left the slice, only what had happened', async () => {
    await page.goto(`${url}?at=seq:${removalSeq - 1}&view=chaos`);
    await page.waitForSelector('[data-testid="chaos-table"] tr[data-fault="fault-1"]');
    expect(await page.textContent('[data-testid="mode"]')).toContain(`REPLAY at seq ${removalSeq - 1}`);
    expect(await rows('tr[data-kind="pod"]').first().textContent()).toContain('terminating');
    expect(await rows('tr[data-kind="endpoint-removed"]').count()).toBe(0);
    expect(await rows('tr[data-fault="fault-2"]').count()).toBe(0);
    await page.click('button[title="one event forward"]');
    await page.waitForSelector('[data-testid="chaos-table"] tr[data-kind="endpoint-removed"]');
    expect(pageErrors).toEqual([]);
  });
});
