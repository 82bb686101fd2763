/** `pnpm bench`'s settings: how many rounds each measurement runs (0 skips it). */
import { type ConfigOf, int, parseEnv, string } from '@kemu/config';

const rounds = (env: string, fallback: number, meaning: string) => int({ env, min: 0, default: fallback, meaning });

/** Every variable the benchmark reads. */
export const benchSchema = {
  rounds: rounds('KEMU_BENCH_ROUNDS', 3, 'Rounds of the data-plane measurements'),
  kills: rounds('KEMU_BENCH_KILLS', 20, 'Pod kills timed until their endpoint is removed'),
  upRuns: rounds('KEMU_BENCH_UP_RUNS', 3, 'Runs of `kemu up` timed (0: skipped)'),
  dnsRounds: rounds('KEMU_BENCH_DNS_ROUNDS', 3, 'Rounds of the DNS measurements (0: skipped)'),
  snapshotRuns: rounds('KEMU_BENCH_SNAPSHOT_RUNS', 3, 'Runs of the snapshot start-up measurements (0: skipped)'),
  portForwardRounds: rounds(
    'KEMU_BENCH_PORT_FORWARD_ROUNDS',
    3,
    'Rounds of the port-forward bulk download against the in-cluster one (0: skipped)',
  ),
  flowRounds: rounds('KEMU_BENCH_FLOW_ROUNDS', 3, 'Rounds of the flow-recording overhead figures (0: skipped)'),
  dashboardPods: rounds('KEMU_BENCH_DASHBOARD_PODS', 1000, 'Pods in the log of the dashboard figures (0: skipped)'),
  hollowRuns: rounds(
    'KEMU_BENCH_HOLLOW_RUNS',
    1,
    'Runs of `kemu up --nodes 3 --hollow-nodes 100` with 1000 hollow pods (0: skipped)',
  ),
  growthPods: string({
    env: 'KEMU_BENCH_GROWTH_PODS',
    default: '1000,2000',
    meaning:
      'Pod counts of the growth table, comma-separated (each ≥ 1000, Services = pods / 10; 5000 and 10000 take tens of minutes here; 0: skipped)',
    check: (v) => v === '0' || v.split(',').every((n) => Number(n) >= 1000),
  }),
  apiserverScalePods: string({
    env: 'KEMU_BENCH_APISERVER_SCALE_PODS',
    default: '1000,3000,10000',
    meaning:
      'Pod counts at which the apiserver alone (a real nats-server, synthetic pods) is listed and its RSS read, comma-separated, ascending (0: skipped)',
    check: (v) => v === '0' || v.split(',').every((n) => Number(n) >= 1),
  }),
  composeRounds: rounds('KEMU_BENCH_COMPOSE_ROUNDS', 3, 'Rounds of the compose measurements (0: skipped)'),
  nftablesSyncServices: rounds(
    'KEMU_BENCH_NFTABLES_SYNC_SERVICES',
    1000,
    'Services programmed for the nftables sync-time figures (0: skipped)',
  ),
  informerReadPods: rounds(
    'KEMU_BENCH_INFORMER_READ_PODS',
    100,
    'Pods a Deployment scales to while the events each informer reads are counted (0: skipped)',
  ),
  subjectLayoutPods: rounds(
    'KEMU_BENCH_SUBJECT_LAYOUT_PODS',
    3000,
    'Pods in the synthetic log of the subject-layout figures (0: skipped)',
  ),
};

/** The benchmark's configuration. */
export type BenchConfig = ConfigOf<typeof benchSchema>;

/** Reads the benchmark's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): BenchConfig {
  return parseEnv(benchSchema, env);
}
