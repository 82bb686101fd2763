import { describe, expect, it } from 'vitest';
// @ts-expect-error: the page's modules are plain JavaScript, bundled by esbuild.
import { filterTimeline, laneLabel, placeItems } from './chaos.js';

const item = (lane: string, at: number, kind = 'pod') => ({ kind, lane, at, what: '', proof: '' });
const timeline = {
  seq: 9,
  from: 1000,
  to: 1010,
  lanes: ['node:node-1', 'proxy:node-1', 'proxy:node-2', 'service:default/web', 'service:shop/cart'],
  faults: [
    {
      ...item('node:node-1', 1000, 'fault'),
      id: 'f1',
      consequences: [
        item('proxy:node-1', 1002),
        item('proxy:node-2', 1004),
        item('service:default/web', 1006),
        item('service:shop/cart', 1010),
      ],
    },
    { ...item('proxy:node-2', 1008, 'fault'), id: 'f2', consequences: [] },
  ],
};

describe('the chaos view', () => {
  it('names lanes as a user reads them', () => {
    expect(['node:node-1', 'proxy:node-2', 'service:default/web', 'dns'].map(laneLabel)).toEqual([
      'node node-1',
      'proxy on node-2',
      'Service default/web',
      'dns',
    ]);
  });

  it('narrows the timeline to a node, a Service or a namespace, dropping lanes left empty', () => {
    const byNode = filterTimeline(timeline, { node: 'node-1', service: '', namespace: '' });
    expect(byNode.faults.map((f: { id: string }) => f.id)).toEqual(['f1']);
    expect(byNode.lanes).toEqual(['node:node-1', 'proxy:node-1', 'service:default/web', 'service:shop/cart']);
    const byNs = filterTimeline(timeline, { node: '', service: '', namespace: 'shop' });
    expect(byNs.lanes).toEqual(['node:node-1', 'proxy:node-1', 'proxy:node-2', 'service:shop/cart']);
  });

  it('places facts in time order, never closer than a label apart', () => {
    const { x, all } = placeItems(timeline);
    const xs = all.map(x);
    expect(all.map((i: { at: number }) => i.at)).toEqual([1000, 1002, 1004, 1006, 1008, 1010]);
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(69);
  });
});
