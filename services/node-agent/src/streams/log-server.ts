/**
 * Serves `kubectl logs` for this node's pods from the container log files: the current
 * instance's log or the previous one's, tail/since/limitBytes/timestamps as the kubelet
 * applies them, and with follow the new lines until the container instance ends (or,
 * for a mirror pod's component log, until the client goes away). Times come from the
 * log index; a component's JSON lines carry their own.
 */
import type { Logger } from '@kemu/log';
import { type View, getObject } from '@kemu/eventlog';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ContainerLogs } from './container-logs.js';
import { type FileFollower, followFile, processAlive } from './file-follower.js';
import { type LogIndex, type LogTime, preciseNow, recordFor } from './log-index.js';
import {
  type LineTime,
  type LogSelection,
  jsonLineTime,
  limitOutput,
  renderLines,
  selectLog,
  splitLines,
} from './log-select.js';
import { Frame, type LogRequest } from '@kemu/pod-streams';
import type { StreamHandler } from './pod-stream-server.js';
import {
  badRequestStatus,
  containerStatusOf,
  resolveTarget,
  runningContainerID,
  waitingMessage,
} from './stream-target.js';

/** What the log handler reads. */
export interface LogServerOptions {
  view: View;
  node: string;
  logs: ContainerLogs;
  index: LogIndex;
  log: Logger;
  /** How often a follow looks for new lines. */
  followPollMs?: number;
  clock?: () => LogTime;
}

/** The most of a log read for one request: beyond it only the tail is served. */
const MAX_INITIAL_READ = 32 * 1024 * 1024;

function selection(req: LogRequest, now: number): LogSelection {
  const sel: LogSelection = { timestamps: req.timestamps === true };
  if (req.tailLines !== undefined) sel.tailLines = req.tailLines;
  if (req.limitBytes !== undefined) sel.limitBytes = req.limitBytes;
  if (req.sinceSeconds !== undefined) sel.sinceMs = now - req.sinceSeconds * 1000;
  else if (req.sinceTime !== undefined) sel.sinceMs = Date.parse(req.sinceTime);
  return sel;
}

function readRange(fd: number, from: number, to: number): Buffer {
  const buf = Buffer.alloc(to - from);
  let read = 0;
  while (read < buf.length) {
    const n = readSync(fd, buf, read, buf.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  return buf.subarray(0, read);
}

/** Creates the `logs` stream handler. */
export function createLogHandler(o: LogServerOptions): StreamHandler<LogRequest> {
  const clock = o.clock ?? preciseNow;
  const pollMs = o.followPollMs ?? 100;

  return async (req, session) => {
    const target = resolveTarget(o.view, o.node, req);
    if (!('pod' in target)) return target;
    const { pod, container } = target;
    const component = o.logs.componentLog(pod);
    let path: string;
    let alive: () => boolean;
    if (component) {
      if (req.previous) {
        return badRequestStatus(
          `previous terminated container "${container.name}" in pod "${pod.metadata.name}" not found`,
        );
      }
      path = component;
      alive = () => !session.isClosed();
    } else if (req.previous) {
      path = o.logs.previous(pod, container.name);
      if (!existsSync(path)) {
        return badRequestStatus(
          `previous terminated container "${container.name}" in pod "${pod.metadata.name}" not found`,
        );
      }
      alive = () => false;
    } else {
      path = o.logs.current(pod, container.name);
      if (!existsSync(path)) return badRequestStatus(waitingMessage(target));
      const instance = target.containerID;
      const key = { resource: 'pods' as const, namespace: req.namespace, name: req.pod };
      // The instance ends when its process is gone or the pod says another one runs.
      alive = () =>
        instance !== undefined &&
        processAlive(target.pid) &&
        runningContainerID(containerStatusOf(getObject(o.view, key), container.name)) === instance;
    }
    const fd = openSync(path, 'r');

    return () => {
      // The index is brought up to date once per read, before the lines read get their times.
      const sync = () => (component ? [] : o.index.sync(path));
      let records = sync();
      const timeOf: LineTime = (line, end) => (component ? jsonLineTime(line) : recordFor(records, end)) ?? clock();
      const sel = selection(req, clock().ms);
      const size = fstatSync(fd).size;
      let base = Math.max(0, size - MAX_INITIAL_READ);
      let buf = readRange(fd, base, size);
      if (base > 0) {
        // Started mid-file: drop the partial first line.
        const nl = buf.indexOf(10);
        buf = buf.subarray(nl + 1);
        base += nl + 1;
      }
      const first = selectLog(buf, base, sel, timeOf, !req.follow);
      session.send(Frame.stdout, first.out);
      let budget = sel.limitBytes === undefined ? undefined : sel.limitBytes - first.out.length;
      let follower: FileFollower | undefined;
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        follower?.stop();
        closeSync(fd);
      };
      const finish = () => {
        close();
        session.end({});
      };
      if (!req.follow || (budget !== undefined && budget <= 0)) {
        finish();
        return;
      }
      follower = followFile({
        fd,
        from: base + first.consumed,
        pollMs,
        alive,
        onChunk(chunk, at, final) {
          const lines = splitLines(chunk, final);
          if (lines.length === 0) return 0;
          if (sel.timestamps) records = sync();
          const out = limitOutput(renderLines(chunk, at, lines, sel.timestamps === true, timeOf), budget);
          session.send(Frame.stdout, out);
          if (budget !== undefined) {
            budget -= out.length;
            if (budget <= 0) queueMicrotask(finish);
          }
          return (lines[lines.length - 1] as { end: number }).end;
        },
        onEnd: finish,
      });
      session.onCancel(close);
    };
  };
}
