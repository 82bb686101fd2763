import { node } from '@kemu/testkit';
import { type ResourceUsage, renderResourceMetrics } from '@kemu/metrics';
import { describe, expect, it } from 'vitest';
import { createResourceScraper, ratesBetween } from './resource-scraper.js';

const at = (ms: number, nodeCpu: number, appCpu: number, extra: ResourceUsage['containers'] = []): ResourceUsage => ({
  timestampMs: ms,
  node: { cpuSeconds: nodeCpu, memoryBytes: 1000 },
  containers: [{ namespace: 'ns', pod: 'p', container: 'app', cpuSeconds: appCpu, memoryBytes: 10 }, ...extra],
});

describe('ratesBetween', () => {
  it('divides counter growth by the window, leaves out a restarted container with no start time', () => {
    const rates = ratesBetween(
      'n1',
      at(10_000, 5, 2, [{ namespace: 'ns', pod: 'q', container: 'c', cpuSeconds: 9, memoryBytes: 1 }]),
      at(12_000, 7, 3, [{ namespace: 'ns', pod: 'q', container: 'c', cpuSeconds: 1, memoryBytes: 1 }]),
    );
    expect(rates.windowMs).toBe(2000);
    expect(rates.cpuCores).toBe(1);
    expect(rates.memoryBytes).toBe(1000);
    expect(rates.pods.get('ns/p')?.get('app')).toEqual({ cpuCores: 0.5, memoryBytes: 10 });
    expect(rates.pods.has('ns/q')).toBe(false);
  });

  it('rates a container that started inside the window over its life so far', () => {
    const started = { namespace: 'ns', pod: 'new', container: 'c', cpuSeconds: 1, memoryBytes: 5, startTime: 11 };
    const rates = ratesBetween('n1', at(10_000, 0, 0), at(13_000, 3, 0, [started]));
    expect(rates.pods.get('ns/new')?.get('c')?.cpuCores).toBe(0.5);
  });
});

describe('createResourceScraper', () => {
  it('scrapes twice a window apart the first time, then reuses the last sample as the window start', async () => {
    let calls = 0;
    let clock = 100_000;
    const scraper = createResourceScraper(
      async () => {
        calls++;
        return renderResourceMetrics(at(clock, clock / 1000, clock / 2000));
      },
      () => clock,
    );
    const n1 = node('n1');
    const first = scraper.rates([n1]);
    clock += 1_000;
    const [a] = await first;
    expect(calls).toBe(2);
    expect(a?.cpuCores).toBeCloseTo(1);
    clock += 4_000;
    const [b] = await scraper.rates([n1]);
    expect(calls).toBe(3);
    expect(b?.windowMs).toBe(4_000);
    expect(b?.pods.get('ns/p')?.get('app')?.cpuCores).toBeCloseTo(0.5);
  });

  it('leaves out a node that cannot be scraped', async () => {
    const scraper = createResourceScraper(async (n) => {
      if (n.metadata.name === 'down') throw new Error('unreachable');
      return renderResourceMetrics(at(Date.now(), 1, 1));
    });
    const rates = await scraper.rates([node('down'), node('up')]);
    expect(rates.map((r) => r.node)).toEqual(['up']);
  });
});
