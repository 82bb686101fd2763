import { createLogger } from '@kemu/log';
import { describe, expect, it } from 'vitest';
import { type StoredEvent, createCatchUp } from './catch-up.js';

const log = createLogger({ component: 'test', level: 'silent' });
const event = (seq: number): StoredEvent => ({ seq, subject: `kemu.obj.pods.default.p${seq}`, data: new Uint8Array() });

// A log holding sequences 1..last, read after `applied`.
function setup(last: number, max = 500) {
  let applied = 0;
  let reads = 0;
  let failAt: number | undefined;
  let released = 0;
  const catchUp = createCatchUp({
    async readNext(after) {
      reads++;
      if (failAt !== undefined && after + 1 >= failAt) throw new Error('no responders');
      return after < last ? event(after + 1) : null;
    },
    appliedSeq: () => applied,
    apply(e) {
      if (e.seq <= applied) return false;
      applied = e.seq;
      return true;
    },
    afterEach: () => released++,
    isStopped: () => false,
    max,
    log,
  });
  return {
    catchUp,
    applied: () => applied,
    reads: () => reads,
    released: () => released,
    failFrom: (seq: number) => (failAt = seq),
  };
}

describe('createCatchUp', () => {
  it('applies the events after the last applied one until the log has no more', async () => {
    const s = setup(3);
    expect(await s.catchUp()).toBe(3);
    expect(s.applied()).toBe(3);
    expect(s.released()).toBe(3);
    expect(await s.catchUp()).toBe(0);
  });

  it('reads at most max events per run', async () => {
    const s = setup(10, 4);
    expect(await s.catchUp()).toBe(4);
    expect(await s.catchUp()).toBe(4);
    expect(s.applied()).toBe(8);
  });

  it('shares one running catch-up between callers', async () => {
    const s = setup(2);
    const [a, b] = await Promise.all([s.catchUp(), s.catchUp()]);
    expect(a).toBe(2);
    expect(b).toBe(2);
    expect(s.reads()).toBe(3);
  });

  it('reports undefined when the stream does not answer, and what it applied before a failure', async () => {
    const s = setup(5);
    s.failFrom(1);
    expect(await s.catchUp()).toBeUndefined();
    const t = setup(5);
    t.failFrom(3);
    expect(await t.catchUp()).toBe(2);
  });

  it('skips to the stream horizon when no followed event comes after the applied one', async () => {
    let applied = 2;
    let released = 0;
    const catchUp = createCatchUp({
      readNext: async (after) => (after < 4 ? event(4) : null),
      horizon: async () => 9,
      skipTo: (seq) => {
        applied = seq;
      },
      appliedSeq: () => applied,
      apply(e) {
        if (e.seq <= applied) return false;
        applied = e.seq;
        return true;
      },
      afterEach: () => released++,
      isStopped: () => false,
      max: 500,
      log,
    });
    expect(await catchUp()).toBe(1);
    expect(applied).toBe(9);
    expect(released).toBe(2);
  });

  it('reads nothing when the stream holds nothing after the applied event', async () => {
    let reads = 0;
    const catchUp = createCatchUp({
      readNext: async () => {
        reads++;
        return null;
      },
      horizon: async () => 5,
      appliedSeq: () => 5,
      apply: () => true,
      afterEach: () => undefined,
      isStopped: () => false,
      max: 500,
      log,
    });
    expect(await catchUp()).toBe(0);
    expect(reads).toBe(0);
  });

  it('leaves events past the horizon to the consumer', async () => {
    let applied = 2;
    const catchUp = createCatchUp({
      readNext: async (after) => (after < 4 ? event(4) : event(12)),
      horizon: async () => 9,
      skipTo: (seq) => {
        applied = seq;
      },
      appliedSeq: () => applied,
      apply(e) {
        applied = e.seq;
        return true;
      },
      afterEach: () => undefined,
      isStopped: () => false,
      max: 500,
      log,
    });
    expect(await catchUp()).toBe(1);
    expect(applied).toBe(9);
  });
});
