/**
 * Limits the conntrack events of a node netns to the flows the records need. Once a
 * process listens, the kernel builds an event message in the packet path for every state
 * change of every entry, pod-to-pod traffic included; `ct event set` on a flow's first
 * packet sets which events its entry may send. Flows to the service CIDR keep NEW,
 * DESTROY and the TCP state changes (protoinfo); every other flow sends none. The mask
 * lives in its own table, so kube-proxy's table and its transactions stay as upstream
 * renders them, and it goes away when recording stops.
 */
import type { Nft } from './nft.js';

/** The table holding the event mask. */
export const EVENT_MASK_TABLE = 'ip kemu-flows';

/** The nft statements that (re)create the event mask table for `serviceCIDR`. */
export function eventMaskStatements(serviceCIDR: string): string[] {
  const chain = (hook: string) => [
    `  chain ${hook} {`,
    `    type filter hook ${hook} priority mangle; policy accept;`,
    `    ct state new ct original ip daddr ${serviceCIDR} ct event set new,destroy,protoinfo`,
    `    ct state new ct original ip daddr != ${serviceCIDR} ct event set 0x0`,
    '  }',
  ];
  return [
    `add table ${EVENT_MASK_TABLE}`,
    `delete table ${EVENT_MASK_TABLE}`,
    `table ${EVENT_MASK_TABLE} {`,
    ...chain('prerouting'),
    ...chain('output'),
    '}',
  ];
}

/** Creates or replaces the event mask table. */
export async function applyEventMask(nft: Nft, serviceCIDR: string): Promise<void> {
  await nft.apply(eventMaskStatements(serviceCIDR));
}

/** Deletes the event mask table (absent is fine). */
export async function removeEventMask(nft: Nft): Promise<void> {
  await nft.apply([`add table ${EVENT_MASK_TABLE}`, `delete table ${EVENT_MASK_TABLE}`]);
}
