/**
 * pods/log, pods/exec and pods/attach of the apiserver over a real nats-server, with a
 * stand-in node-agent on the bus that answers the start requests, records the input
 * frames and sends output frames. Clients are plain HTTP and a `ws` WebSocket, the way
 * kubectl speaks to the server.
 */
import { type Pod, keyString } from '@kemu/api';
import { type EventLog, type Informer, connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, eventually, startNatsServer } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  Frame,
  type StartReply,
  type StreamEnd,
  type StreamKind,
  decodeFrame,
  decodeJson,
  encodeFrame,
  encodeJson,
  sessionSubjects,
  startSubject,
} from '@kemu/pod-streams';
import { type ApiServer, createApiServer } from '../http/server.js';
import { parseCidr } from '@kemu/api';

const log = createLogger({ component: 'apiserver-test', level: 'silent' });
const NODE = 'kt-as-node';

let nats: NatsServer;
let eventLog: EventLog;
let informer: Informer;
let server: ApiServer;
let base = '';

/** What the stand-in node-agent does with one start request. */
type Behaviour = (
  request: Record<string, unknown>,
  io: { send(type: number, data: string): void; end(e: StreamEnd): void; input: { type: number; data: string }[] },
) => StartReply;

const behaviours = new Map<StreamKind, Behaviour>();
const requests: Record<string, unknown>[] = [];
const inputs: { type: number; data: string }[][] = [];

function fakeNode(): void {
  for (const kind of ['logs', 'exec', 'attach'] as const) {
    eventLog.nc.subscribe(startSubject(NODE, kind), {
      callback: (_err, msg) => {
        const request = decodeJson<Record<string, unknown>>(msg.data);
        requests.push({ kind, ...request });
        const subjects = sessionSubjects(String(request.session));
        const input: { type: number; data: string }[] = [];
        inputs.push(input);
        eventLog.nc.subscribe(subjects.in, {
          callback: (_e, m) => {
            const f = decodeFrame(m.data);
            if (f) input.push({ type: f.type, data: f.payload.toString() });
          },
        });
        const io = {
          send: (type: number, data: string) => eventLog.nc.publish(subjects.out, encodeFrame(type, data)),
          end: (e: StreamEnd) => eventLog.nc.publish(subjects.out, encodeFrame(Frame.end, encodeJson(e))),
          input,
        };
        msg.respond(encodeJson(behaviours.get(kind)?.(request, io) ?? { ok: true }));
      },
    });
  }
}

async function putPod(name: string, containers: string[], nodeName = NODE): Promise<void> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: new Date().toISOString() },
    spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
    status: { phase: 'Running' },
  } as Pod;
  const key = { resource: 'pods', namespace: 'default', name };
  await server.context.writer.put(key, pod);
  await eventually(() => informer.view.objects.has(keyString(key)), { what: `pod ${name} in the view` });
}

interface WsResult {
  protocol: string;
  messages: Buffer[];
  closeCode: number;
}

/** Opens an exec/attach WebSocket, sends `send` once open, collects messages until close. */
function websocket(path: string, send: Buffer[] = [], protocols = ['v5.channel.k8s.io']): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`, protocols);
    const messages: Buffer[] = [];
    ws.on('open', () => {
      for (const b of send) ws.send(b);
    });
    ws.on('message', (d) => messages.push(d as Buffer));
    ws.on('close', (code) => resolve({ protocol: ws.protocol, messages, closeCode: code }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => reject(new Error(`${res.statusCode} ${body}`)));
    });
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  nats = await startNatsServer();
  eventLog = await connectEventLog({ servers: nats.url, name: 'kt-as', log });
  informer = await startInformer(eventLog, { log });
  await informer.synced;
  const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
  server = createApiServer({ informer, writer, log, serviceCidr: parseCidr('10.96.0.0/12'), nodeBus: eventLog.nc });
  const [addr] = await server.listen(['127.0.0.1:0']);
  base = `http://127.0.0.1:${addr?.port}`;
  fakeNode();
  await putPod('one', ['c']);
  await putPod('two', ['a', 'b']);
  await putPod('pending', ['c'], '');
});

afterAll(async () => {
  await server?.close();
  await informer?.stop();
  await eventLog?.close();
  await nats?.stop();
});

