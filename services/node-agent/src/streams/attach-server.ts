/**
 * `kubectl attach` (and `kubectl run -i`): the container's output is its log file, so an
 * attach follows the running instance's log until that instance ends — from the start
 * for a container with `stdin: true`, so what it wrote before the client attached is
 * not lost (a kubelet has the container wait for that), from the end otherwise. Input
 * goes to the container's stdin FIFO; with `stdinOnce` the first client's EOF closes it.
 * With a tty the output's newlines become CRLF, as a pty would turn them.
 */
import type { Logger } from '@kemu/log';
import type { View } from '@kemu/eventlog';
import { closeSync, existsSync, fstatSync, openSync } from 'node:fs';
import type { ContainerLogs } from './container-logs.js';
import type { ContainerStdin } from './container-stdin.js';
import { type FileFollower, followFile, processAlive } from './file-follower.js';
import { createLineDiscipline } from './line-discipline.js';
import { type ExecRequest, Frame } from '@kemu/pod-streams';
import type { StreamHandler } from './pod-stream-server.js';
import { badRequestStatus, resolveTarget, waitingMessage } from './stream-target.js';

/** What the attach handler needs. */
export interface AttachServerOptions {
  view: View;
  node: string;
  logs: ContainerLogs;
  stdin: ContainerStdin;
  log: Logger;
  pollMs?: number;
}

/** `\n` → `\r\n` (a pty's onlcr), leaving existing `\r\n` alone. */
export function toCrlf(buf: Buffer): Buffer {
  return Buffer.from(buf.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** Creates the `attach` stream handler. */
export function createAttachHandler(o: AttachServerOptions): StreamHandler<ExecRequest> {
  const pollMs = o.pollMs ?? 50;
  return async (req, session) => {
    const target = resolveTarget(o.view, o.node, req);
    if (!('pod' in target)) return target;
    const { pod, container } = target;
    if (o.logs.componentLog(pod)) return badRequestStatus(`cannot attach to the mirror pod ${pod.metadata.name}`);
    const path = o.logs.current(pod, container.name);
    if (!existsSync(path)) return badRequestStatus(waitingMessage(target));
    // Without a running instance only a stdin container's finished output is worth replaying.
    if (target.pid === undefined && !container.stdin) {
      return badRequestStatus(`container ${container.name} is not running`);
    }
    const fd = openSync(path, 'r');
    const fifo = o.logs.stdinPath(pod, container.name);
    const log = o.log.child({ pod: `${req.namespace}/${req.pod}`, container: container.name });

    return () => {
      const out = (data: Buffer) => session.send(Frame.stdout, req.tty ? toCrlf(data) : data);
      const write = (data: Buffer) =>
        void o.stdin.write(fifo, data).catch((err) => log.debug({ err }, 'attach stdin write failed'));
      const closeStdin = () => {
        if (container.stdinOnce) o.stdin.close(fifo);
      };
      let follower: FileFollower | undefined;
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        follower?.stop();
        closeSync(fd);
      };
      if (req.stdin && container.stdin) {
        // With a tty the client's terminal is raw: echo and line editing are ours to do.
        const tty = req.tty ? createLineDiscipline({ echo: out, input: write, eof: closeStdin }) : undefined;
        session.onInput((type, payload) => {
          if (type === Frame.stdin) {
            if (tty) tty.receive(payload);
            else write(payload);
          } else if (type === Frame.closeStdin) closeStdin();
        });
      }
      session.onCancel(() => {
        close();
        closeStdin();
      });
      follower = followFile({
        fd,
        from: container.stdin ? 0 : fstatSync(fd).size,
        pollMs,
        alive: () => processAlive(target.pid),
        onChunk(chunk) {
          out(chunk);
          return chunk.length;
        },
        onEnd() {
          close();
          session.end({});
        },
      });
    };
  };
}
