/**
 * A node for privileged tests of the kernel data plane, built entirely in namespaces the
 * test owns: a "node" netns with a pod bridge and one netns per pod, each pod on the
 * bridge with a default route via it (createPodNetwork, as the node-agent makes them,
 * hairpin mode included). Pods run small servers (TCP and UDP, answering with
 * their name and the address they saw) and a long-lived client agent driven over stdin,
 * so a UDP socket can keep its source port across syncs. Nothing touches the host netns.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { addNetns, createPodNetwork, deleteNetns, ipBatch } from '@kemu/netns';

/** TCP and UDP port every test server listens on. */
export const SERVER_PORT = 8080;

/** One pod of the fixture. */
export interface FixturePod {
  name: string;
  netns: string;
  ip: string;
}

/** What a client agent reports for one request. */
export type ClientReply = { ok: true; reply: string } | { ok: false; code: string };

/** A client agent running in a pod. */
export interface ClientAgent {
  /** One TCP connection: the server's line, or the error code (ECONNREFUSED, ETIMEDOUT…). */
  tcp(ip: string, port: number): Promise<ClientReply>;
  /** One datagram on the named socket (kept open, so its source port stays), and the reply or TIMEOUT. */
  udp(ip: string, port: number, socket: string): Promise<ClientReply>;
}

/** The node netns, its pods, their servers and clients. */
export interface KernelFixture extends AsyncDisposable {
  node: string;
  bridgeIP: string;
  pods: FixturePod[];
  startServer(pod: FixturePod): Promise<void>;
  client(pod: FixturePod): ClientAgent;
}

const SERVER = `
const name = process.argv[1], port = Number(process.argv[2]);
const net = require('node:net'), dgram = require('node:dgram');
let up = 0; const ready = () => { if (++up === 2) console.log('ready'); };
net.createServer((s) => { s.on('error', () => {}); s.end(name + ' ' + s.remoteAddress + '\\n'); }).listen(port, ready);
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(name + ' ' + r.address, r.port, r.address));
u.bind(port, ready);`;

const AGENT = `
const net = require('node:net'), dgram = require('node:dgram');
const sockets = new Map();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const q = JSON.parse(line);
  if (q.op === 'tcp') {
    const c = net.connect({ host: q.ip, port: q.port, timeout: 2000 });
    let data = '';
    c.on('data', (d) => (data += d));
    c.on('end', () => out({ id: q.id, ok: true, reply: data.trim() }));
    c.on('timeout', () => { c.destroy(); out({ id: q.id, ok: false, code: 'ETIMEDOUT' }); });
    c.on('error', (e) => out({ id: q.id, ok: false, code: e.code }));
    return;
  }
  let s = sockets.get(q.socket);
  if (!s) { s = dgram.createSocket('udp4'); s.bind(0); s.on('error', () => {}); sockets.set(q.socket, s); }
  const timer = setTimeout(() => { s.removeListener('message', onMessage); out({ id: q.id, ok: false, code: 'TIMEOUT' }); }, 1000);
  function onMessage(m) { clearTimeout(timer); s.removeListener('message', onMessage); out({ id: q.id, ok: true, reply: String(m) }); }
  s.on('message', onMessage);
  s.send('ping', q.port, q.ip);
});`;

/** Builds a node netns with a bridge at 10.244.<subnet>.1/24 and `pods` pods on it. */
export async function createKernelFixture(podNames: readonly string[]): Promise<KernelFixture> {
  const id = randomBytes(3).toString('hex');
  const node = `kt-nft-${id}-node`;
  const subnet = 200 + ((randomBytes(1)[0] as number) % 50);
  const bridgeIP = `10.244.${subnet}.1`;
  const children: ChildProcess[] = [];
  const pods: FixturePod[] = podNames.map((name, i) => ({
    name,
    netns: `kt-nft-${id}-${name}`,
    ip: `10.244.${subnet}.${i + 2}`,
  }));

  await addNetns(node);
  await ipBatch(node, [
    ['link', 'set', 'dev', 'lo', 'up'],
    ['link', 'add', 'name', 'kbr0', 'type', 'bridge'],
    ['addr', 'add', `${bridgeIP}/24`, 'dev', 'kbr0'],
    ['link', 'set', 'dev', 'kbr0', 'up'],
  ]);
  for (const [i, pod] of pods.entries()) {
    await createPodNetwork({
      podNetns: pod.netns,
      nodeNetns: node,
      hostVeth: `vn${id}${i}`,
      bridge: 'kbr0',
      ip: pod.ip,
      prefixLength: 24,
      gateway: bridgeIP,
    });
  }

  function spawnIn(netns: string, script: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    return child;
  }

  return {
    node,
    bridgeIP,
    pods,
    async startServer(pod) {
      const child = spawnIn(pod.netns, SERVER, [pod.name, String(SERVER_PORT)]);
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      await new Promise<void>((resolve, reject) => {
        lines.once('line', () => resolve());
        child.once('exit', (code) => reject(new Error(`server ${pod.name} exited ${code}`)));
      });
    },
    client(pod) {
      const child = spawnIn(pod.netns, AGENT, []);
      const waiting = new Map<number, (r: ClientReply) => void>();
      let next = 0;
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const { id: replyId, ...reply } = JSON.parse(line) as ClientReply & { id: number };
        waiting.get(replyId)?.(reply);
        waiting.delete(replyId);
      });
      const ask = (q: object) =>
        new Promise<ClientReply>((resolve) => {
          const qid = next++;
          waiting.set(qid, resolve);
          child.stdin?.write(`${JSON.stringify({ ...q, id: qid })}\n`);
        });
      return {
        tcp: (ip, port) => ask({ op: 'tcp', ip, port }),
        udp: (ip, port, socket) => ask({ op: 'udp', ip, port, socket }),
      };
    },
    async [Symbol.asyncDispose]() {
      for (const c of children) c.kill('SIGKILL');
      for (const pod of pods) await deleteNetns(pod.netns);
      await deleteNetns(node);
    },
  };
}
