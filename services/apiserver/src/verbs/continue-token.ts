/**
 * The continue token of a paginated list, as the Kubernetes apiserver writes it: the
 * unpadded base64url of `{"v":"meta.k8s.io/v1","rv":<list resourceVersion>,"start":<key>}`,
 * where `start` is the key after the last item sent (`<namespace>/<name>` plus a NUL, as
 * etcd's range continues). Clients treat it as opaque; the apiserver serves every later
 * page as of `rv`, so a paginated list is one consistent snapshot.
 */
import { badRequest } from '@kemu/api';

/** Where the next page starts and as of which resourceVersion it is served. */
export interface ContinueToken {
  rv: number;
  /** The first key the next page may hold (`<namespace>/<name>\0` after the last item). */
  start: string;
}

const VERSION = 'meta.k8s.io/v1';

/** The token for a page from key `start` on, of a list served as of `rv`. */
export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, rv, start })).toString('base64url');
}

/** The first key after `key` (etcd continues a range at the key plus a NUL). */
export function keyAfter(key: string): string {
  return `${key}\u0000`;
}

/** Decodes a token, or throws 400 BadRequest with the apiserver's words. */
export function decodeContinue(token: string): ContinueToken {
  const invalid = (why: string) => badRequest(`continue key is not valid: ${why}`);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('illegal base64 data');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalid((err as Error).message);
  }
  if (typeof body !== 'object' || body === null) throw invalid('not an encoded continue key');
  const { v, rv, start } = body as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== VERSION) throw invalid(`server does not recognize this encoded version ${JSON.stringify(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0)
    throw invalid(`incorrect encoded start resourceVersion (version ${VERSION})`);
  if (typeof start !== 'string' || start === '') throw invalid('encoded start key empty');
  return { rv, start };
}
