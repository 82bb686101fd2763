/** The workload's settings, read from the environment the node-agent gives every container. */

/** Who the workload is and how it behaves. */
export interface WorkloadConfig {
  pod: string;
  namespace: string;
  node: string;
  podIP: string;
  image: string;
  /** Ports to serve HTTP on (KEMU_CONTAINER_PORTS, default 8080). */
  ports: number[];
  /** Address to bind; 0.0.0.0 in a pod, 127.0.0.1 in tests. */
  host: string;
  /** /ready answers 503 until this many seconds after start. */
  readyDelaySeconds: number;
  /** /health and /ready answer 503 from this many seconds after start on (undefined: never). */
  failAfterSeconds: number | undefined;
  /** Memory to allocate and touch, in MiB (KEMU_MEMORY_HOG_MB). */
  memoryHogMb: number | undefined;
  /** Growth per second of the hog, in MiB (KEMU_MEMORY_HOG_RATE_MB; all at once when unset). */
  memoryHogRateMb: number | undefined;
  /** Port of the gRPC health service (KEMU_GRPC_PORT; none when unset). */
  grpcPort: number | undefined;
  /** Threads that spin to burn CPU (KEMU_BURN_CPU; none when unset). */
  burnCpuThreads: number | undefined;
  /** Whether KEMU_CONTAINER_PORTS named any port (else database images use their default port). */
  portsDeclared: boolean;
  /** Where the app image connects to (DB_HOST, DB_PORT). */
  dbHost: string;
  dbPort: number;
}

/** A setting that cannot be used. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'Config';
}

/** A non-negative number env var (seconds or MiB); undefined when unset. */
function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a number of seconds, got "${raw}"`);
  return n;
}

/** Parses a comma list of ports such as `8080,9090`. */
export function parsePorts(raw: string | undefined): number[] {
  const ports = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`invalid container port "${s}"`);
      return n;
    });
  return ports.length > 0 ? [...new Set(ports)] : [8080];
}

/** Reads the configuration from env vars (KEMU_POD_NAME, KEMU_CONTAINER_PORTS, ...). */
export function configFromEnv(env: NodeJS.ProcessEnv): WorkloadConfig {
  return {
    pod: env.KEMU_POD_NAME ?? env.HOSTNAME ?? '',
    namespace: env.KEMU_POD_NAMESPACE ?? '',
    node: env.KEMU_NODE_NAME ?? '',
    podIP: env.KEMU_POD_IP ?? '',
    image: env.KEMU_IMAGE ?? '',
    ports: parsePorts(env.KEMU_CONTAINER_PORTS),
    host: env.KEMU_LISTEN_HOST || '0.0.0.0',
    readyDelaySeconds: seconds(env, 'KEMU_READY_DELAY_SECONDS') ?? 0,
    failAfterSeconds: seconds(env, 'KEMU_FAIL_AFTER_SECONDS'),
    memoryHogMb: seconds(env, 'KEMU_MEMORY_HOG_MB'),
    memoryHogRateMb: seconds(env, 'KEMU_MEMORY_HOG_RATE_MB'),
    burnCpuThreads: seconds(env, 'KEMU_BURN_CPU'),
    grpcPort: env.KEMU_GRPC_PORT ? parsePorts(env.KEMU_GRPC_PORT)[0] : undefined,
    portsDeclared: (env.KEMU_CONTAINER_PORTS ?? '').trim() !== '',
    dbHost: env.DB_HOST || 'localhost',
    dbPort: env.DB_PORT ? parsePorts(env.DB_PORT)[0]! : 3306,
  };
}
