import type { Pod } from '@kemu/api';
import { listObjects } from '@kemu/eventlog';
import { describe, expect, it } from 'vitest';
import { keyOf } from './controller.js';
import { usagePerNode } from './node-fit.js';
import { isPodTerminal } from './conditions.js';
import { trackNodeUsage } from './node-usage-tracker.js';
import { pod } from './testing/fixtures.js';
import { liveInformer } from './testing/live-informer.js';

const podKey = (p: Pod) => keyOf('pods', p);

describe('trackNodeUsage', () => {
  it('gives what usagePerNode sums over the whole view, through binds, finishes, resizes and deletes', () => {
    const { informer, put, remove } = liveInformer();
    put('pods', pod('early', { node: 'n1' }));
    const tracker = trackNodeUsage(informer);
    let s = 99;
    const rnd = (n: number) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s % n;
    };
    const assumed = new Map<string, string>();
    for (let step = 0; step < 3000; step++) {
      const op = rnd(10);
      const name = `p${rnd(25)}`;
      if (op < 7) {
        const p = pod(name, { node: ['', 'n1', 'n2', 'n3'][rnd(4)], phase: rnd(6) === 0 ? 'Succeeded' : 'Running' });
        if (!p.spec.nodeName) delete p.spec.nodeName;
        const cpu = `${100 * rnd(4)}m`;
        p.spec.containers = [{ name: 'c', image: 'i', resources: { requests: { cpu, memory: `${rnd(3)}Mi` } } }];
        const current = informer.lister('pods').byKey(`pods/default/${name}`);
        // Half the updates only change the status, keeping the spec object (as a node's status record does).
        if (current && rnd(2) === 0) put('pods', { ...current, status: { ...current.status, phase: p.status?.phase } });
        else put('pods', p);
      } else if (op < 9) {
        const existing = listObjects(informer.view, 'pods');
        const p = existing[rnd(existing.length || 1)];
        if (p) remove('pods', p);
      } else if (rnd(2) === 0) assumed.set(`pods/default/${name}`, ['n1', 'n2'][rnd(2)] as string);
      else assumed.delete(`pods/default/${name}`);
      const want = usagePerNode(listObjects(informer.view, 'pods'), assumed, podKey, isPodTerminal);
      expect(Object.fromEntries(tracker.usage(assumed)), `step ${step}`).toEqual(Object.fromEntries(want));
    }
  });
});
