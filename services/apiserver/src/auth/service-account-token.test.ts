import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOKEN_ISSUER, createTokenSigner } from './service-account-token.js';

const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const NOW = Date.parse('2026-12-07T06:00:00Z');
const claim = { namespace: 'team', serviceaccount: { name: 'bot', uid: 'u1' }, pod: { name: 'p', uid: 'u2' } };

describe('ServiceAccount tokens', () => {
  it('mints ES256 JWTs with the bound claims and verifies them until they expire', () => {
    const signer = createTokenSigner(pem());
    const { token, claims } = signer.mint(claim, { audiences: [TOKEN_ISSUER], seconds: 600, nowMs: NOW });
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).toMatchObject({
      alg: 'ES256',
      typ: 'JWT',
    });
    expect(claims).toMatchObject({ sub: 'system:serviceaccount:team:bot', iat: NOW / 1000, exp: NOW / 1000 + 600 });
    expect(signer.verify(token, NOW + 1_000)?.['kubernetes.io']).toEqual(claim);
    expect(signer.verify(token, NOW + 600_000)).toBeUndefined();
    expect(signer.verify(token, NOW, 'other-audience')).toBeUndefined();
  });

  it('refuses a token signed by another key, a tampered payload and garbage', () => {
    const signer = createTokenSigner(pem());
    const { token } = createTokenSigner(pem()).mint(claim, { audiences: [TOKEN_ISSUER], seconds: 600, nowMs: NOW });
    expect(signer.verify(token, NOW)).toBeUndefined();
    const own = signer.mint(claim, { audiences: [TOKEN_ISSUER], seconds: 600, nowMs: NOW }).token;
    const [h, , s] = own.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:kube-system:admin' })).toString(
      'base64url',
    );
    expect(signer.verify(`${h}.${forged}.${s}`, NOW)).toBeUndefined();
    for (const bad of ['', 'a.b.c', 'x'.repeat(20_000), `${h}..`]) expect(signer.verify(bad, NOW)).toBeUndefined();
  });
});
