/**
 * `GET /api/v1/namespaces/<ns>/pods/<name>/log`: asks the pod's node-agent for the log
 * over NATS and streams it as text/plain (chunked, headers flushed at once so `logs -f`
 * shows up immediately). Errors before the first byte are Status replies; a client that
 * goes away cancels the node-agent's follow.
 */
import { badRequest, unavailable } from '@kemu/api';
import type { LogRequest, StreamTarget } from '@kemu/pod-streams';
import type { ServerResponse } from 'node:http';
import type { ApiContext } from '../context.js';
import { openNodeStream } from './node-stream-client.js';
import { isTrue } from '../http/negotiation.js';
import { podStreamTarget } from './pod-stream-target.js';

/** PodLogOptions from the query, as the node-agent takes them (its LogRequest without the target). */
export type LogQuery = Omit<LogRequest, keyof StreamTarget>;

function integer(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${name} ${JSON.stringify(v)}: must be an integer`);
  if (n < min) throw badRequest(`${name}: Invalid value: ${n}: must be greater than ${min - 1}`);
  return n;
}

/** Parses the log query parameters kubectl sends; invalid values are 400s. */
export function parseLogQuery(q: URLSearchParams): LogQuery {
  const out: LogQuery = {};
  if (isTrue(q.get('follow'))) out.follow = true;
  if (isTrue(q.get('previous'))) out.previous = true;
  if (isTrue(q.get('timestamps'))) out.timestamps = true;
  const tailLines = integer(q, 'tailLines', 0);
  if (tailLines !== undefined) out.tailLines = tailLines;
  const sinceSeconds = integer(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime)
    throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
  if (sinceSeconds !== undefined) out.sinceSeconds = sinceSeconds;
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw badRequest(`invalid sinceTime ${JSON.stringify(sinceTime)}`);
    out.sinceTime = sinceTime;
  }
  const limitBytes = integer(q, 'limitBytes', 1);
  if (limitBytes !== undefined) out.limitBytes = limitBytes;
  return out;
}

/** Serves one log request. */
export async function servePodLog(
  ctx: ApiContext,
  namespace: string,
  name: string,
  res: ServerResponse,
  q: URLSearchParams,
): Promise<void> {
  const query = parseLogQuery(q);
  const target = podStreamTarget(ctx, namespace, name, q.get('container'));
  if (!target.node) {
    throw badRequest(`container "${target.container}" in pod "${name}" is waiting to start: ContainerCreating`);
  }
  if (!ctx.nodeBus) throw unavailable('pod logs are not available: the apiserver has no connection to the nodes');
  let ended = false;
  const stream = await openNodeStream(
    ctx.nodeBus,
    target.node,
    'logs',
    { ...query, namespace, pod: name, uid: target.pod.metadata.uid ?? '', container: target.container },
    {
      onData: (_type, data) => res.write(data),
      onEnd: () => {
        ended = true;
        res.end();
      },
    },
  );
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  const cancel = () => {
    if (!ended) stream.cancel();
  };
  res.once('close', cancel);
}
