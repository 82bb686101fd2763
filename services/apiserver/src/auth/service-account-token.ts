/**
 * ServiceAccount tokens: JWTs (ES256) signed by the cluster's ServiceAccount key, as
 * kube-apiserver's TokenRequest issues them — `iss`, `sub`
 * (`system:serviceaccount:<ns>:<name>`), `aud`, `iat`, `nbf`, `exp`, and the
 * `kubernetes.io` claim naming the namespace, the ServiceAccount (name, uid) and, for a
 * token bound to a pod, the pod (name, uid). Verifying checks the signature, the
 * audience and the times; that the ServiceAccount and bound pod still exist is the
 * authenticator's check (service-account-authn.ts).
 */
import { type KeyObject, createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';

/** The issuer and default audience of kemu's tokens, as kube-apiserver's default. */
export const TOKEN_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The `kubernetes.io` claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
}

/** The claims of a ServiceAccount token. */
export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

/** Signs and verifies ServiceAccount tokens with one key pair. */
export interface TokenSigner {
  /** A token for the claim, valid `seconds` from `nowMs`. */
  mint(
    claim: KubernetesClaim,
    options: { audiences: string[]; seconds: number; nowMs: number },
  ): {
    token: string;
    claims: TokenClaims;
  };
  /** The claims of a token this key signed, for `audience`, valid at `nowMs`; undefined otherwise. */
  verify(token: string, nowMs: number, audience?: string): TokenClaims | undefined;
}

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));

/** A signer over a PEM EC P-256 private key. */
export function createTokenSigner(privateKeyPem: string | Buffer): TokenSigner {
  const privateKey: KeyObject = createPrivateKey(privateKeyPem);
  const publicKey: KeyObject = createPublicKey(privateKey);
  const header = { ...JSON.parse(Buffer.from(HEADER, 'base64url').toString()), kid: keyId(publicKey) };
  const headerText = b64(JSON.stringify(header));
  return {
    mint(claim, { audiences, seconds, nowMs }) {
      const now = Math.floor(nowMs / 1000);
      const claims: TokenClaims = {
        iss: TOKEN_ISSUER,
        sub: `system:serviceaccount:${claim.namespace}:${claim.serviceaccount.name}`,
        aud: audiences,
        iat: now,
        nbf: now,
        exp: now + seconds,
        jti: randomUUID(),
        'kubernetes.io': claim,
      };
      const input = `${headerText}.${b64(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return { token: `${input}.${b64(signature)}`, claims };
    },
    verify(token, nowMs, audience = TOKEN_ISSUER) {
      const parts = token.split('.');
      if (parts.length !== 3 || token.length > 16_384) return undefined;
      const [h, p, sig] = parts as [string, string, string];
      try {
        const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
        if (head.alg !== 'ES256') return undefined;
        const ok = verify(
          'sha256',
          Buffer.from(`${h}.${p}`),
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(sig, 'base64url'),
        );
        if (!ok) return undefined;
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as TokenClaims;
        const now = Math.floor(nowMs / 1000);
        if (claims.iss !== TOKEN_ISSUER || !Array.isArray(claims.aud) || !claims.aud.includes(audience))
          return undefined;
        if (typeof claims.exp !== 'number' || now >= claims.exp || (claims.nbf ?? 0) > now + 60) return undefined;
        const k = claims['kubernetes.io'];
        if (!k || typeof k.namespace !== 'string' || typeof k.serviceaccount?.name !== 'string') return undefined;
        return claims;
      } catch {
        return undefined;
      }
    },
  };
}

/** The key id kube-apiserver derives from the public key (SHA-256 of its DER, base64url). */
function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return b64(createHash('sha256').update(der).digest());
}
