/**
 * `kemu dashboard` on a live cluster, in Debian's chromium: connections from the client
 * pod show up with their endpoints; a killed pod's endpoint leaves the Service and every
 * proxy's candidates, and the next connections go to the other pods; a `kemu chaos run`
 * and a one-off `kemu chaos kill-pod` show up live on the Chaos view's lanes. Screenshots of the live page go to
 * docs/screenshots/.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '@kemu/testkit';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlLoop, repoRoot } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

const screenshots = join(repoRoot, 'docs', 'screenshots');

describe('kemu dashboard on a live cluster', () => {
  const cluster = useCluster({ name: 'dash', nodes: 2 });
  let browser: Browser;
  let page: Page;
  let clusterIP = '';
  let victimIP = '';

  const endpointsShown = () =>
    page.$$eval('[data-testid="connections-table"] tbody tr', (rows) =>
      rows.map((r) => (r as HTMLElement).dataset.endpoint ?? ''),
    );

  beforeAll(async () => {
    await cluster.kubectlOk(['apply', '-f', join(repoRoot, 'infra/examples/web.yaml')]);
    await eventually(
      async () => {
        const out = await cluster.kubectlOk(['get', 'pods', '--no-headers']);
        return out.trim().split('\n').length === 4 && out.split('\n').every((l) => l === '' || l.includes('1/1'));
      },
      { timeoutMs: 90_000, what: 'the example pods Ready' },
    );
    clusterIP = (await cluster.kubectlOk(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    victimIP = (await cluster.kubectlOk(['get', 'pod', 'web-pod-1', '-o', 'jsonpath={.status.podIP}'])).trim();
    const started = await cluster.kemu(['dashboard', '--detach', '--name', cluster.name]);
    expect(started.code, started.stderr).toBe(0);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(started.stdout)?.[1];
    expect(url, started.stdout).toBeDefined();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}?view=traffic`);
    await page.waitForSelector('body[data-ready="true"]');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows each connection from the client pod with the endpoint its proxy picked, and its DNS query', async () => {
    const r = await cluster.exec('client', curlLoop('http://web-service/', 6));
    expect(r.code).toBe(0);
    await eventually(
      async () => {
        const eps = (await endpointsShown()).filter((e) => e.endsWith(':8080'));
        return eps.length >= 6 && new Set(eps).size === 3;
      },
      { timeoutMs: 20_000, what: 'six connections over three endpoints on the page' },
    );
    await eventually(
      async () =>
        (await page.textContent('[data-testid="dns-table"]'))?.includes(`web-service.default.svc.cluster.local`),
      {
        timeoutMs: 20_000,
        what: 'the DNS query for web-service on the page',
      },
    );
    expect(await page.textContent('[data-testid="dns-table"]')).toContain(clusterIP);
    await page.screenshot({ path: join(screenshots, 'live-traffic.png'), fullPage: true });
  });

  it('shows the killed pod leaving the Service and the next connections going elsewhere', async () => {
    const before = (await endpointsShown()).length;
    await cluster.kubectlOk(['delete', 'pod', 'web-pod-1', '--wait=false']);
    await page.click('button[data-tab="topology"]');
    await eventually(
      async () => {
        const ready = await page.$$eval(
          '[data-testid="services-table"] tr[data-service="web-service"] span.ok',
          (spans) => spans.map((s) => s.textContent?.trim()),
        );
        return ready.length === 2 && !ready.includes(victimIP);
      },
      { timeoutMs: 30_000, what: 'the endpoint of web-pod-1 gone from web-service' },
    );
    await page.waitForSelector('[data-testid="topology-graph"][data-synced="true"]');
    await page.screenshot({ path: join(screenshots, 'live-topology-after-kill.png') });

    const r = await cluster.exec('client', curlLoop(`http://${clusterIP}/`, 6));
    expect(r.code).toBe(0);
    await page.click('button[data-tab="traffic"]');
    await eventually(async () => (await endpointsShown()).length >= before + 6, {
      timeoutMs: 20_000,
      what: 'six more connections on the page',
    });
    const newest = (await endpointsShown()).slice(0, 6);
    expect(newest.every((e) => e.endsWith(':8080') && !e.startsWith(`${victimIP}:`))).toBe(true);
    expect(new Set(newest).size).toBe(2);

    await page.click('button[data-tab="services"]');
    await page.selectOption('[data-testid="anatomy-service"]', 'services/default/web-service');
    const proxies = await page.textContent('[data-testid="anatomy-proxies"]');
    expect(proxies).not.toContain(`${victimIP}:8080`);
    await page.screenshot({ path: join(screenshots, 'live-service-after-kill.png'), fullPage: true });
  });

  it('shows a running chaos experiment live: the pod-kill on its node, the endpoint leaving the slice and every proxy', async () => {
    const file = join(cluster.home, 'dash-pod-kill.yaml');
    await writeFile(
      file,
      [
        'apiVersion: chaos.kemu.dev/v1alpha1',
        'kind: PodChaos',
        'metadata: { name: dash-pod-kill }',
        'spec:',
        '  action: pod-kill',
        '  mode: one',
        '  selector: { namespace: default, labelSelectors: { app: web } }',
        '  schedule: { every: 5s, duration: 5s }',
        '  steadyState: { url: "http://web-service.default/", rate: 10, timeout: 2s, node: node-1, successThreshold: 1 }',
        '',
      ].join('\n'),
    );
    await page.click('button[data-tab="chaos"]');
    const run = cluster.kemu(['chaos', 'run', file], { timeoutMs: 120_000 });
    const fault = '[data-testid="chaos-table"] tr[data-kind="fault"]';
    await page.waitForSelector(fault, { timeout: 60_000 });
    expect(await page.textContent(fault)).toContain('pod-kill pod default/web-pod-');
    await eventually(
      async () => {
        const lanes = await page.$$eval('[data-testid="chaos-table"] tr[data-kind="proxy-dropped"]', (rows) =>
          rows.map((r) => (r as HTMLElement).dataset.lane),
        );
        const removed = await page.$$('[data-testid="chaos-table"] tr[data-kind="endpoint-removed"]');
        const kills = await page.$$(fault);
        // One removal per kill, never more: a slow run may reach its second scheduled kill
        // (every 5 s) before both proxies have shown the first.
        return (
          removed.length >= 1 &&
          removed.length <= kills.length &&
          lanes.includes('proxy:node-1') &&
          lanes.includes('proxy:node-2')
        );
      },
      { timeoutMs: 60_000, what: 'the endpoint removed from the slice and dropped by both proxies, on the page' },
    );
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const events = await cluster.kubectlOk([
      'get',
      'events',
      '-A',
      '--field-selector',
      'reportingComponent=kemu-chaos',
    ]);
    expect(events).toContain('ChaosInjected');
    expect(events).toContain('ChaosEndpointLeftProxy');
    await page.screenshot({ path: join(screenshots, 'live-chaos.png'), fullPage: true });
  });

  it('shows a one-off kemu chaos kill-pod on the timeline too, recorded as a kemu-chaos Event like a run', async () => {
    const r = await cluster.kemu(['chaos', 'kill-pod', '-l', 'app=web'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const victim = /^pod-kill: pod default\/(\S+)$/m.exec(r.stdout)?.[1];
    expect(victim, r.stdout).toBeDefined();
    const injected = JSON.parse(
      await cluster.kubectlOk([
        'get',
        'events',
        '-A',
        '--field-selector',
        'reportingComponent=kemu-chaos',
        '-o',
        'json',
      ]),
    ) as { items: { reason: string; reportingInstance?: string; involvedObject: { name: string } }[] };
    expect(injected.items.filter((e) => e.reason === 'ChaosInjected' && e.involvedObject.name === victim)).toEqual([
      expect.objectContaining({ reportingInstance: 'one-off-pod-kill' }),
    ]);

    // On the page (left open on the Chaos view), live: the fault and its consequence on the Service.
    const fault = `[data-testid="chaos-table"] tr[data-kind="fault"]`;
    const id = await eventually(
      async () => {
        const rows = await page.$$eval(fault, (trs) =>
          trs.map((t) => ({ id: (t as HTMLElement).dataset.fault ?? '', text: t.textContent ?? '' })),
        );
        return rows.find(
          (t) => t.text.includes(`pod-kill pod default/${victim}`) && t.text.includes('one-off-pod-kill'),
        )?.id;
      },
      { timeoutMs: 30_000, what: 'the one-off pod-kill on the chaos timeline' },
    );
    await eventually(
      async () =>
        (await page.$$(`[data-testid="chaos-table"] tr[data-of="${id}"][data-kind="endpoint-removed"]`)).length === 1,
      { timeoutMs: 30_000, what: "the one-off fault's endpoint leaving web-service's slice, linked to it" },
    );
  });
});
