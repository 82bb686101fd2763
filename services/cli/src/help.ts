/** The text `kemu help` prints. */
import type { Command } from './command.js';

/** Lists the commands (internal ones last) with their usage. */
export function helpText(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return [
    'kemu runs a Kubernetes-like cluster from real processes and network namespaces.',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --name C (default: $KEMU_CLUSTER, else "local"); state lives in $KEMU_HOME/C (default <repo>/.kemu/C).',
    "`kemu node` names the cluster with --cluster C instead, as its --name is the node's.",
    '',
    'Usage:',
    ...commands.map((c) => `  ${c.usage}`),
    '',
  ].join('\n');
}
