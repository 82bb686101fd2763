/**
 * Stand-ins for the kemu services, written to a temporary services dir so `kemu up` and
 * `kemu down` can be tested for real (netns, nats-server, supervisor, exec) before, and
 * independently of, the real apiserver and node-agent. They are tiny but honest: the
 * node-agent reaches NATS and the apiserver from inside its node netns over the underlay,
 * and node-1's agent creates a real pod netns with a running "container" process.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** uid and IP of the one pod the fake node-agent of node-1 runs. */
export const FAKE_POD = {
  name: 'fakepod',
  uid: 'fa4e0000-1111-2222-3333-444455556666',
  ip: '10.244.1.5',
  container: 'app',
};

const apiserver = `
import https from 'node:https';
import { readFileSync } from 'node:fs';
const tls = { cert: readFileSync(process.env.KEMU_APISERVER_CERT), key: readFileSync(process.env.KEMU_APISERVER_KEY) };
const token = readFileSync(process.env.KEMU_APISERVER_TOKEN_FILE, 'utf8').split(',')[0];
const nodes = new Set();
const pods = new Map();
const send = (res, code, body) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
const handler = (req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const url = req.url ?? '/';
    if (url === '/readyz') return send(res, 200, 'ok');
    if (req.method === 'POST' && url.startsWith('/fake/nodes/')) { nodes.add(url.split('/')[3]); return send(res, 200, {}); }
    if (req.method === 'POST' && url === '/fake/pods') { const p = JSON.parse(body); pods.set(p.metadata.name, p); return send(res, 200, {}); }
    if (req.headers.authorization !== 'Bearer ' + token) return send(res, 401, { kind: 'Status', message: 'Unauthorized' });
    if (url === '/api/v1/nodes') return send(res, 200, { kind: 'NodeList', items: [...nodes].sort().map((n) => ({ metadata: { name: n }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })) });
    if (url === '/api/v1/pods') return send(res, 200, { kind: 'PodList', items: [...pods.values()] });
    const m = url.match(/^\\/api\\/v1\\/namespaces\\/default\\/pods\\/([^/]+)$/);
    if (m && pods.has(m[1])) return send(res, 200, pods.get(m[1]));
    send(res, 404, { kind: 'Status', message: 'not found', code: 404 });
  });
};
for (const addr of process.env.KEMU_APISERVER_LISTEN.split(',')) {
  const i = addr.lastIndexOf(':');
  https.createServer(tls, handler).listen(Number(addr.slice(i + 1)), addr.slice(0, i));
}
console.log('fake apiserver listening on', process.env.KEMU_APISERVER_LISTEN);
`;

const nodeAgent = (netnsModule: string) => `
import net from 'node:net';
import https from 'node:https';
import { spawn } from 'node:child_process';
import { createPodNetwork, podNetnsName, podHostVethName } from ${JSON.stringify(netnsModule)};
const nats = new URL(process.env.KEMU_NATS_URL);
await new Promise((resolve, reject) => { const s = net.connect(Number(nats.port), nats.hostname, () => { s.destroy(); resolve(); }); s.on('error', reject); });
console.log('reached nats at', nats.host, 'from', process.env.KEMU_NODE_IP);
const api = 'https://' + process.env.KEMU_APISERVER_ADVERTISE;
// A stand-in talking to its stand-in apiserver: no CA at hand, so no verification.
const post = (url, body) => new Promise((resolve, reject) => {
  const req = https.request(url, { method: 'POST', rejectUnauthorized: false }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end(body ?? '');
});
const pod = ${JSON.stringify(FAKE_POD)};
if (process.env.KEMU_NODE === 'node-1') {
  const podNetns = podNetnsName(process.env.KEMU_CLUSTER, pod.uid);
  await createPodNetwork({ podNetns, hostVeth: podHostVethName(pod.uid), bridge: 'cbr0', ip: pod.ip, prefixLength: 24, gateway: '10.244.1.1' });
  const env = { PATH: process.env.PATH, KEMU_CONTAINER_NAME: pod.container, GREETING: 'hello-from-container', HOSTNAME: pod.name };
  spawn('ip', ['netns', 'exec', podNetns, 'sleep', '3600'], { env, stdio: 'ignore', detached: true }).unref();
  await post(api + '/fake/pods', JSON.stringify({ metadata: { name: pod.name, namespace: 'default', uid: pod.uid }, spec: { containers: [{ name: pod.container }] }, status: { phase: 'Running', podIP: pod.ip } }));
}
await post(api + '/fake/nodes/' + process.env.KEMU_NODE);
console.log('registered', process.env.KEMU_NODE);
setInterval(() => {}, 60_000);
`;

const idle = `console.log('fake component', process.argv[1]); setInterval(() => {}, 60_000);\n`;

/** Writes fake `<service>/dist/main.js` files under `dir`; `netnsModule` is the path of @kemu/netns' dist/index.js. */
export async function writeFakeServices(dir: string, netnsModule: string): Promise<void> {
  const files: Record<string, string> = {
    apiserver,
    controller: idle,
    'node-agent': nodeAgent(netnsModule),
    proxy: idle,
    dns: idle,
    'pod-workload': idle,
  };
  for (const [service, code] of Object.entries(files)) {
    await mkdir(join(dir, service, 'dist'), { recursive: true });
    await writeFile(join(dir, service, 'dist', 'main.js'), code);
  }
}
