/**
 * Where flow records live: one bounded JetStream stream, beside (not inside) the event
 * log, because flows are observations, not state. Subjects: `kemu.flows.<kind>.<node>`,
 * so a reader can follow one node or one kind. Each message is a batch of records.
 */

/** The flow stream's name. */
export const FLOW_STREAM = 'FLOWS';

/** Every flow subject starts with this. */
export const FLOW_SUBJECT_PREFIX = 'kemu.flows';

/** The subject a node's batches of one kind go to. */
export function flowSubject(kind: 'conn' | 'dns', node: string): string {
  return `${FLOW_SUBJECT_PREFIX}.${kind}.${node.replace(/[.*> ]/g, '_') || '_'}`;
}
