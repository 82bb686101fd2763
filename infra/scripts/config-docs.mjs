// Writes docs/configuration.md, the reference of every KEMU_* variable, from the
// components' configuration schemas (their built config modules; `pnpm config:docs`
// builds first) and the lists below of variables no schema reads: the pod markers,
// the compose entrypoints' and the tests'. packages/config/src/reference.test.ts fails
// when the committed file is stale or a source mentions a variable it lacks.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReference, schemaRows } from '../../packages/config/dist/index.js';
import { apiserverSchema } from '../../services/apiserver/dist/config.js';
import { cliSchema } from '../../services/cli/dist/config.js';
import { controllerSchema } from '../../services/controller/dist/config.js';
import { dashboardSchema } from '../../services/dashboard/dist/config.js';
import { dnsSchema } from '../../services/dns/dist/config.js';
import { hollowNodeAgentSchema } from '../../services/hollow-node-agent/dist/config.js';
import { nodeAgentSchema } from '../../services/node-agent/dist/config.js';
import { workloadSchema } from '../../services/pod-workload/dist/config.js';
import { proxySchema } from '../../services/proxy/dist/config.js';
import { benchSchema } from '../../test/dist/bench/config.js';

/** Where the reference is committed. */
export const referencePath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'configuration.md');

/** Names in the sources that look like variables and are not (checked by the reference test). */
export const notVariables = {
  KEMU_SNAPSHOTS: 'the JetStream Object Store bucket of event-log snapshots',
  KEMU_APISERVER_TOKEN: 'a test asserts no such variable is handed to the apiserver (the token is in a file)',
};

const markers = [
  {
    env: 'KEMU_POD_UID',
    form: 'string',
    default: '—',
    readBy: 'node-agent (adoption, from /proc/<pid>/environ), kemu exec',
    meaning: "Set by the node-agent on every container process: the pod's uid, read back to adopt it after a restart",
  },
  {
    env: 'KEMU_CONTAINER_NAME',
    form: 'string',
    default: '—',
    readBy: 'node-agent (adoption, from /proc/<pid>/environ), kemu exec',
    meaning: 'Set by the node-agent on every container process: the container it runs',
  },
];

const compose = [
  {
    env: 'KEMU_SUBNET',
    form: 'first three octets, e.g. 10.253.0',
    default: '10.253.0',
    readBy: 'infra/compose.yaml',
    meaning: 'The compose network (<subnet>.0/24); kemu compose up picks a free one per cluster',
  },
  {
    env: 'KEMU_APISERVER_PORT',
    form: 'port 1-65535',
    default: '6443',
    readBy: 'infra/compose.yaml',
    meaning: 'Host port (on 127.0.0.1) the compose apiserver is published on',
  },
  {
    env: 'KEMU_IMAGE',
    form: 'image reference',
    default: 'kemu/kemu:<cluster> (kemu/kemu:dev by hand)',
    readBy: 'infra/compose.yaml',
    meaning: 'The image every compose container runs (in a pod, KEMU_IMAGE is the container image instead)',
  },
  {
    env: 'KEMU_COMPOSE_SECRETS',
    form: 'path',
    default: '<state dir>/compose-secrets (required)',
    readBy: 'infra/compose.yaml',
    meaning:
      'Host folder with the credentials kemu compose up made: nats/ and control-plane/ are mounted read-only into those containers only',
  },
  {
    env: 'KEMU_PROXY_MODE',
    form: 'userspace or nftables',
    default: 'userspace',
    readBy: 'infra/compose.yaml',
    meaning: "Every node container's proxy mode (kemu compose up --proxy-mode), passed on to the proxies",
  },
  {
    env: 'KEMU_NATS_NAME',
    form: 'string',
    default: 'nats-1, nats-2, nats-3',
    readBy: 'infra/compose.yaml (the NATS configuration)',
    meaning: "A NATS container's server name in the JetStream cluster",
  },
  {
    env: 'KEMU_BASE_IMAGE',
    form: 'image reference',
    default: 'node:20-bookworm-slim',
    readBy: 'infra/compose.yaml',
    meaning: 'Base image the kemu image is built on',
  },
  {
    env: 'KEMU_APISERVER_CONTAINER_PORT',
    form: 'port 1-65535',
    default: '6443',
    readBy: 'infra/docker/control-plane.sh',
    meaning: 'Port the apiserver listens on inside the control-plane container',
  },
  {
    env: 'KEMU_NODE',
    form: 'string',
    default: 'node-<last octet of the container address at its first start>',
    readBy: 'infra/docker/node.sh',
    meaning: "The node container's node name (then handed to its node-agent, proxy and dns)",
  },
  {
    env: 'KEMU_STREAM_REPLICAS',
    form: 'integer 1-5',
    default: '1 (compose.yaml sets 3)',
    readBy: 'infra/docker/ensure-stream.mjs',
    meaning: 'Replicas the entrypoints create (or scale) the event stream with before the components start',
  },
];

