#!/usr/bin/env node
/**
 * `kemu`: parses the command line and dispatches to a command module. User errors are
 * printed as `error: ...` without a stack trace; only this file exits the process.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boolFlagSpec, parseArgs, stringFlag, valueFlagSpec } from './args.js';
import { resolveClusterContext } from './cluster-context.js';
import type { Command } from './command.js';
import { chaosCommand } from './commands/chaos.js';
import { composeCommand } from './commands/compose.js';
import { downCommand } from './commands/down.js';
import { eventsCommand } from './commands/events.js';
import { execCommand } from './commands/exec.js';
import { kubeconfigCommand } from './commands/kubeconfig.js';
import { logsCommand } from './commands/logs.js';
import { replayCommand } from './commands/replay.js';
import { nodeCommand } from './commands/node.js';
import { statusCommand } from './commands/status.js';
import { superviseCommand } from './commands/supervise.js';
import { upCommand } from './commands/up.js';
import { ConfigError } from '@kemu/config';
import { configFromEnv } from './config.js';
import { CliError, UsageError } from './errors.js';
import { helpText } from './help.js';

const cliMain = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(cliMain), '..', '..', '..');
const commands: Command[] = [
  upCommand,
  downCommand,
  statusCommand,
  kubeconfigCommand,
  execCommand,
  logsCommand,
  eventsCommand,
  replayCommand,
  chaosCommand,
  nodeCommand,
  composeCommand,
  superviseCommand,
];
const common = [valueFlagSpec('name'), boolFlagSpec('help', 'h')];

/** KEMU_DEBUG, once the configuration has been read. */
let debug = false;

async function main(argv: string[]): Promise<number> {
  debug = configFromEnv(process.env).debug;
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(helpText(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}" for "kemu"\nRun 'kemu help' for usage.`);
  const args = parseArgs(rest, [...common, ...command.flags]);
  if (args.flags.get('help') === true) {
    process.stdout.write(`${command.summary}\n\nUsage:\n  ${command.usage}\n`);
    return 0;
  }
  const ctx = resolveClusterContext({
    name: stringFlag(args, command.clusterFlag ?? 'name'),
    env: process.env,
    repoRoot,
  });
  return command.run({ ctx, args, env: process.env, stdout: process.stdout, stderr: process.stderr, cliMain });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      const e = err as Error;
      process.stderr.write(`error: ${e?.message ?? String(err)}\n`);
      if (debug) process.stderr.write(`${e?.stack ?? ''}\n`);
      process.exitCode = 1;
    }
  },
);
