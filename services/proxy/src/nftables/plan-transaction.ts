/**
 * Plans one `nft -f` transaction from the rule set applied last and the one wanted now.
 * A full sync (nothing applied yet, or a periodic resync) re-adds every object, flushes
 * and rewrites every chain and owned set, and deletes whatever else the kernel's table
 * holds; a partial sync writes only chains, sets and elements that changed. Affinity
 * sets are never flushed, so sticky clients survive both. The statements are ordered so
 * that everything the kernel checks at commit holds: chains and sets exist before rules
 * and elements refer to them, and a chain or set is deleted only after the rules and
 * elements that referred to it were flushed or deleted in the same transaction.
 */
import {
  type NftChain,
  type NftSet,
  type RuleSet,
  TABLE,
  chainDefinition,
  quote,
  sameChain,
  setDefinition,
} from './rule-set.js';

/** Names of the chains and sets the kernel's table holds (from `nft list`), for a full sync. */
export interface ExistingObjects {
  chains: readonly string[];
  sets: readonly string[];
  maps: readonly string[];
}

/** What to write: the applied rule set (absent for a full sync) and the objects the kernel holds. */
export interface PlanInput {
  applied: RuleSet | undefined;
  wanted: RuleSet;
  existing?: ExistingObjects;
}

/** Most elements in one `add element` statement (keeps lines of a 1000-Service sync readable for nft). */
const ELEMENTS_PER_STATEMENT = 500;

/** The transaction's statements, one per line; empty when nothing changed. */
export function planTransaction({ applied, wanted, existing }: PlanInput): string[] {
  const full = applied === undefined;
  const before: RuleSet = applied ?? { chains: new Map(), sets: new Map() };
  const lines: string[] = [];
  const addChain: string[] = [];
  const flushChain: string[] = [];
  const rewrite: string[] = [];
  const deleteChain: string[] = [];
  const deleteSet: string[] = [];
  const addSet: string[] = [];
  const deleteElements: string[] = [];
  const addElements: string[] = [];

  const redefined = new Set<string>();
  for (const [name, set] of wanted.sets) {
    const old = before.sets.get(name);
    if (!full && old && old.spec !== set.spec) redefined.add(name);
  }
  const refersToRedefined = (chain: NftChain) =>
    redefined.size > 0 &&
    chain.rules.some((r) => [...redefined].some((s) => r.includes(`@${s} `) || r.endsWith(`@${s}`)));

  for (const [name, chain] of wanted.chains) {
    const old = before.chains.get(name);
    if (full || !old) addChain.push(chainDefinition(name, chain));
    if (full || (old && (!sameChain(old, chain) || refersToRedefined(chain)))) flushChain.push(name);
    if (full || !old || !sameChain(old, chain) || refersToRedefined(chain)) rewrite.push(name);
  }
  const staleChains = new Set<string>(existing?.chains ?? []);
  for (const name of before.chains.keys()) staleChains.add(name);
  for (const name of wanted.chains.keys()) staleChains.delete(name);
  for (const name of staleChains) {
    flushChain.push(name);
    deleteChain.push(name);
  }

  const staleSets = new Map<string, NftSet['kind']>();
  for (const name of existing?.sets ?? []) staleSets.set(name, 'set');
  for (const name of existing?.maps ?? []) staleSets.set(name, 'map');
  for (const [name, set] of before.sets) staleSets.set(name, set.kind);
  for (const name of wanted.sets.keys()) staleSets.delete(name);
  for (const [name, kind] of staleSets) deleteSet.push(`delete ${kind} ${TABLE} ${name}`);
  for (const name of redefined) deleteSet.push(`delete ${wanted.sets.get(name)?.kind} ${TABLE} ${name}`);

  for (const [name, set] of wanted.sets) {
    const old = redefined.has(name) ? undefined : before.sets.get(name);
    if (full || !old) addSet.push(setDefinition(name, set));
    if (!set.ownsElements) continue;
    if (full || !old) {
      if (full) addSet.push(`flush ${set.kind} ${TABLE} ${name}`);
      pushElements(addElements, name, [...set.elements.values()]);
      continue;
    }
    const gone: string[] = [];
    const added: string[] = [];
    for (const [key, text] of old.elements) if (set.elements.get(key) !== text) gone.push(key);
    for (const [key, text] of set.elements) if (old.elements.get(key) !== text) added.push(text);
    pushElements(deleteElements, name, gone, 'delete');
    pushElements(addElements, name, added);
  }

  if (full) lines.push(`add table ${TABLE} { comment ${quote('rules for kube-proxy')} ; }`);
  lines.push(...addChain);
  for (const name of flushChain) lines.push(`flush chain ${TABLE} ${name}`);
  lines.push(...deleteElements);
  lines.push(...deleteSet);
  lines.push(...addSet);
  for (const name of rewrite) {
    for (const rule of (wanted.chains.get(name) as NftChain).rules) lines.push(`add rule ${TABLE} ${name} ${rule}`);
  }
  lines.push(...addElements);
  for (const name of deleteChain) lines.push(`delete chain ${TABLE} ${name}`);
  return lines;
}

function pushElements(out: string[], name: string, items: readonly string[], verb: 'add' | 'delete' = 'add'): void {
  for (let i = 0; i < items.length; i += ELEMENTS_PER_STATEMENT) {
    out.push(`${verb} element ${TABLE} ${name} { ${items.slice(i, i + ELEMENTS_PER_STATEMENT).join(', ')} }`);
  }
}