const tests = [
  {
    env: 'KEMU_COMPOSE_KILL_NATS',
    form: 'leader or follower',
    default: 'leader',
    readBy: 'test/src/compose.test.ts',
    meaning: 'Which NATS server the compose test kills: the stream leader, or the follower most clients use',
  },
  {
    env: 'KEMU_FUZZ_SEED',
    form: 'integer ≥ 0',
    default: 'random (printed)',
    readBy:
      'services/dns/src/query-handler.fuzz.test.ts, services/apiserver/src/bad-input-campaign.integration.test.ts, packages/eventlog/src/informer-garbage.integration.test.ts',
    meaning: 'Seed of the fuzz campaigns (DNS queries, bad apiserver requests, garbage event records), to replay a run',
  },
  {
    env: 'KEMU_FUZZ_CASES',
    form: 'integer ≥ 0',
    default: '100000',
    readBy: 'services/dns/src/query-handler.fuzz.test.ts',
    meaning: 'Queries the DNS fuzzer sends',
  },
  {
    env: 'KEMU_TEST_LOG_LEVEL',
    form: 'pino level',
    default: 'silent',
    readBy: 'packages/eventlog/src/event-log-cluster.test.ts',
    meaning: 'Log level of the NATS-cluster event-log test',
  },
];

/** The reference as Markdown. */
export function configReference() {
  const components = schemaRows([
    { component: 'apiserver', schema: apiserverSchema },
    { component: 'controller', schema: controllerSchema },
    { component: 'node-agent', schema: nodeAgentSchema },
    { component: 'hollow-node-agent', schema: hollowNodeAgentSchema },
    { component: 'proxy', schema: proxySchema },
    { component: 'dns', schema: dnsSchema },
    { component: 'dashboard', schema: dashboardSchema },
  ]);
  return renderReference(
    'kemu configuration reference',
    '<!-- Generated by `pnpm config:docs` from the configuration schemas (services/*/src/config.ts) and infra/scripts/config-docs.mjs; do not edit. -->\n\n' +
      'Every environment variable kemu reads. An empty value counts as unset (the default applies). ' +
      'A bad value stops the process at start with one line naming the variable and the form it takes (exit status 2).',
    [
      {
        title: 'Components',
        intro: 'Read by the cluster processes `kemu up`, `kemu node up` and compose start; the CLI sets them.',
        vars: components,
      },
      {
        title: 'Pod workload',
        intro:
          "Read by the default image's process in every container; the node-agent sets the KEMU_POD_*, KEMU_NODE_NAME, KEMU_IMAGE and KEMU_CONTAINER_PORTS ones, the pod spec's env the others.",
        vars: schemaRows([{ component: 'pod-workload', schema: workloadSchema }]),
      },
      {
        title: 'Pod process markers',
        intro: 'Set by the node-agent on every container process and read back from /proc; not configuration.',
        vars: markers,
      },
      {
        title: 'The kemu CLI',
        intro: 'Read by `kemu` itself (flags take precedence).',
        vars: schemaRows([{ component: 'kemu', schema: cliSchema }]),
      },
      {
        title: 'Compose and container entrypoints',
        intro:
          'Read by infra/compose.yaml and infra/docker; `kemu compose up` sets them, and the compose file passes the component variables above through.',
        vars: compose,
      },
      {
        title: 'Tests and benchmarks',
        intro: 'Read only by the test suites and `pnpm bench`.',
        vars: [...schemaRows([{ component: 'pnpm bench', schema: benchSchema }]), ...tests],
      },
    ],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(referencePath, configReference());
  process.stdout.write(`wrote ${referencePath}\n`);
}
