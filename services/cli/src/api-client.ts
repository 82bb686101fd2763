/** A minimal client for the kemu apiserver: GET JSON with the admin token, errors as ApiRequestError. */
import { ApiRequestError } from './errors.js';

/** Talks to one apiserver. */
export interface ApiClient {
  readonly server: string;
  /** GETs a path and parses JSON; throws ApiRequestError on a non-2xx answer or no answer. */
  getJson<T>(path: string): Promise<T>;
  /** GETs a path and tells whether it answered 200 (used for /readyz). */
  isOk(path: string): Promise<boolean>;
}

/** Creates a client for `server` (e.g. http://127.0.0.1:6443) with an optional bearer token. */
export function createApiClient(server: string, token?: string, timeoutMs = 5_000): ApiClient {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const request = async (path: string): Promise<Response> => {
    try {
      return await fetch(`${server}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new ApiRequestError(0, `the apiserver at ${server} did not answer`, err);
    }
  };
  return {
    server,
    async getJson<T>(path: string): Promise<T> {
      const res = await request(path);
      const text = await res.text();
      if (!res.ok) {
        let message = text.trim();
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          // Not a Status object; keep the text.
        }
        throw new ApiRequestError(res.status, message || `GET ${path}: HTTP ${res.status}`);
      }
      return JSON.parse(text) as T;
    },
    async isOk(path: string): Promise<boolean> {
      try {
        const res = await request(path);
        await res.arrayBuffer();
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}
