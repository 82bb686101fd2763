/** The shape of a `kemu` subcommand: its flags, help line and a run function main.ts dispatches to. */
import type { FlagSpec, ParsedArgs } from './args.js';
import type { ClusterContext } from './cluster-context.js';

/** What a command gets from main.ts. */
export interface CommandIO {
  ctx: ClusterContext;
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Absolute path of the CLI entry point (for spawning `kemu supervise`). */
  cliMain: string;
}

/** One subcommand. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  flags: FlagSpec[];
  /** Flag that names the cluster (default `name`); `kemu node` uses `cluster`, as its --name is the node's. */
  clusterFlag?: string;
  /** Runs the command; resolves with the process exit code. */
  run(io: CommandIO): Promise<number>;
}
