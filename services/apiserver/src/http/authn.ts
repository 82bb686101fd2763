/**
 * Bearer-token authentication, as kube-apiserver's static token file does it: a request
 * is authenticated when its `Authorization: Bearer <token>` matches a known token, and
 * acts as that token's user (name, uid, groups, plus `system:authenticated`); any other
 * bearer token may be a ServiceAccount token (service-account-authn.ts).
 * The public-info paths (/healthz, /livez, /readyz, /version), which kube-apiserver
 * opens to everyone through system:public-info-viewer, need no token; everything else
 * without a valid one is a 401 Status.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceAccountAuthenticator } from '../auth/service-account-authn.js';
import { AUTHENTICATED_GROUP, MASTERS_GROUP, type UserInfo } from '../auth/user-info.js';

/** One line of a static token file. */
export interface StaticToken {
  token: string;
  user: string;
  uid: string;
  groups: string[];
}

/** Who a request is, if anyone. */
export interface Authenticator {
  /** The user of the request's bearer token; undefined without a known one. */
  authenticate(headers: IncomingHttpHeaders): UserInfo | undefined;
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

/** The user every request acts as when the server has no tokens (plain-HTTP tests): full rights. */
export const UNAUTHENTICATED_ADMIN: UserInfo = {
  name: 'kemu-admin',
  uid: 'kemu-admin',
  groups: [MASTERS_GROUP, AUTHENTICATED_GROUP],
};

/**
 * An authenticator accepting `tokens` (a bare string is a token of a system:masters
 * admin); with no tokens at all every request is that admin (plain http tests).
 */
export function createAuthenticator(
  tokens: readonly (string | StaticToken)[],
  serviceAccounts?: ServiceAccountAuthenticator,
): Authenticator {
  const known = tokens
    .map((t) =>
      typeof t === 'string' ? { token: t, user: 'kemu-admin', uid: 'kemu-admin', groups: [MASTERS_GROUP] } : t,
    )
    .filter((t) => t.token !== '');
  const authenticate = (headers: IncomingHttpHeaders): UserInfo | undefined => {
    if (known.length === 0) return UNAUTHENTICATED_ADMIN;
    const token = bearerToken(headers);
    if (token === undefined) return undefined;
    const found = known.find((t) => sameSecret(t.token, token));
    if (!found) return serviceAccounts?.authenticate(token);
    return { name: found.user, uid: found.uid, groups: [...new Set([...found.groups, AUTHENTICATED_GROUP])] };
  };
  return {
    authenticate,
    allows: (pathname, headers) => isPublicPath(pathname) || authenticate(headers) !== undefined,
  };
}

/** The lines of a kube-apiserver static token file: `token,user,uid[,"group1,group2"]` (a bare token line is a user named like its token's first characters, in no group). */
export function parseTokenFile(text: string): StaticToken[] {
  const out: StaticToken[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([^,]*)(?:,([^,]*)(?:,([^,]*)(?:,"?([^"]*)"?)?)?)?$/.exec(line);
    const token = (m?.[1] ?? '').trim();
    if (token === '') continue;
    const user = (m?.[2] ?? '').trim() || `token-${token.slice(0, 6)}`;
    const uid = (m?.[3] ?? '').trim() || user;
    const groups = (m?.[4] ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
    out.push({ token, user, uid, groups });
  }
  return out;
}
