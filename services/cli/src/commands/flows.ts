/**
 * `kemu flows`: the flow records (connections through each node's proxy, queries to the
 * cluster DNS) kept on the FLOWS stream, one line each or JSON lines; `-f` follows.
 */
import { type FlowRecord, formatFlow, readFlows } from '@kemu/flows';
import { boolFlag, boolFlagSpec, stringFlag, valueFlagSpec } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { connectClusterLog } from '../client/event-log-client.js';
import { UsageError } from '../errors.js';

/** Whether a record concerns Service `service` (`name`, `ns/name` or `ns/name:port`); DNS records match by query name. */
export function flowMatchesService(r: FlowRecord, service: string): boolean {
  const [ns, name] = service.includes('/') ? service.split('/', 2) : [undefined, service];
  if (r.kind === 'conn') {
    const [rns, rest = ''] = r.service.split('/', 2);
    const rname = rest.split(':')[0];
    return (ns === undefined || ns === rns) && (name === rname || name === rest);
  }
  const labels = r.name.replace(/\.$/, '').split('.');
  return labels[0] === name && (ns === undefined || labels[1] === ns);
}

async function runFlows(io: CommandIO): Promise<number> {
  const output = stringFlag(io.args, 'output');
  if (output !== undefined && output !== 'json')
    throw new UsageError(`unsupported output format "${output}": want json`);
  const service = stringFlag(io.args, 'service');
  const { eventLog } = await connectClusterLog(io.ctx, 'flows');
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  io.stdout.on('error', stop);
  try {
    for await (const { seq, record } of readFlows(eventLog.js, eventLog.jsm, {
      follow: boolFlag(io.args, 'follow'),
      signal: abort.signal,
    })) {
      if (abort.signal.aborted) break;
      if (service !== undefined && !flowMatchesService(record, service)) continue;
      io.stdout.write(output === 'json' ? `${JSON.stringify({ seq, ...record })}\n` : `${formatFlow(record)}\n`);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await eventLog.close();
  }
  return 0;
}

/** `kemu flows`. */
export const flowsCommand: Command = {
  name: 'flows',
  usage: 'kemu flows [-f] [--service [NAMESPACE/]NAME] [-o json]',
  summary: 'print recorded connections and DNS queries: client, Service, node, endpoint, result, bytes (-f follows)',
  flags: [boolFlagSpec('follow', 'f'), valueFlagSpec('service'), valueFlagSpec('output', 'o')],
  run: runFlows,
};
