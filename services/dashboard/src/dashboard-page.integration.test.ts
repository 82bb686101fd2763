import type { EndpointSlice, Pod } from '@kemu/api';
import { type ConnectionFlow, type DnsFlow, createFlowRecorder, ensureFlowStream, flowSubject } from '@kemu/flows';
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

function conn(i: number, endpoint: string, result: ConnectionFlow['result'] = 'ok'): ConnectionFlow {
  return {
    kind: 'conn',
    v: 1,
    protocol: 'TCP',
    node: 'node-1',
    mode: 'userspace',
    client: `10.244.1.20:${41000 + i}`,
    clusterIP: '10.96.0.20',
    port: 80,
    service: 'default/web:http',
    sliceVersions: ['12'],
    programmedAtSeq: 12,
    candidates: ['10.244.1.10:8080', '10.244.2.10:8080'],
    tried: result === 'ok' ? [endpoint] : [endpoint, endpoint],
    reason: result === 'ok' ? 'round-robin' : 'retry',
    ...(result === 'ok' ? { endpoint, proxyAddress: `10.0.0.2:${50000 + i}` } : {}),
    result,
    bytesIn: 78,
    bytesOut: 240 + i,
    startedAt: Date.now() - 5_000 + i * 100,
    connectMs: 1,
    durationMs: 4,
  };
}

const dns: DnsFlow = {
  kind: 'dns',
  v: 1,
  server: 'coredns-node-1',
  node: 'node-1',
  // The dns server sees the proxy's address; the proxy's UDP flow record maps it back.
  client: '10.0.0.2:40001',
  name: 'web.default.svc.cluster.local.',
  type: 'A',
  answers: ['10.96.0.20'],
  rcode: 'NOERROR',
  transport: 'udp',
  startedAt: Date.now() - 6_000,
  durationMs: 0.2,
};

