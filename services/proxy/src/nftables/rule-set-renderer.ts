/**
 * renderRuleSet with a memory: a service port whose inputs (its ServicePortInfo and
 * endpoint list) did not change since the last render reuses its fragment, chain
 * objects included, so a sync of one change among 1000 Services hashes and formats one
 * service port, and the planner's comparison of unchanged chains is an identity check.
 */
import { parseCidr } from '@kemu/api';
import type { DesiredServicePort } from '../desired-state.js';
import {
  type RenderOptions,
  type ServicePortFragment,
  addFragment,
  renderServicePort,
  renderSkeletonRuleSet,
} from './render-rule-set.js';
import type { RuleSet } from './rule-set.js';

/** A renderer that remembers each service port's last fragment. */
export interface RuleSetRenderer {
  /** The whole table for a desired state, equal to renderRuleSet(desired, options). */
  render(desired: ReadonlyMap<string, DesiredServicePort>): RuleSet;
}

/** Creates a renderer with an empty memory. */
export function createRuleSetRenderer(options: RenderOptions = {}): RuleSetRenderer {
  const cluster = options.clusterCIDR ? parseCidr(options.clusterCIDR) : undefined;
  let memory = new Map<string, { input: string; fragment: ServicePortFragment }>();
  return {
    render(desired) {
      const out = renderSkeletonRuleSet(options);
      const next = new Map<string, { input: string; fragment: ServicePortFragment }>();
      for (const [spn, d] of desired) {
        const input = `${JSON.stringify(d.info)}|${d.endpoints.join(',')}`;
        const known = memory.get(spn);
        const fragment = known && known.input === input ? known.fragment : renderServicePort(d, options, cluster);
        next.set(spn, { input, fragment });
        addFragment(out, fragment);
      }
      memory = next;
      return out;
    },
  };
}
