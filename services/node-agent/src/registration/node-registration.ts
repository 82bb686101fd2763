/**
 * The node-agent's own Node object: registered (created or brought up to date) at start,
 * then a heartbeat refreshes lastHeartbeatTime of its conditions every period. Fields
 * others own (spec.unschedulable, taints, extra labels and annotations) are kept.
 */
import { type NodeFacts, desiredNode } from '@kemu/kubelet';
import { getObject, type ObjectWriter, type View } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';

export { KUBELET_VERSION, desiredNode, nodeConditions } from '@kemu/kubelet';
export type { NodeFacts } from '@kemu/kubelet';

/** Options of the registration. */
export interface NodeRegistrationOptions {
  writer: ObjectWriter;
  view: View;
  facts: NodeFacts;
  heartbeatMs: number;
  log: Logger;
}

/** Registration plus heartbeat. */
export interface NodeRegistration {
  /** Creates or updates the Node; resolves once stored. */
  register(): Promise<void>;
  /** Starts the heartbeat timer. */
  start(): void;
  stop(): void;
}

/** Creates the node's registration. */
export function createNodeRegistration(options: NodeRegistrationOptions): NodeRegistration {
  const { writer, view, facts, log } = options;
  const key = { resource: 'nodes' as const, namespace: '', name: facts.name };
  let timer: NodeJS.Timeout | undefined;

  async function register(): Promise<void> {
    const now = new Date().toISOString();
    const existing = getObject(view, key);
    if (!existing) {
      await writer.put(key, desiredNode(undefined, facts, now));
      log.info({ node: facts.name }, 'node registered');
      return;
    }
    await writer.update(key, (current) => desiredNode(current, facts, new Date().toISOString()));
  }

  async function heartbeat(): Promise<void> {
    try {
      await register();
    } catch (err) {
      log.warn({ err }, 'node heartbeat failed');
    }
  }

  return {
    register,
    start() {
      timer ??= setInterval(() => void heartbeat(), options.heartbeatMs);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
