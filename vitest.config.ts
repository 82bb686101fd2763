import { configDefaults, defineConfig } from 'vitest/config';

// vitest 5's reporter calls Map.groupBy, which Node 20 lacks (Node 21 has it).
if (!('groupBy' in Map)) {
  Object.defineProperty(Map, 'groupBy', {
    value<K, V>(items: Iterable<V>, keyOf: (item: V, index: number) => K): Map<K, V[]> {
      const groups = new Map<K, V[]>();
      let i = 0;
      for (const item of items) {
        const k = keyOf(item, i++);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
      }
      return groups;
    },
  });
}

/**
 * Four test layers, told apart by file name (`*.test.ts` outside test/ is pure):
 * - unit: pure tests beside the code; processes at most, no server, no root.
 * - integration (`*.integration.test.ts`): a real nats-server on a free port.
 * - privileged (`*.privileged.test.ts`): root for netns, links, routes, cgroups; fails
 *   without root (see packages/testkit/src/privileged-setup.ts). A file that needs root
 *   and NATS is privileged.
 * - e2e (`test/src`): real clusters started by the CLI, one file at a time.
 */
const besideTheCode = ['packages/*/src/**/', 'services/*/src/**/'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: besideTheCode.map((d) => `${d}*.test.ts`),
          exclude: [...configDefaults.exclude, '**/*.integration.test.ts', '**/*.privileged.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: besideTheCode.map((d) => `${d}*.integration.test.ts`),
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'privileged',
          include: besideTheCode.map((d) => `${d}*.privileged.test.ts`),
          setupFiles: ['packages/testkit/src/privileged-setup.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/src/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
