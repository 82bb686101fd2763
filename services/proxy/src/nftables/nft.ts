/**
 * Runs `nft` in the node's network namespace: one `nft -f -` per transaction (the kernel
 * commits it whole or not at all), or, with `session`, small transactions as one line of
 * a kept `nft -i` (the proxier's partial syncs, nft-session.ts: 48 → 22 ms for one change
 * among 1000 Services here) while large ones still go through `nft -f` (a full sync of
 * 1000 Services as one interactive line took twice as long), and a terse JSON listing of
 * kube-proxy's table for full syncs. When the proxy already runs inside the node's
 * netns, `netns` is left out.
 */
import { NetnsCommandError, run } from '@kemu/netns';
import { NftTransactionError } from './errors.js';
import { createNftSession } from './nft-session.js';
import type { ExistingObjects } from './plan-transaction.js';
import { TABLE } from './rule-set.js';

/** Transactions up to this many statements go through the session. */
const SESSION_MAX_STATEMENTS = 500;

/** Where nft runs. */
export interface NftOptions {
  /** Named netns to enter with `ip netns exec`; absent means the current one. */
  netns?: string;
  /** Applies small transactions through one kept `nft -i` (close() ends it) instead of an `nft -f` each. */
  session?: boolean;
}

/** The two nft operations a proxier needs. */
export interface Nft {
  /** Applies the statements as one transaction; throws NftTransactionError when nft refuses it. */
  apply(lines: readonly string[]): Promise<void>;
  /** The chains, sets and maps of kube-proxy's table, or empty lists when it does not exist. */
  listObjects(): Promise<ExistingObjects>;
  /** Deletes kube-proxy's table (proxy mode switched away, or tests cleaning up). */
  deleteTable(): Promise<void>;
  /** Ends the kept `nft -i`, if any. */
  close(): void;
}

/** A JSON nftables listing entry (`nft -j`). */
type NftJsonEntry = { chain?: { name: string }; set?: { name: string }; map?: { name: string } };

/** Creates an nft runner. */
export function createNft(options: NftOptions = {}): Nft {
  const cmd = (args: string[]): [string, string[]] =>
    options.netns ? ['ip', ['netns', 'exec', options.netns, 'nft', ...args]] : ['nft', args];
  const session = options.session
    ? createNftSession(options.netns ? ['ip', 'netns', 'exec', options.netns, 'nft'] : ['nft'])
    : undefined;

  return {
    async apply(lines) {
      if (lines.length === 0) return;
      if (session && lines.length <= SESSION_MAX_STATEMENTS) return session.apply(lines);
      const [c, args] = cmd(['-f', '-']);
      try {
        await run(c, args, { input: `${lines.join('\n')}\n`, timeoutMs: 60_000 });
      } catch (err) {
        const stderr = err instanceof NetnsCommandError ? err.stderr : String(err);
        throw new NftTransactionError(stderr, lines.length, { cause: err });
      }
    },
    async listObjects() {
      const [c, args] = cmd(['-j', '-t', 'list', 'table', ...TABLE.split(' ')]);
      let stdout: string;
      try {
        ({ stdout } = await run(c, args));
      } catch (err) {
        if (err instanceof NetnsCommandError && /No such file or directory/.test(err.stderr)) {
          return { chains: [], sets: [], maps: [] };
        }
        throw err;
      }
      const entries = (JSON.parse(stdout) as { nftables: NftJsonEntry[] }).nftables;
      const out = { chains: [] as string[], sets: [] as string[], maps: [] as string[] };
      for (const e of entries) {
        if (e.chain) out.chains.push(e.chain.name);
        else if (e.set) out.sets.push(e.set.name);
        else if (e.map) out.maps.push(e.map.name);
      }
      return out;
    },
    async deleteTable() {
      const [c, args] = cmd(['-f', '-']);
      await run(c, args, { input: `add table ${TABLE}\ndelete table ${TABLE}\n` });
    },
    close: () => session?.close(),
  };
}
