/**
 * Runs `conntrack` in the node's network namespace. `conntrack -D` exits 1 when no entry
 * matched ("0 flow entries have been deleted"); that is success here.
 */
import { NetnsCommandError, run } from '@kemu/netns';
import { type ConntrackFilter, conntrackDeleteArgs } from './conntrack-cleanup.js';
import { ConntrackCommandError } from './errors.js';

/** Where conntrack runs. */
export interface ConntrackOptions {
  /** Named netns to enter with `ip netns exec`; absent means the current one. */
  netns?: string;
}

/** The conntrack operations a proxier needs. */
export interface Conntrack {
  /** Deletes the entries a filter names; resolves with how many were deleted. */
  deleteEntries(filter: ConntrackFilter): Promise<number>;
}

const DELETED = /(\d+) flow entries have been deleted/;

/** Creates a conntrack runner. */
export function createConntrack(options: ConntrackOptions = {}): Conntrack {
  return {
    async deleteEntries(filter) {
      const args = conntrackDeleteArgs(filter);
      const [c, a] = options.netns
        ? ['ip', ['netns', 'exec', options.netns, 'conntrack', ...args]]
        : ['conntrack', args];
      try {
        const { stderr } = await run(c, a);
        return Number(DELETED.exec(stderr)?.[1] ?? 0);
      } catch (err) {
        if (err instanceof NetnsCommandError && err.exitCode === 1 && DELETED.test(err.stderr)) return 0;
        const stderr = err instanceof NetnsCommandError ? err.stderr : String(err);
        throw new ConntrackCommandError(args, stderr, { cause: err });
      }
    },
  };
}
