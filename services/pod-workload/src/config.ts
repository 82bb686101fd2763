/** The workload's settings, read by one schema from the environment the node-agent gives every container. */
import { ConfigError, type ConfigOf, number, parseEnv, port, portList, string } from '@kemu/config';

export { ConfigError };

const optionalNumber = (env: string, meaning: string) => number({ env, min: 0, meaning });

/** Every variable the workload reads: the pod's identity (set by the node-agent) and its behaviour (set in the pod spec). */
export const workloadSchema = {
  pod: string({ env: 'KEMU_POD_NAME', defaultText: '$HOSTNAME', meaning: "The pod's name (set by the node-agent)" }),
  hostname: string({ env: 'HOSTNAME', default: '', meaning: "The pod's hostname (set by the node-agent)" }),
  namespace: string({ env: 'KEMU_POD_NAMESPACE', default: '', meaning: "The pod's namespace (set by the node-agent)" }),
  node: string({ env: 'KEMU_NODE_NAME', default: '', meaning: "The pod's node (set by the node-agent)" }),
  podIP: string({ env: 'KEMU_POD_IP', default: '', meaning: "The pod's IP (set by the node-agent)" }),
  image: string({
    env: 'KEMU_IMAGE',
    default: '',
    meaning: "The container's image, which picks the behaviour (set by the node-agent)",
  }),
  ports: portList({
    env: 'KEMU_CONTAINER_PORTS',
    defaultText: "8080 (a database image: its server's port)",
    meaning: "Ports to serve on: the container's containerPorts (set by the node-agent)",
  }),
  host: string({ env: 'KEMU_LISTEN_HOST', default: '0.0.0.0', meaning: 'Address to bind (127.0.0.1 in tests)' }),
  readyDelaySeconds: number({
    env: 'KEMU_READY_DELAY_SECONDS',
    min: 0,
    default: 0,
    meaning: '/ready answers 503 until this many seconds after start',
  }),
  failAfterSeconds: optionalNumber(
    'KEMU_FAIL_AFTER_SECONDS',
    '/health and /ready answer 503 from this many seconds after start on',
  ),
  memoryHogMb: optionalNumber('KEMU_MEMORY_HOG_MB', 'Memory to allocate and touch, in MiB'),
  memoryHogRateMb: optionalNumber(
    'KEMU_MEMORY_HOG_RATE_MB',
    'Growth per second of the memory hog, in MiB (unset: all at once)',
  ),
  grpcPort: port({ env: 'KEMU_GRPC_PORT', meaning: 'Port of the gRPC health service (unset: none)' }),
  burnCpuThreads: optionalNumber('KEMU_BURN_CPU', 'Threads that spin to burn CPU (rounded up; unset: none)'),
  dbHost: string({ env: 'DB_HOST', default: 'localhost', meaning: 'Where the app image connects to' }),
  dbPort: port({ env: 'DB_PORT', default: 3306, meaning: 'Port the app image connects to' }),
};

/** Who the workload is and how it behaves. */
export interface WorkloadConfig extends Omit<ConfigOf<typeof workloadSchema>, 'hostname' | 'pod' | 'ports'> {
  /** KEMU_POD_NAME, else HOSTNAME. */
  pod: string;
  /** Ports to serve HTTP on (KEMU_CONTAINER_PORTS, default 8080). */
  ports: number[];
  /** Whether KEMU_CONTAINER_PORTS named any port (else database images use their default port). */
  portsDeclared: boolean;
}

/** Reads the configuration from env vars (KEMU_POD_NAME, KEMU_CONTAINER_PORTS, ...); throws ConfigError. */
export function configFromEnv(env: NodeJS.ProcessEnv): WorkloadConfig {
  const { hostname, ports, pod, ...rest } = parseEnv(workloadSchema, env);
  return { ...rest, pod: pod ?? hostname, ports: ports ?? [8080], portsDeclared: ports !== undefined };
}
