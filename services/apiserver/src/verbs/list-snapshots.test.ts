import type { KubeObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { listFixture, object } from '../testing/list-fixture.js';
import { decodeContinue } from './continue-token.js';
import { type ListPage, listPage } from './list-page.js';
import type { ListSource } from './list-snapshots.js';

const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
const podName = (i: number) => `pod-${String(i).padStart(6, '0')}`;

/** `n` pods over 10 namespaces, and two Events each in the same view (as a cluster's log holds them). */
function sized(n: number) {
  const pods = Array.from({ length: n }, (_, i) => object(`ns-${i % 10}`, podName(i)));
  const f = listFixture('pods', pods);
  for (const p of pods)
    for (const r of ['a', 'b'])
      f.view.objects.set(`events/${p.metadata.namespace}/${p.metadata.name}.${r}`, object('x', 'y', 'a', 'Event'));
  return f;
}

function page(list: ListSource, limit: number | undefined, start?: string, namespace?: string): ListPage {
  return listPage(list, { namespace, limit, start, matches: () => true, filtered: false });
}

describe('list snapshots', () => {
  it("visits a page's items alone: the same work at 1000 and 10 000 pods, and one pass over the view ever", () => {
    const cost = (n: number) => {
      const f = sized(n);
      const objects = f.view.objects;
      const passes = [objects.passes];
      let visited = 0;
      const counting = (start?: string) => ({
        namespace: undefined,
        limit: 500,
        start,
        matches: () => ++visited > 0,
        filtered: false,
      });
      const list = f.lists.current('pods');
      const first = listPage(list, counting());
      passes.push(objects.passes); // the index of pods, built on their first list
      listPage(f.lists.current('pods'), counting()); // another client's first page
      passes.push(objects.passes);
      f.lists.keep(list);
      f.put('pods', object('ns-9', 'pod-late')); // a write between pages, after the cursor
      objects.gets = 0;
      visited = 0;
      const second = listPage(
        f.lists.at('pods', list.rv) as ListSource,
        counting(decodeContinue(first.continue as string).start),
      );
      expect(second.items).toHaveLength(500);
      expect(second.remainingItemCount).toBe(n - 1000);
      passes.push(objects.passes);
      return { passes, gets: objects.gets, visited };
    };
    const small = cost(1000 + 1);
    const large = cost(10_000);
    expect(large).toEqual(small);
    // The page's items and one more to know more remain, read from the index, not the view.
    expect(large).toEqual({ passes: [0, 1, 1, 1], gets: 0, visited: 501 });
  });

  it('keeps a listed resource in step with the view, and indexes no resource never listed', () => {
    const f = listFixture('pods', [object('ns', 'a', 'v1')]);
    f.put('events', object('ns', 'e', 'x', 'Event'));
    expect(f.view.objects.passes).toBe(0);
    expect(page(f.lists.current('pods'), undefined).items[0]?.metadata.labels?.app).toBe('v1');
    f.put('pods', object('ns', 'a', 'v2'));
    f.put('pods', object('ns', 'b'));
    f.put('events', object('ns', 'f', 'x', 'Event'));
    expect(page(f.lists.current('pods'), undefined).items.map((o) => o.metadata.labels?.app)).toEqual(['v2', 'a']);
    expect(f.view.objects.passes).toBe(1);
    expect(names(page(f.lists.current('events'), undefined).items)).toEqual(['ns/e', 'ns/f']);
  });

  it('serves later pages as of the first page: later adds, deletes and updates show on none', () => {
    const f = listFixture(
      'pods',
      ['a', 'c', 'e', 'g', 'i'].map((n) => object('ns', n, 'v1')),
    );
    const list = f.lists.current('pods');
    const first = page(list, 2);
    expect(names(first.items)).toEqual(['ns/a', 'ns/c']);
    f.lists.keep(list);
    f.put('pods', object('ns', 'b')); // before the cursor
    f.put('pods', object('ns', 'd')); // after it
    f.remove('pods', 'ns', 'e');
    f.put('pods', object('ns', 'g', 'v2'));
    f.remove('pods', 'ns', 'c');
    f.put('pods', object('ns', 'c', 'again'));
    const later = f.lists.at('pods', list.rv) as ListSource;
    const second = page(later, 2, decodeContinue(first.continue as string).start);
    expect(names(second.items)).toEqual(['ns/e', 'ns/g']);
    expect(second.items[1]?.metadata.labels?.app).toBe('v1');
    expect(second.remainingItemCount).toBe(1);
    expect(second.resourceVersion).toBe(String(list.rv));
    // Written after the second page too: the third still reads as of the first.
    f.put('pods', object('ns', 'h'));
    f.remove('pods', 'ns', 'i');
    const third = page(f.lists.at('pods', list.rv) as ListSource, 2, decodeContinue(second.continue as string).start);
    expect(names(third.items)).toEqual(['ns/i']);
    expect(third.continue).toBeUndefined();
    expect(names(page(f.lists.current('pods'), undefined).items)).toEqual(
      ['a', 'b', 'c', 'd', 'g', 'h'].map((n) => `ns/${n}`),
    );
  });

  it("builds another apiserver's page from the history, and answers undefined once the history no longer reaches back", () => {
    const f = listFixture('pods', [object('ns', 'a'), object('ns', 'b')], { changes: 2 });
    const rv = f.view.seq;
    f.remove('pods', 'ns', 'b');
    expect(names(page(f.lists.at('pods', rv) as ListSource, 1, 'ns/a\u0000').items)).toEqual(['ns/b']);
    f.put('pods', object('ns', 'c'));
    f.put('pods', object('ns', 'd'));
    expect(f.lists.at('pods', rv)).toBeUndefined();
    expect(f.lists.at('pods', f.view.seq + 1)).toBeUndefined();
  });

  it('keeps namespaces apart whose names share a prefix, and cluster-scoped keys', () => {
    const f = listFixture('pods', [object('a', 'x'), object('a-b', 'y'), object('ab', 'z'), object('a', 'w')]);
    expect(names(page(f.lists.current('pods'), undefined, undefined, 'a').items)).toEqual(['a/w', 'a/x']);
    expect(page(f.lists.current('pods'), 1, undefined, 'a').remainingItemCount).toBe(1);
    expect(names(page(f.lists.current('pods'), undefined, undefined, 'ab').items)).toEqual(['ab/z']);
    f.put('nodes', object('', 'node-2'));
    f.put('nodes', object('', 'node-1'));
    const nodes = page(f.lists.current('nodes'), undefined).items;
    expect(nodes.map((n) => n.metadata.name)).toEqual(['node-1', 'node-2']);
    expect(page(f.lists.current('services'), undefined).items).toEqual([]);
  });
});
