/**
 * The nftables objects of kube-proxy's table as plain data: chains with their rules, and
 * sets and maps with the elements the proxy owns. The renderer produces one; the planner
 * turns the difference between two into an `nft -f` transaction.
 */

/** nftables family and table every object lives in (kube-proxy's `ip kube-proxy`). */
export const TABLE = 'ip kube-proxy';

/** One chain: a base chain has a hook spec; its rules are nft rule statements. */
export interface NftChain {
  /** `type nat hook prerouting priority dstnat` for a base chain; absent for a regular one. */
  hook?: string;
  comment?: string;
  rules: string[];
}

/** A set or a map. */
export interface NftSet {
  kind: 'set' | 'map';
  /** Body of the definition without braces, e.g. `type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ;`. */
  spec: string;
  /** False for sets the kernel fills (affinity): a sync never flushes or edits their elements. */
  ownsElements: boolean;
  /** Element key → full element text (key, optional comment, `: value` for a map). */
  elements: Map<string, string>;
}

/** The whole table as a sync wants it. */
export interface RuleSet {
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
}

/** An empty rule set. */
export function emptyRuleSet(): RuleSet {
  return { chains: new Map(), sets: new Map() };
}

/** The `add chain` statement of a chain. */
export function chainDefinition(name: string, chain: NftChain): string {
  const parts: string[] = [];
  if (chain.hook) parts.push(`${chain.hook} ;`);
  if (chain.comment) parts.push(`comment ${quote(chain.comment)} ;`);
  return parts.length > 0 ? `add chain ${TABLE} ${name} { ${parts.join(' ')} }` : `add chain ${TABLE} ${name}`;
}

/** The `add set`/`add map` statement of a set. */
export function setDefinition(name: string, set: NftSet): string {
  return `add ${set.kind} ${TABLE} ${name} { ${set.spec} }`;
}

/** A string as an nft quoted string (names here never hold quotes; refuse rather than escape). */
export function quote(text: string): string {
  if (text.includes('"')) throw new Error(`nft comment cannot hold a quote: ${text}`);
  return `"${text}"`;
}

/** Two chains with the same definition and rules. */
export function sameChain(a: NftChain, b: NftChain): boolean {
  return a === b || (a.hook === b.hook && a.comment === b.comment && sameList(a.rules, b.rules));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
