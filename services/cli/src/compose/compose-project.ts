/** One compose project of a cluster: `docker compose -p kemu-<cluster> -f infra/compose.yaml ...` with its variables. */
import { composeEnv, type ComposeState } from './compose-plan.js';
import { type CommandResult, mustRun, runCommand } from './compose-docker.js';

/** Runs compose subcommands for one cluster. */
export interface ComposeProject {
  /** Runs `compose <args>`; throws with its stderr when it fails. */
  run(args: string[]): Promise<string>;
  /** Runs `compose <args>` and returns what happened. */
  tryRun(args: string[]): Promise<CommandResult>;
  /** Ids of the running containers of a service. */
  containerIds(service: string): Promise<string[]>;
}

/** The compose project of `state`, run with `composeCommand` (from detectCompose). */
export function composeProject(composeCommand: string[], state: ComposeState, env: NodeJS.ProcessEnv): ComposeProject {
  const [bin, ...pre] = composeCommand as [string, ...string[]];
  const base = [...pre, '-p', state.project, '-f', state.composeFile];
  const e = composeEnv(state, env);
  return {
    run: (args) => mustRun(bin, [...base, ...args], e),
    tryRun: (args) => runCommand(bin, [...base, ...args], { env: e }),
    async containerIds(service) {
      const out = await mustRun(bin, [...base, 'ps', '-q', service], e);
      return out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    },
  };
}
