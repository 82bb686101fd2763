/**
 * `pnpm --filter @kemu/e2e bench:port-forward`: the port-forward rows of `pnpm bench`
 * alone (KEMU_BENCH_PORT_FORWARD_ROUNDS rounds, 3 by default), for work on the relay
 * without a whole bench run. Prints the table and every sample.
 */
import { configFromEnv } from './config.js';
import { measurePortForward } from './port-forward.js';
import { formatTable } from './table.js';

async function main(): Promise<void> {
  const { portForwardRounds } = configFromEnv(process.env);
  const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  const pf = await measurePortForward(progress, Math.max(1, portForwardRounds));
  process.stdout.write(`${formatTable(pf.rows)}\n${JSON.stringify(pf.samples)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
