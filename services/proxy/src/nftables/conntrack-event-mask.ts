/**
 * Limits the conntrack events of a node netns to the flows the records need. Once a
 * process listens, the kernel builds an event message in the packet path for every state
 * change of every entry, pod-to-pod traffic included; `ct event set` on a flow's first
 * packet sets which events its entry may send. Flows to the service CIDR keep NEW,
 * DESTROY and the TCP state changes (protoinfo); every other flow sends none. The mask
 * lives in its own table, so kube-proxy's table and its transactions stay as upstream
 * renders them, and it goes away when recording stops.
 *
 * Sampling happens here too, in the kernel: with `sampleEvery` N > 1 only one new
 * service flow in N (`numgen random mod N`) gets events at all, so the flows left out
 * cost neither the kernel's event messages nor this process's parsing. A followed flow's
 * conntrack mark says it is followed and with which weight (SAMPLED_MARK plus log2 N in
 * WEIGHT_BITS), so a record carries the weight its flow was sampled with even while the
 * rate changes, and counter listings ask the kernel for followed entries only.
 */
import { samplePeriod } from '../flow-sample-rate.js';
import type { Nft } from './nft.js';

/** The table holding the event mask. */
export const EVENT_MASK_TABLE = 'ip kemu-flows';

/** Conntrack mark bit of a followed flow (kube-proxy marks packets, never conntrack entries). */
export const SAMPLED_MARK = 0x8000_0000;
/** Conntrack mark bits holding log2 of a followed flow's sampling weight. */
const WEIGHT_SHIFT = 24;
const WEIGHT_BITS = 0x0f;

/** `conntrack -m` filter for followed entries: the kernel skips the rest of a listing. */
export const SAMPLED_MARK_FILTER = `0x${SAMPLED_MARK.toString(16)}/0x${SAMPLED_MARK.toString(16)}`;

/** The conntrack mark of a flow followed one in `sampleEvery` (a power of two). */
export function sampledMark(sampleEvery: number): number {
  return (SAMPLED_MARK | (Math.log2(samplePeriod(sampleEvery)) << WEIGHT_SHIFT)) >>> 0;
}

/** The sampling weight a followed entry's mark carries (1 for an unmarked one). */
export function weightOfMark(mark: number | undefined): number {
  if (mark === undefined || (mark & SAMPLED_MARK) === 0) return 1;
  return 2 ** ((mark >>> WEIGHT_SHIFT) & WEIGHT_BITS);
}

/** The nft statements that (re)create the event mask table for `serviceCIDR`, following one flow in `sampleEvery`. */
export function eventMaskStatements(serviceCIDR: string, sampleEvery = 1): string[] {
  const every = samplePeriod(sampleEvery);
  const pick = every > 1 ? ` numgen random mod ${every} 0` : '';
  const mark = `0x${sampledMark(every).toString(16)}`;
  const chain = (hook: string) => [
    `  chain ${hook} {`,
    `    type filter hook ${hook} priority mangle; policy accept;`,
    `    ct state new ct original ip daddr ${serviceCIDR}${pick} ct mark set ${mark} ct event set new,destroy,protoinfo accept`,
    '    ct state new ct event set 0x0',
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
export async function applyEventMask(nft: Nft, serviceCIDR: string, sampleEvery = 1): Promise<void> {
  await nft.apply(eventMaskStatements(serviceCIDR, sampleEvery));
}

/** Deletes the event mask table (absent is fine). */
export async function removeEventMask(nft: Nft): Promise<void> {
  await nft.apply([`add table ${EVENT_MASK_TABLE}`, `delete table ${EVENT_MASK_TABLE}`]);
}
