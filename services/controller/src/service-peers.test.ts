import { describe, expect, it } from 'vitest';
import { keyOf } from './controller.js';
import { trackServicePeers } from './service-peers.js';
import { pod, service } from './testing/fixtures.js';
import { liveInformer } from './testing/live-informer.js';

describe('trackServicePeers', () => {
  it("counts per node the live pods of the pod's Services, each once, assumed bindings on their node", () => {
    const { informer, put } = liveInformer();
    put('services', service({ selector: { app: 'web' } }, { name: 'web' }));
    put('services', service({ selector: { tier: 'front' } }, { name: 'front' }));
    const peers = trackServicePeers(informer);
    const labels = { app: 'web', tier: 'front' };
    put('pods', pod('a', { labels, node: 'node-1' }));
    put('pods', pod('b', { labels: { app: 'web' }, node: 'node-2' }));
    put('pods', pod('gone', { labels, node: 'node-2', deleting: true }));
    put('pods', pod('done', { labels, node: 'node-2', phase: 'Succeeded' }));
    put('pods', pod('other', { labels: { app: 'db' }, node: 'node-3' }));
    const unbound = pod('c', { labels });
    delete (unbound.spec as { nodeName?: string }).nodeName;
    put('pods', unbound);
    const incoming = pod('new', { labels });
    delete (incoming.spec as { nodeName?: string }).nodeName;
    put('pods', incoming);
    // a in both Services counts once; the terminating, finished, unrelated and unbound pods not at all.
    expect(Object.fromEntries(peers.perNode(incoming, new Map()))).toEqual({ 'node-1': 1, 'node-2': 1 });
    expect(Object.fromEntries(peers.perNode(incoming, new Map([[keyOf('pods', unbound), 'node-3']])))).toEqual({
      'node-1': 1,
      'node-2': 1,
      'node-3': 1,
    });
  });
});
