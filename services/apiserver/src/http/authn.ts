/**
 * Bearer-token authentication, as kube-apiserver's static token file does it: a request
 * is authenticated when its `Authorization: Bearer <token>` matches a known token.
 * The public-info paths (/healthz, /livez, /readyz, /version), which kube-apiserver
 * opens to everyone through system:public-info-viewer, need no token; everything else
 * without a valid one is a 401 Status.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Decides whether a request may proceed. */
export interface Authenticator {
  /** True when the request carries a known bearer token, or asks for a public path. */
  allows(pathname: string, headers: IncomingHttpHeaders): boolean;
}

const PUBLIC_ROOTS = new Set(['healthz', 'livez', 'readyz', 'version']);

/** True for the paths anonymous clients may read (/healthz, /livez, /readyz and their checks, /version). */
export function isPublicPath(pathname: string): boolean {
  const first = pathname.split('/').filter((p) => p !== '')[0] ?? '';
  if (first === 'version') return pathname.replace(/\/+$/, '') === '/version';
  return PUBLIC_ROOTS.has(first);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return m?.[1];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An authenticator accepting `tokens`; with no tokens at all every request is allowed (plain http tests). */
export function createAuthenticator(tokens: readonly string[]): Authenticator {
  const known = tokens.filter((t) => t !== '');
  return {
    allows(pathname, headers) {
      if (known.length === 0 || isPublicPath(pathname)) return true;
      const token = bearerToken(headers);
      return token !== undefined && known.some((t) => sameSecret(t, token));
    },
  };
}

/** The tokens of a kube-apiserver static token file: `token,user,uid[,"groups"]` lines (a bare token line works too). */
export function parseTokenFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => (l.split(',')[0] ?? '').trim())
    .filter((t) => t !== '');
}
