/**
 * The data plane's hook for flow records: a listener asks it first whether to follow a
 * new connection (the node's sampling, flow-sample-rate.ts), then, right after a pick,
 * what the port was programmed with and why that endpoint, and hands it the finished
 * record. Absent when recording is off, so the off path costs one branch per connection;
 * a connection left out by sampling costs one more.
 */
import type { ConnectionFlow, FlowResult } from '@kemu/flows';

/** What the proxier knew when a listener picked an endpoint. */
export interface PickContext {
  /** ClientIP affinity chose the endpoint (else the round-robin turn). */
  sticky: boolean;
  candidates: readonly string[];
  sliceVersions: readonly string[];
  programmedAtSeq: number;
}

/** A listener's flow recording hook. */
export interface FlowTap {
  node: string;
  /** Whether to record a new connection: its sampling weight, or 0 to leave it out. */
  follow(): number;
  /** The context of the pick just made for this port. */
  pickContext(): PickContext;
  record(flow: ConnectionFlow): void;
}

/** The flow result of a failed dial or a broken connection, from its error code. */
export function resultOfError(err: unknown): FlowResult {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'refused';
  if (code === 'ETIMEDOUT' || (err instanceof Error && err.message.startsWith('dial timeout'))) return 'timeout';
  return 'reset';
}
