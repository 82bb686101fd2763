/**
 * The node's pod streams against a real nats-server, driven the way the apiserver
 * drives them (start request, output frames, input frames), with real container
 * processes started through the same startLog/withStdin path the pod workers use.
 * Commands run without a network namespace here (enterPod gives no prefix).
 */
import { type Pod, keyString } from '@kemu/api';
import { connectEventLog, createView, type EventLog } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, eventually, startNatsServer } from '@kemu/testkit';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { type PodStreams, startPodStreams } from './pod-streams.js';
import { type ContainerProcess, readProcEnviron, startProcess } from '../runtime/process-runner.js';

const NODE = 'kt-ps-node';
const log = createLogger({ component: 'test', level: 'silent' });
const view = createView();
let nats: NatsServer;
let eventLog: EventLog;
let streams: PodStreams;
let stateDir: string;
const procs: ContainerProcess[] = [];

interface Session {
  reply: StartReply;
  out: { type: number; data: string }[];
  ended: Promise<StreamEnd>;
  send(type: number, data?: string): void;
  text(type?: number): string;
}

async function open(kind: StreamKind, request: object): Promise<Session> {
  const nc = eventLog.nc;
  const session = randomUUID();
  const subjects = sessionSubjects(session);
  const out: { type: number; data: string }[] = [];
  let resolveEnd!: (e: StreamEnd) => void;
  const ended = new Promise<StreamEnd>((r) => {
    resolveEnd = r;
  });
  nc.subscribe(subjects.out, {
    callback: (_err, msg) => {
      const f = decodeFrame(msg.data);
      if (!f) return;
      if (f.type === Frame.end) resolveEnd(decodeJson(f.payload));
      else out.push({ type: f.type, data: f.payload.toString() });
    },
  });
  nc.subscribe(subjects.ping, { callback: (_err, msg) => msg.respond(new Uint8Array(0)) });
  const msg = await nc.request(startSubject(NODE, kind), encodeJson({ ...request, session }), { timeout: 5_000 });
  return {
    reply: decodeJson<StartReply>(msg.data),
    out,
    ended,
    send: (type, data = '') => nc.publish(subjects.in, encodeFrame(type, data)),
    text: (type) =>
      out
        .filter((f) => type === undefined || f.type === type)
        .map((f) => f.data)
        .join(''),
  };
}

function podWith(name: string, container: { name: string; stdin?: boolean; stdinOnce?: boolean }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID() },
    spec: { nodeName: NODE, containers: [{ image: 'busybox', ...container }] },
    status: { phase: 'Pending' },
  } as Pod;
}

/** Starts a container process of `pod` and records it as running in the view. */
async function run(pod: Pod, script: string, env: Record<string, string> = {}): Promise<ContainerProcess> {
  const c = pod.spec.containers[0]!;
  const launch = streams.withStdin(pod, c.name, {
    image: 'busybox',
    command: ['sh', '-c', script],
    env: { PATH: process.env.PATH ?? '', KEMU_POD_UID: pod.metadata.uid ?? '', ...env },
    hostname: pod.metadata.name,
    netnsPath: '',
    mounts: [],
    security: {},
    builtIn: false,
  });
  // As the container monitor does: the FIFO opened read-only as the process's stdin.
  const argv = launch.stdinPath
    ? ['sh', '-c', 'exec "$@" <"$0"', launch.stdinPath, 'sh', '-c', script]
    : ['sh', '-c', script];
  const p = await startProcess({ argv, env: launch.env, logPath: streams.startLog(pod, c.name) });
  procs.push(p);
  const running = {
    ...pod,
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: c.name,
          image: c.image,
          imageID: '',
          ready: true,
          restartCount: 0,
          containerID: `kemu://${p.pid}`,
          state: { running: { startedAt: p.startedAt } },
        },
      ],
    },
  } as Pod;
  view.objects.set(keyString({ resource: 'pods', namespace: 'default', name: pod.metadata.name }), running);
  return p;
}

beforeAll(async () => {
  nats = await startNatsServer();
  eventLog = await connectEventLog({ servers: nats.url, name: 'kt-ps', log });
  stateDir = mkdtempSync(join(tmpdir(), 'kt-ps-'));
  streams = startPodStreams({
    bus: eventLog.nc,
    node: NODE,
    view,
    stateDir,
    enterPod: () => [],
    readEnviron: readProcEnviron,
    log,
    indexIntervalMs: 50,
  });
});

afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  streams?.stop();
  await eventLog?.close();
  await nats?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('pod logs', () => {
  it('serves the log with tail and timestamps, and refuses unknown pods and containers', async () => {
    const pod = podWith('logs-1', { name: 'c' });
    const p = await run(pod, 'echo one; echo two; echo three');
    await p.exited;
    const target = { namespace: 'default', pod: 'logs-1', uid: pod.metadata.uid, container: 'c' };
    const all = await open('logs', target);
    expect(all.reply).toEqual({ ok: true });
    expect(await all.ended).toEqual({});
    expect(all.text()).toBe('one\ntwo\nthree\n');

    const tail = await open('logs', { ...target, tailLines: 1, timestamps: true });
    await tail.ended;
    expect(tail.text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$/);

    expect((await open('logs', { ...target, pod: 'nope' })).reply).toMatchObject({ ok: false, status: { code: 404 } });
    expect((await open('logs', { ...target, container: 'x' })).reply).toEqual({
      ok: false,
      status: { code: 400, reason: 'BadRequest', message: 'container x is not valid for pod logs-1' },
    });
  });

  it('keeps the previous instance for --previous after a restart', async () => {
    const pod = podWith('logs-prev', { name: 'c' });
    const target = { namespace: 'default', pod: 'logs-prev', uid: pod.metadata.uid, container: 'c' };
    await (await run(pod, 'echo first')).exited;
    expect((await open('logs', { ...target, previous: true })).reply).toEqual({
      ok: false,
      status: {
        code: 400,
        reason: 'BadRequest',
        message: 'previous terminated container "c" in pod "logs-prev" not found',
      },
    });
    await (await run(pod, 'echo second')).exited;
    const prev = await open('logs', { ...target, previous: true });
    await prev.ended;
    expect(prev.text()).toBe('first\n');
    const cur = await open('logs', target);
    await cur.ended;
    expect(cur.text()).toBe('second\n');
  });

  it('follows new lines until the container instance ends', async () => {
    const pod = podWith('logs-follow', { name: 'c' });
    const p = await run(pod, 'echo start; exec sleep 60');
    const follow = await open('logs', {
      namespace: 'default',
      pod: 'logs-follow',
      uid: pod.metadata.uid,
      container: 'c',
      follow: true,
    });
    await eventually(() => follow.text() === 'start\n', { what: 'the first line' });
    appendFileSync(join(stateDir, 'pods', `default_logs-follow_${pod.metadata.uid}`, 'c.log'), 'later\npartial');
    await eventually(() => follow.text() === 'start\nlater\n', { what: 'the appended line' });
    p.kill('SIGKILL');
    expect(await follow.ended).toEqual({});
    expect(follow.text()).toBe('start\nlater\npartial');
  });
});

describe('exec', () => {
  it('runs a command with the container environment, splitting stdout and stderr, with its exit code', async () => {
    const pod = podWith('exec-1', { name: 'c' });
    await run(pod, 'sleep 60', { GREETING: 'hello from the container' });
    const s = await open('exec', {
      namespace: 'default',
      pod: 'exec-1',
      uid: pod.metadata.uid,
      container: 'c',
      command: ['sh', '-c', 'echo "$GREETING"; echo oops >&2; exit 3'],
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    expect(s.reply).toEqual({ ok: true });
    expect(await s.ended).toEqual({ exitCode: 3 });
    expect(s.text(Frame.stdout)).toBe('hello from the container\n');
    expect(s.text(Frame.stderr)).toBe('oops\n');
  });

  it('passes stdin through and closes it on the close frame', async () => {
    const pod = podWith('exec-2', { name: 'c' });
    await run(pod, 'sleep 60');
    const s = await open('exec', {
      namespace: 'default',
      pod: 'exec-2',
      uid: pod.metadata.uid,
      container: 'c',
      command: ['cat'],
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
    });
    s.send(Frame.stdin, 'x\n');
    s.send(Frame.closeStdin, '\0');
    expect(await s.ended).toEqual({ exitCode: 0 });
    expect(s.text()).toBe('x\n');
  });

  it('refuses a command that does not exist and a container that is not running', async () => {
    const pod = podWith('exec-3', { name: 'c' });
    await run(pod, 'sleep 60');
    const base = { namespace: 'default', pod: 'exec-3', uid: pod.metadata.uid, container: 'c' };
    const flags = { stdin: false, stdout: true, stderr: true, tty: false };
    const missing = await open('exec', { ...base, ...flags, command: ['kt-no-such-command'] });
    expect(missing.reply).toMatchObject({ ok: false, status: { code: 500, reason: 'InternalError' } });
    view.objects.set(keyString({ resource: 'pods', namespace: 'default', name: 'exec-3' }), pod);
    const notRunning = await open('exec', { ...base, ...flags, command: ['true'] });
    expect(notRunning.reply).toEqual({
      ok: false,
      status: { code: 400, reason: 'BadRequest', message: 'container not found ("c")' },
    });
  });

  it('kills the command when the client cancels', async () => {
    const pod = podWith('exec-4', { name: 'c' });
    await run(pod, 'sleep 60');
    const s = await open('exec', {
      namespace: 'default',
      pod: 'exec-4',
      uid: pod.metadata.uid,
      container: 'c',
      command: ['sh', '-c', 'echo $$; exec sleep 60'],
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    const pid = Number(await eventually(() => s.text().trim() || undefined, { what: 'the pid' }));
    s.send(Frame.cancel);
    await eventually(async () => (await readProcEnviron(pid)) === undefined, { what: 'the command to be killed' });
  });
});

describe('attach', () => {
  it("replays a stdin container's output, feeds its stdin, and ends when it exits", async () => {
    const pod = podWith('attach-1', { name: 'c', stdin: true, stdinOnce: true });
    await run(pod, 'echo ready; read line; echo "got:$line"; cat; echo eof');
    const s = await open('attach', {
      namespace: 'default',
      pod: 'attach-1',
      uid: pod.metadata.uid,
      container: 'c',
      stdin: true,
      stdout: true,
      stderr: false,
      tty: false,
    });
    expect(s.reply).toEqual({ ok: true });
    await eventually(() => s.text().includes('ready\n'), { what: 'output written before the attach' });
    s.send(Frame.stdin, 'hello\nmore\n');
    s.send(Frame.closeStdin, '\0');
    expect(await s.ended).toEqual({});
    expect(s.text()).toBe('ready\ngot:hello\nmore\neof\n');
  });
});
