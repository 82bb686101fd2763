/** `kemu down`: removes every process, netns, link and file of a cluster; safe to run twice. */
import type { Command, CommandIO } from '../command.js';
import { PrerequisiteError } from '../errors.js';
import { teardownCluster } from '../cluster/teardown.js';

async function runDown(io: CommandIO): Promise<number> {
  const { ctx } = io;
  if (process.getuid?.() !== 0)
    throw new PrerequisiteError('kemu down needs root (it deletes network namespaces): run it with sudo');
  io.stderr.write(`Deleting cluster "${ctx.cluster}" ...\n`);
  const { found } = await teardownCluster(ctx, (msg) => io.stderr.write(` • ${msg}\n`));
  io.stdout.write(
    found ? `Deleted cluster "${ctx.cluster}"\n` : `cluster ${ctx.cluster} is not running (nothing to delete)\n`,
  );
  return 0;
}

/** `kemu down`. */
export const downCommand: Command = {
  name: 'down',
  usage: 'kemu down [--name C]',
  summary: 'stop a cluster and remove everything it created',
  flags: [],
  run: runDown,
};
