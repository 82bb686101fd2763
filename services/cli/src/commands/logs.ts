/** `kemu logs COMPONENT [--node N] [-f]`: prints (or follows) a component's log file. */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { boolFlag, boolFlagSpec, intFlag, valueFlagSpec } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { CliError, UsageError } from '../errors.js';

const perNode = ['node-agent', 'proxy', 'dns'];

async function runLogs(io: CommandIO): Promise<number> {
  const { ctx, args } = io;
  const [component] = args.positionals;
  const available = existsSync(ctx.paths.logsDir)
    ? (await readdir(ctx.paths.logsDir))
        .filter((f) => f.endsWith('.log'))
        .map((f) => f.slice(0, -4))
        .sort()
    : [];
  if (!component)
    throw new UsageError(
      `component is required: kemu logs COMPONENT [--node N] [-f]\navailable: ${available.join(', ') || 'none'}`,
    );
  let base = component;
  if (args.flags.has('node')) base = `${component}-node-${intFlag(args, 'node', 1, 1, 1000)}`;
  else if (perNode.includes(component)) {
    throw new UsageError(
      `${component} runs on every node: add --node N (available: ${available.filter((a) => a.startsWith(component)).join(', ')})`,
    );
  }
  const file = join(ctx.paths.logsDir, `${base}.log`);
  if (!existsSync(file)) {
    throw new CliError(
      'NotFound',
      `no log for ${base} in cluster ${ctx.cluster} (available: ${available.join(', ') || 'none'})`,
    );
  }
  if (boolFlag(args, 'follow')) {
    const tail = spawn('tail', ['-n', '+1', '-F', file], { stdio: 'inherit' });
    return new Promise((resolve) => tail.once('exit', (code) => resolve(code ?? 0)));
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.once('error', reject);
    stream.once('end', resolve);
    stream.pipe(io.stdout, { end: false });
  });
  return 0;
}

/** `kemu logs`. */
export const logsCommand: Command = {
  name: 'logs',
  usage: 'kemu logs COMPONENT [--node N] [-f]',
  summary: 'print the log of apiserver, controller, supervisor, nats-server, node-agent, proxy or dns',
  flags: [valueFlagSpec('node'), boolFlagSpec('follow', 'f')],
  run: runLogs,
};
