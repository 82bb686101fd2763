/**
 * Reading requests and writing replies: bodies with a size limit, JSON replies, and
 * every error as a metav1.Status with its HTTP code (kubectl prints the Status message).
 */
import { ApiError, internalError } from '@kemu/api';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body accepted, as kube-apiserver's 3 MiB limit. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole request body as UTF-8; a body over the limit is a 413 Status. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return (await readBodyBytes(req, limit)).toString('utf8');
}

/** The 413 kube-apiserver answers for a body over its limit. */
export function tooLargeError(limit: number): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Request entity too large: limit is ${limit}`,
    reason: 'RequestEntityTooLarge',
    code: 413,
  });
}

/** Reads the whole request body; a body over the limit is a 413 Status. */
export async function readBodyBytes(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw tooLargeError(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Sends a JSON reply. */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
  warnings: readonly string[] = [],
): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

/** Sends a plain-text reply (health checks). */
export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Turns anything thrown into the ApiError to send: ApiErrors as they are, the rest as 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return internalError(err instanceof Error ? err.message : String(err));
}

/** Sends an error as a Status with its code. */
export function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.code, err.status);
}

/** A 404 for a path the server does not serve, worded as kube-apiserver words it. */
export function pathNotFound(): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server could not find the requested resource',
    reason: 'NotFound',
    details: {},
    code: 404,
  });
}

/** A 403 Forbidden Status. */
export function forbiddenError(resource: string, name: string, why: string, group = ''): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${group ? `${resource}.${group}` : resource} "${name}" is forbidden: ${why}`,
    reason: 'Forbidden',
    details: { name, group: group || undefined, kind: resource },
    code: 403,
  });
}
