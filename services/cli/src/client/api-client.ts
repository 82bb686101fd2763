/**
 * A minimal client for the kemu apiserver: GET JSON over HTTPS, verifying the server
 * against the cluster CA, with the admin bearer token; errors as ApiRequestError.
 * node:https rather than fetch, since Node 20's fetch cannot take a custom CA.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiRequestError } from '../errors.js';

/** Talks to one apiserver. */
export interface ApiClient {
  readonly server: string;
  /** GETs a path and parses JSON; throws ApiRequestError on a non-2xx answer or no answer. */
  getJson<T>(path: string): Promise<T>;
  /** GETs a path and tells whether it answered 200 (used for /readyz). */
  isOk(path: string): Promise<boolean>;
}

/** How to reach and authenticate to the apiserver. */
export interface ApiClientOptions {
  token?: string | undefined;
  /** PEM of the CA that signed the apiserver's certificate (https servers). */
  ca?: string | undefined;
  timeoutMs?: number;
}

interface Reply {
  status: number;
  text: string;
}

/** Creates a client for `server` (e.g. https://127.0.0.1:6443). */
export function createApiClient(server: string, options: ApiClientOptions = {}): ApiClient {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const https = server.startsWith('https:');

  const get = (path: string): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, server);
      const fail = (err: unknown) => reject(new ApiRequestError(0, `the apiserver at ${server} did not answer`, err));
      const onReply = (res: import('node:http').IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      };
      const req = https
        ? httpsRequest(url, { headers, ca: options.ca, timeout: timeoutMs, agent: false }, onReply)
        : httpRequest(url, { headers, timeout: timeoutMs, agent: false }, onReply);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', fail);
      req.end();
    });

  return {
    server,
    async getJson<T>(path: string): Promise<T> {
      const res = await get(path);
      if (res.status < 200 || res.status > 299) {
        let message = res.text.trim();
        try {
          message = (JSON.parse(res.text) as { message?: string }).message ?? message;
        } catch {
          // Not a Status object; keep the text.
        }
        throw new ApiRequestError(res.status, message || `GET ${path}: HTTP ${res.status}`);
      }
      return JSON.parse(res.text) as T;
    },
    async isOk(path: string): Promise<boolean> {
      try {
        return (await get(path)).status === 200;
      } catch {
        return false;
      }
    },
  };
}