describe('GET pods/<name>/log', () => {
  it('streams what the node-agent sends as text/plain, passing the parameters on', async () => {
    behaviours.set('logs', (_r, io) => {
      setTimeout(() => {
        io.send(Frame.stdout, 'line 1\n');
        io.send(Frame.stdout, 'line 2\n');
        io.end({});
      }, 10);
      return { ok: true };
    });
    const res = await fetch(`${base}/api/v1/namespaces/default/pods/one/log?tailLines=2&timestamps=true&follow=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('line 1\nline 2\n');
    expect(requests.at(-1)).toMatchObject({
      kind: 'logs',
      namespace: 'default',
      pod: 'one',
      uid: 'uid-one',
      container: 'c',
      tailLines: 2,
      timestamps: true,
      follow: true,
    });
  });

  it("returns the node-agent's refusal as a Status", async () => {
    behaviours.set('logs', () => ({
      ok: false,
      status: { code: 400, reason: 'BadRequest', message: 'previous terminated container "c" in pod "one" not found' },
    }));
    const res = await fetch(`${base}/api/v1/namespaces/default/pods/one/log?previous=true`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: 'previous terminated container "c" in pod "one" not found',
    });
  });

  it('checks the pod, the container and the node itself', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${base}/api/v1/namespaces/default/pods/${path}`);
      return { code: res.status, body: (await res.json()) as { message: string; reason: string } };
    };
    expect(await get('nope/log')).toMatchObject({ code: 404, body: { message: 'pods "nope" not found' } });
    expect(await get('one/log?container=x')).toMatchObject({
      code: 400,
      body: { message: 'container x is not valid for pod one' },
    });
    expect(await get('two/log')).toMatchObject({
      code: 400,
      body: { message: 'a container name must be specified for pod two, choose one of: [a b]' },
    });
    expect(await get('pending/log')).toMatchObject({
      code: 400,
      body: { message: 'container "c" in pod "pending" is waiting to start: ContainerCreating' },
    });
    expect(await get('one/log?tailLines=x')).toMatchObject({ code: 400 });
  });

  it('cancels the follow on the node when the client goes away', async () => {
    behaviours.set('logs', (_r, io) => {
      io.send(Frame.stdout, 'first\n');
      return { ok: true };
    });
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/namespaces/default/pods/one/log?follow=true`, {
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const chunk = await reader.read();
    expect(Buffer.from(chunk.value!).toString()).toBe('first\n');
    const input = inputs.at(-1)!;
    controller.abort();
    await eventually(() => input.some((f) => f.type === Frame.cancel), { what: 'a cancel frame' });
  });
});

describe('exec and attach WebSockets', () => {
  it('relays stdin, the close frame and output, and ends with the exit code Status and close 1000', async () => {
    behaviours.set('exec', (_r, io) => {
      const timer = setInterval(() => {
        if (!io.input.some((f) => f.type === Frame.closeStdin)) return;
        clearInterval(timer);
        io.send(
          Frame.stdout,
          io.input
            .filter((f) => f.type === Frame.stdin)
            .map((f) => f.data)
            .join(''),
        );
        io.send(Frame.stderr, 'err\n');
        io.end({ exitCode: 3 });
      }, 10);
      return { ok: true };
    });
    const r = await websocket(
      '/api/v1/namespaces/default/pods/one/exec?command=sh&command=-c&command=exit+3&container=c&stdin=true&stdout=true&stderr=true',
      [Buffer.from([0, ...Buffer.from('x\n')]), Buffer.from([255, 0])],
    );
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.closeCode).toBe(1000);
    expect(r.messages.map((m) => [m[0], m.subarray(1).toString()])).toEqual([
      [1, 'x\n'],
      [2, 'err\n'],
      [
        3,
        JSON.stringify({
          metadata: {},
          status: 'Failure',
          message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: '3' }] },
        }),
      ],
    ]);
    expect(requests.at(-1)).toMatchObject({ kind: 'exec', command: ['sh', '-c', 'exit 3'], stdin: true, tty: false });
  });

  it('speaks v4 to clients that prefer it and reports success for exit 0', async () => {
    behaviours.set('exec', (_r, io) => {
      io.send(Frame.stdout, 'hi\n');
      io.end({ exitCode: 0 });
      return { ok: true };
    });
    const r = await websocket(
      '/api/v1/namespaces/default/pods/one/exec?command=echo&stdout=true',
      [],
      ['v4.channel.k8s.io', 'channel.k8s.io'],
    );
    expect(r.protocol).toBe('v4.channel.k8s.io');
    expect(r.messages.map((m) => m.toString('latin1'))).toEqual(['\x01hi\n', '\x03{"metadata":{},"status":"Success"}']);
  });

  it('ends an attach with Success whatever the container did', async () => {
    behaviours.set('attach', (_r, io) => {
      io.send(Frame.stdout, 'hi\n');
      io.end({});
      return { ok: true };
    });
    const r = await websocket('/api/v1/namespaces/default/pods/one/attach?container=c&stdin=true&stdout=true&tty=true');
    expect(r.messages.map((m) => m.toString('latin1'))).toEqual(['\x01hi\n', '\x03{"metadata":{},"status":"Success"}']);
    expect(requests.at(-1)).toMatchObject({ kind: 'attach', stdin: true, tty: true });
  });

  it('sends a refusal that comes after the upgrade as a Failure Status', async () => {
    behaviours.set('exec', () => ({
      ok: false,
      status: { code: 500, reason: 'InternalError', message: 'exec: "nope": executable file not found in $PATH' },
    }));
    const r = await websocket('/api/v1/namespaces/default/pods/one/exec?command=nope&stdout=true');
    expect(JSON.parse(r.messages.at(-1)!.subarray(1).toString())).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'exec: "nope": executable file not found in $PATH',
      reason: 'InternalError',
      code: 500,
    });
    expect(r.closeCode).toBe(1000);
  });

  it('refuses the upgrade with a Status for a missing pod, a bad container or no subprotocol', async () => {
    await expect(websocket('/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true')).rejects.toThrow(
      /^404 .*pods \\"nope\\" not found/,
    );
    await expect(
      websocket('/api/v1/namespaces/default/pods/one/exec?command=ls&container=x&stdout=true'),
    ).rejects.toThrow(/^400 .*container x is not valid for pod one/);
    await expect(websocket('/api/v1/namespaces/default/pods/one/exec?stdout=true')).rejects.toThrow(
      /^400 .*you must specify at least 1 command/,
    );
    await expect(
      websocket('/api/v1/namespaces/default/pods/one/exec?command=ls&stdout=true', [], ['base64.channel.k8s.io']),
    ).rejects.toThrow(/^400 .*no supported subprotocol/);
    const plain = await fetch(`${base}/api/v1/namespaces/default/pods/one/exec?command=ls`);
    expect(plain.status).toBe(400);
  });
});
