/**
 * Where a cluster lives: its name (--name, KEMU_CLUSTER, `local`), its subnet index and
 * its state directory `${KEMU_HOME:-<repo>/.kemu}/<cluster>` with the files in it. Every
 * command and the supervisor derive paths from here only.
 */
import { join } from 'node:path';
import { InvalidLayoutError, subnetIndexFor, validateClusterName } from '@kemu/netns';
import type { LogLevel } from '@kemu/config';
import { configFromEnv } from './config.js';
import { UsageError } from './errors.js';

/** Files and folders inside a cluster's state directory. */
export interface StatePaths {
  stateDir: string;
  /** Written by `up`: what the cluster was created with (ClusterConfig). */
  clusterFile: string;
  /** Written by the supervisor: component → pid (also `supervisor` and `nats-server`). */
  pidsFile: string;
  /** Written by the supervisor: component → { pid, restarts, startedAt }. */
  statusFile: string;
  supervisorPidFile: string;
  natsPidFile: string;
  natsStoreDir: string;
  logsDir: string;
  kubeconfig: string;
}

/** A resolved cluster: name, subnet index, repository and state paths. */
export interface ClusterContext {
  cluster: string;
  /** The underlay subnet the name hashes to; `up` takes the next free one when another cluster has it (cluster.json keeps the choice). */
  subnetIndex: number;
  home: string;
  repoRoot: string;
  /** Folder holding `<service>/dist/main.bundle.js` (or `main.js`) for every service (default `<repo>/services`). */
  servicesDir: string;
  paths: StatePaths;
  /** KEMU_LOG_LEVEL: the level of the CLI's own logs; each command has its default. */
  logLevel?: LogLevel;
}

/** Computes the state paths of a state directory. */
export function statePaths(stateDir: string): StatePaths {
  return {
    stateDir,
    clusterFile: join(stateDir, 'cluster.json'),
    pidsFile: join(stateDir, 'pids.json'),
    statusFile: join(stateDir, 'status.json'),
    supervisorPidFile: join(stateDir, 'supervisor.pid'),
    natsPidFile: join(stateDir, 'nats.pid'),
    natsStoreDir: join(stateDir, 'nats'),
    logsDir: join(stateDir, 'logs'),
    kubeconfig: join(stateDir, 'kubeconfig'),
  };
}

/** Resolves the cluster from --name, then KEMU_CLUSTER, then `local`; UsageError for a bad name. */
export function resolveClusterContext(options: {
  name: string | undefined;
  env: NodeJS.ProcessEnv;
  repoRoot: string;
}): ClusterContext {
  const config = configFromEnv(options.env);
  const cluster = options.name ?? config.cluster ?? 'local';
  try {
    validateClusterName(cluster);
  } catch (err) {
    if (err instanceof InvalidLayoutError) throw new UsageError(err.message);
    throw err;
  }
  const home = config.home ?? join(options.repoRoot, '.kemu');
  return {
    cluster,
    subnetIndex: subnetIndexFor(cluster),
    home,
    repoRoot: options.repoRoot,
    servicesDir: config.servicesDir ?? join(options.repoRoot, 'services'),
    paths: statePaths(join(home, cluster)),
    ...(config.logLevel ? { logLevel: config.logLevel } : {}),
  };
}