describe('dashboard page (chromium against a recorded log and flows)', () => {
  let fx: Awaited<ReturnType<typeof startEventLogFixture>>;
  let browser: Browser;
  let page: Page;
  let url: string;
  let seqBeforeKill = 0;
  const pageErrors: string[] = [];
  const stops: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    fx = await startEventLogFixture();
    const { api } = fx;
    for (const [n, ip] of [
      ['node-1', '10.0.0.2'],
      ['node-2', '10.0.0.3'],
    ] as const) {
      await api.put({ resource: 'nodes', namespace: '', name: n }, node(n, { ip }));
    }
    const pods: Pod[] = [
      pod('web-1', { node: 'node-1', ip: '10.244.1.10', labels: { app: 'web' } }),
      pod('web-2', { node: 'node-2', ip: '10.244.2.10', labels: { app: 'web' } }),
      pod('web-canary', { node: 'node-2', ip: '10.244.2.11', labels: { app: 'webb' } }),
      pod('client', { node: 'node-1', ip: '10.244.1.20', labels: { app: 'client' } }),
      pod('kube-proxy-node-1', {
        namespace: 'kube-system',
        node: 'node-1',
        ip: '10.0.0.2',
        labels: { 'k8s-app': 'kube-proxy' },
      }),
      pod('coredns-node-1', {
        namespace: 'kube-system',
        node: 'node-1',
        ip: '10.0.0.2',
        labels: { 'k8s-app': 'kube-dns' },
      }),
    ];
    for (const p of pods) {
      await api.put({ resource: 'pods', namespace: p.metadata.namespace ?? 'default', name: p.metadata.name }, p);
    }
    const web = service('web', { spec: { clusterIP: '10.96.0.20' } });
    await api.put({ resource: 'services', namespace: 'default', name: 'web' }, web);
    await api.put(
      { resource: 'services', namespace: 'default', name: 'empty' },
      service('empty', { spec: { clusterIP: '10.96.0.30', selector: { app: 'nothing' } } }),
    );
    const slice = endpointSlice('web', {
      endpoints: [
        { ip: '10.244.1.10', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'default' } },
        { ip: '10.244.2.10', nodeName: 'node-2', targetRef: { kind: 'Pod', name: 'web-2', namespace: 'default' } },
      ],
    });
    await api.put({ resource: 'endpointslices', namespace: 'default', name: slice.metadata.name }, slice);

    const { js, jsm } = fx.eventLog;
    await ensureFlowStream(jsm);
    const recorder = createFlowRecorder({ publish: (d) => js.publish(flowSubject('conn', 'node-1'), d), log: fx.log });
    for (let i = 0; i < 6; i++) recorder.record(conn(i, i % 2 === 0 ? '10.244.1.10:8080' : '10.244.2.10:8080'));
    recorder.record({
      ...conn(-10, '10.0.0.2:53'),
      protocol: 'UDP',
      client: '10.244.1.20:53000',
      clusterIP: '10.96.0.10',
      port: 53,
      service: 'kube-system/kube-dns:dns',
      candidates: ['10.0.0.2:53'],
      proxyAddress: '10.0.0.2:40001',
    });
    await recorder.stop();
    const dnsRecorder = createFlowRecorder({
      publish: (d) => js.publish(flowSubject('dns', 'node-1'), d),
      log: fx.log,
    });
    dnsRecorder.record(dns);
    await dnsRecorder.stop();

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

  it('draws the topology: nodes holding their pods, Services with ClusterIP and endpoints, and its table twin', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('[data-testid="topology-table"] tr[data-pod="web-2"]');
    const row = await page.textContent('[data-testid="topology-table"] tr[data-pod="web-2"]');
    expect(row).toContain('node-2');
    expect(row).toContain('Ready');
    expect(row).toContain('10.244.2.10');
    expect(row).toContain('kubectl get pod -n default web-2 -o wide');
    const svc = await page.textContent('[data-testid="services-table"] tr[data-service="web"]');
    expect(svc).toContain('10.96.0.20');
    expect(svc).toContain('10.244.1.10');
    expect(await page.textContent('[data-testid="mode"]')).toContain('LIVE');
    await page.waitForSelector('[data-testid="topology-graph"][data-synced="true"] canvas');
    await page.screenshot({ path: `${screenshots}topology.png` });
  });

  it('shows a change from the log live, without a reload', async () => {
    seqBeforeKill = await fx.eventLog.lastSequence();
    await fx.api.update({ resource: 'pods', namespace: 'default', name: 'web-2' }, (p) => ({
      ...p,
      status: { ...p.status, conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }] },
    }));
    await fx.api.update(
      { resource: 'endpointslices', namespace: 'default', name: 'web-abc12' },
      (e: EndpointSlice) => ({
        ...e,
        endpoints: (e.endpoints ?? []).map((ep) =>
          ep.addresses[0] === '10.244.2.10'
            ? { ...ep, conditions: { ready: false, serving: false, terminating: false } }
            : ep,
        ),
      }),
    );
    await eventually(async () => {
      expect(await page.textContent('[data-testid="topology-table"] tr[data-pod="web-2"]')).toContain('NotReady');
      return true;
    });
  });

  it('lists connections with their endpoint and result, shares per endpoint and a trace on click', async () => {
    const live = await createFlowRecorder({
      publish: (d) => fx.eventLog.js.publish(flowSubject('conn', 'node-1'), d),
      log: fx.log,
    });
    live.record(conn(7, '10.244.2.10:8080', 'refused'));
    await live.stop();
    await page.click('button[data-tab="traffic"]');
    await eventually(async () => {
      expect(await page.locator('[data-testid="connections-table"] tbody tr').count()).toBe(8);
      return true;
    });
    expect(await page.locator('[data-testid="connections-table"] tr[data-result="refused"]').count()).toBe(1);
    const share = await page.textContent('[data-testid="shares-table"] tr[data-share-endpoint="10.244.1.10:8080"]');
    expect(share).toContain('default/web-1');
    expect(share).toContain('50 %');
    const dnsRow = await page.textContent('[data-testid="dns-table"] tbody tr');
    expect(dnsRow).toContain('web.default.svc.cluster.local.');
    expect(dnsRow).toContain('default/client via 10.0.0.2:40001');
    await page.click('[data-testid="connections-table"] tr[data-endpoint="10.244.1.10:8080"]');
    const trace = await page.textContent('[data-testid="trace"]');
    expect(trace).toContain('default/client');
    expect(trace).toContain('10.96.0.20:80/TCP');
    expect(trace).toContain('EndpointSlice version(s) 12');
    expect(trace).toContain('round-robin');
    expect(trace).toContain('DNS: A web.default.svc.cluster.local.');
    await page.screenshot({ path: `${screenshots}traffic.png`, fullPage: true });
  });

  it('explains a Service: matching pods, a near miss with the differing label, slice entries, an empty Service in plain words', async () => {
    await page.click('button[data-tab="services"]');
    await page.selectOption('[data-testid="anatomy-service"]', 'services/default/web');
    await page.waitForSelector('[data-testid="anatomy"]');
    const pods = await page.textContent('[data-testid="anatomy-pods"]');
    expect(pods).toContain('web-1');
    expect(pods).toContain('ContainersNotReady');
    expect(await page.textContent('[data-testid="near-misses"]')).toContain('web-canary');
    expect(await page.textContent('[data-testid="near-misses"]')).toContain('app');
    expect(await page.textContent('[data-testid="anatomy-slices"]')).toContain('10.244.2.10');
    expect(await page.textContent('[data-testid="anatomy-proxies"]')).toContain('node-1');
    await page.screenshot({ path: `${screenshots}services.png`, fullPage: true });
    await page.selectOption('[data-testid="anatomy-service"]', 'services/default/empty');
    expect(await page.textContent('[data-testid="no-endpoints-why"]')).toContain('No pod in namespace default matches');
  });

  it('travels back to a sequence from a bookmarkable link and shows the cluster as it was', async () => {
    await page.goto(`${url}?at=seq:${seqBeforeKill}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('[data-testid="mode"]')).toContain(`REPLAY at seq ${seqBeforeKill}`);
    const row = await page.textContent('[data-testid="topology-table"] tr[data-pod="web-2"]');
    expect(row).toContain('Ready');
    expect(row).not.toContain('NotReady');
    await page.screenshot({ path: `${screenshots}replay.png` });
    await page.click('button[title="one event forward"]');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="mode"]')?.textContent?.includes(`seq ${n}`),
      seqBeforeKill + 1,
    );
    expect(await page.textContent('[data-testid="topology-table"] tr[data-pod="web-2"]')).toContain('NotReady');
    expect(page.url()).toContain(`?at=seq:${seqBeforeKill + 1}`);
    await page.click('[data-testid="play"]');
    await page.waitForSelector('[data-testid="mode"].live', { timeout: 10_000 });
  });

  it('is read-only and resumes its event stream after the last id it saw', async () => {
    expect(pageErrors).toEqual([]);
    const post = await fetch(`${url}api/state`, { method: 'POST' });
    expect(post.status).toBe(405);
    const ctrl = new AbortController();
    const res = await fetch(`${url}api/events`, {
      headers: { 'last-event-id': String(seqBeforeKill) },
      signal: ctrl.signal,
    });
    const reader = res.body?.getReader();
    let text = '';
    while (reader && !text.includes('web-abc12')) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    expect(text).toContain(`id: ${seqBeforeKill + 1}\n`);
    expect(text).not.toContain(`id: ${seqBeforeKill}\n`);
  });
});
