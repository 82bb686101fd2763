import type { Pod, Service } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import { describe, expect, it } from 'vitest';
import { keyOf } from './controller.js';
import { servicePodIndex } from './service-pod-index.js';
import { selectedPods } from './service-pods.js';
import { pod, service } from './testing/fixtures.js';
import { liveInformer } from './testing/live-informer.js';

const names = (pods: readonly Pod[]) => pods.map((p) => p.metadata.name).sort();

describe('servicePodIndex', () => {
  it('keeps each Service’s pods equal to its selector over the view through pod and Service changes', () => {
    const { informer, put, remove } = liveInformer();
    // Created over a view that already holds objects: it starts from them.
    put('services', service({ selector: { app: 'a' } }, { name: 'sa' }));
    put('pods', pod('p0', { labels: { app: 'a' } }));
    const index = servicePodIndex(informer);
    expect(servicePodIndex(informer)).toBe(index);
    let s = 12345;
    const rnd = (n: number) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s % n;
    };
    const apps = ['a', 'b', 'c'];
    const tiers = ['x', 'y'];
    for (let step = 0; step < 2000; step++) {
      const op = rnd(10);
      const ns = rnd(4) === 0 ? 'other' : 'default';
      if (op < 6) {
        const p = pod(`p${rnd(30)}`, {
          namespace: ns,
          labels: { app: apps[rnd(3)] as string, tier: tiers[rnd(2)] as string },
          ready: rnd(2) === 0,
        });
        put('pods', p);
      } else if (op < 8) {
        const existing = listObjects(informer.view, 'pods');
        const p = existing[rnd(existing.length || 1)];
        if (p) remove('pods', p);
      } else if (op < 9) {
        const selector: Record<string, string> = rnd(3) === 0 ? {} : { app: apps[rnd(3)] as string };
        if (rnd(2) === 0) selector.tier = tiers[rnd(2)] as string;
        put('services', service({ selector }, { name: `s${rnd(5)}`, namespace: ns }));
      } else {
        const existing = listObjects(informer.view, 'services');
        const svc = existing[rnd(existing.length || 1)];
        if (svc) remove('services', svc);
      }
      for (const svc of listObjects(informer.view, 'services')) {
        const key = keyOf('services', svc);
        const want = selectedPods(svc, listObjects(informer.view, 'pods', svc.metadata.namespace));
        expect(names(index.podsOf(key)), `${key} at step ${step}`).toEqual(names(want));
      }
    }
  });

  it('names the matching Services of labels and moves a Service’s version only when its pods change for the endpoints', () => {
    const { informer, put, remove } = liveInformer();
    const index = servicePodIndex(informer);
    const web: Service = service();
    put('services', web);
    put('services', service({ selector: { app: 'web', tier: 'front' } }, { name: 'front' }));
    put('services', service({ selector: {} }, { name: 'manual' }));
    expect(index.servicesMatching('default', { app: 'web' })).toEqual(['services/default/web']);
    expect(index.servicesMatching('default', { app: 'web', tier: 'front' }).sort()).toEqual([
      'services/default/front',
      'services/default/web',
    ]);
    expect(index.servicesMatching('other', { app: 'web' })).toEqual([]);

    const key = 'services/default/web';
    const v0 = index.version(key);
    const p = pod('a', { ready: false });
    put('pods', p);
    const v1 = index.version(key);
    expect(v1).not.toBe(v0);
    put('pods', { ...p, metadata: { ...p.metadata, annotations: { note: 'x' } } });
    expect(index.version(key)).toBe(v1);
    put('pods', pod('a', { ready: true }));
    const v2 = index.version(key);
    expect(v2).not.toBe(v1);
    remove('pods', pod('a'));
    expect(index.version(key)).not.toBe(v2);
    expect(index.podsOf(key)).toEqual([]);
  });
});
