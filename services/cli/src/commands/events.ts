/**
 * `kemu events`: the cluster's event log in human form (or JSON lines), each event with
 * what changed against the object's previous version; `-f` keeps following it.
 */
import { resourceTypes } from '@kemu/api';
import { type ReadHistoryOptions, readHistory } from '@kemu/eventlog';
import { boolFlag, boolFlagSpec, stringFlag, valueFlagSpec } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { UsageError } from '../errors.js';
import { connectClusterLog } from '../client/event-log-client.js';
import { entryJson, formatEntryLine, withChanges } from '../format/history-format.js';
import { parseMoment } from '../moment.js';

/** The plural resource name of what kubectl would accept (`po`, `pod`, `pods`, `ep`, `deploy.apps`). */
export function resolveResource(name: string): string {
  const [base = '', group] = name.toLowerCase().split(/\.(.*)/s);
  const type = resourceTypes.find(
    (t) =>
      (group === undefined || t.group === group) &&
      (t.resource === base || t.singular === base || t.shortNames.includes(base)),
  );
  if (!type) throw new UsageError(`the server doesn't have a resource type "${name}"`);
  return type.resource;
}

/** Turns the command's flags into a history range and filter. */
export function historyOptions(io: Pick<CommandIO, 'args'>, now = Date.now()): ReadHistoryOptions {
  const { args } = io;
  const options: ReadHistoryOptions = { follow: boolFlag(args, 'follow') };
  const since = stringFlag(args, 'since');
  if (since !== undefined) {
    const m = parseMoment(since, 'since', now);
    if ('seq' in m) options.fromSeq = m.seq;
    else options.since = m.time;
  }
  const until = stringFlag(args, 'until');
  if (until !== undefined) {
    const m = parseMoment(until, 'until', now);
    if ('seq' in m) options.untilSeq = m.seq;
    else options.until = m.time;
  }
  const resources = stringFlag(args, 'resource')
    ?.split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map(resolveResource);
  options.filter = {
    resources,
    namespace: stringFlag(args, 'namespace'),
    labelSelector: stringFlag(args, 'selector'),
  };
  return options;
}

async function runEvents(io: CommandIO): Promise<number> {
  const output = stringFlag(io.args, 'output');
  if (output !== undefined && output !== 'json')
    throw new UsageError(`unsupported output format "${output}": want json`);
  const options = historyOptions(io);
  const { eventLog } = await connectClusterLog(io.ctx, 'events');
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A reader that went away (`| head`) ends the command as Ctrl-C does; the handler stays,
  // as a write error can be emitted after the loop has ended.
  io.stdout.on('error', stop);
  try {
    for await (const read of readHistory(eventLog, { ...options, signal: abort.signal })) {
      if (abort.signal.aborted) break;
      const entry = withChanges(read);
      io.stdout.write(output === 'json' ? `${JSON.stringify(entryJson(entry))}\n` : `${formatEntryLine(entry)}\n`);
    }
  } catch (err) {
    if ((err as { code?: number }).code === 400) throw new UsageError((err as Error).message);
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await eventLog.close();
  }
  return 0;
}

/** `kemu events`. */
export const eventsCommand: Command = {
  name: 'events',
  usage:
    'kemu events [-f] [--since 5m|RFC3339|seq:N] [--until ...] [-l selector] [--resource pods,endpoints] [-n namespace] [-o json]',
  summary: 'print the event log: time, sequence, actor, verb, object and what changed (-f follows it)',
  flags: [
    boolFlagSpec('follow', 'f'),
    valueFlagSpec('since'),
    valueFlagSpec('until'),
    valueFlagSpec('selector', 'l'),
    valueFlagSpec('resource'),
    valueFlagSpec('namespace', 'n'),
    valueFlagSpec('output', 'o'),
  ],
  run: runEvents,
};
