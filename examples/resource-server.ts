/**
 * An API of the company's that accepts Registrar's access tokens: a few dozen lines with `jose`.
 *
 *   ISSUER=https://registrar.example.com/oauth npx tsx examples/resource-server.ts
 *   curl -H "Authorization: Bearer $ACCESS_TOKEN" http://127.0.0.1:4000/whoami
 *
 * It checks the token's signature against Registrar's JWKS, its issuer, audience, type (RFC 9068
 * `at+jwt`) and expiry. A signature alone is accepted until the token expires (an hour), so when
 * CLIENT_ID and CLIENT_SECRET (any active app of the same account) are set it also asks Registrar's
 * introspection endpoint, which says inactive once a token is revoked.
 */
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ResourceServerOptions {
  issuer: string;
  /** The `aud` Registrar puts in access tokens: the issuer + /api. */
  audience?: string;
  /** Credentials of an app of the same account, to ask introspection about revocations. */
  introspectAs?: { clientId: string; clientSecret: string };
  /** The time to check expiry against (tests move it). */
  now?: () => Date;
}

export function resourceServer({ issuer, audience = `${issuer}/api`, introspectAs, now = () => new Date() }: ResourceServerOptions) {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  async function stillActive(token: string): Promise<boolean> {
    if (!introspectAs) return true;
    const basic = Buffer.from(`${encodeURIComponent(introspectAs.clientId)}:${encodeURIComponent(introspectAs.clientSecret)}`).toString('base64');
    const res = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    return res.ok && ((await res.json()) as { active?: boolean }).active === true;
  }
  const app = express();
  app.get('/whoami', async (req, res) => {
    const token = /^Bearer ([\w.-]+)$/.exec(req.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new Error('no token');
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt', algorithms: ['ES256'], currentDate: now() });
      if (!(await stillActive(token))) throw new Error('revoked');
      res.json({ person: payload.sub, app: payload.client_id, scope: payload.scope });
    } catch {
      res.status(401).set('www-authenticate', 'Bearer error="invalid_token"').json({ error: 'invalid_token' });
    }
  });
  return app;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const { ISSUER, CLIENT_ID, CLIENT_SECRET, PORT = '4000' } = process.env;
  if (!ISSUER) throw new Error('set ISSUER, e.g. https://registrar.example.com/oauth');
  const introspectAs = CLIENT_ID && CLIENT_SECRET ? { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } : undefined;
  resourceServer({ issuer: ISSUER, ...(introspectAs ? { introspectAs } : {}) }).listen(Number(PORT), '127.0.0.1', () => console.log(`resource server on http://127.0.0.1:${PORT}/whoami`));
}
