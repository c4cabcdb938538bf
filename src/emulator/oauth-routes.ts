/**
 * OAuth endpoints (contract 1.2, 2.6): code exchange for public bots, token revoke, and the
 * WebSocket token.
 *
 * Status codes: the D error table lists 403 for OAU-106/108/109/110/112, while RFC 6749 (which
 * the platform says it follows) answers `invalid_grant` with 400. The emulator answers 400 for
 * grant errors and 401 for client-authentication errors; the discrepancy is UNCONFIRMED.
 */
import { Router, type Request } from 'express';
import { authOf, bearerAuth } from './auth.js';
import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import { randomSecret } from './ids.js';
import { getOwn, type App } from './model.js';

/** Authorization codes live this long (emulator choice; RingCentral's TTL is UNCONFIRMED). */
export const CODE_TTL_MS = 5 * 60_000;
/** `expires_in` of bot tokens: permanent (contract 1.2). */
export const BOT_TOKEN_EXPIRES_IN = 2_147_483_647;

/** Issues WebSocket tokens; implemented by the WebSocket gateway. */
export interface WsTokenIssuer {
  issueToken(botId: string): { token: string; expiresIn: number };
}

function clientOf(ctx: EmulatorContext, req: Request): App {
  const match = /^basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (match?.[1] === undefined) {
    throw new OAuthError(401, 'invalid_client', 'OAU-123', 'Invalid Authorization header value: Authorization');
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const app = colon < 0 ? undefined : getOwn(ctx.store.data.apps, decoded.slice(0, colon));
  if (app === undefined || app.clientSecret !== decoded.slice(colon + 1)) {
    throw new OAuthError(401, 'invalid_client', 'OAU-146', 'Invalid client credentials');
  }
  return app;
}

function invalidGrant(errorCode: string, message: string): OAuthError {
  return new OAuthError(400, 'invalid_grant', errorCode, message);
}

function field(req: Request, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Routes under `/restapi/oauth`. */
export function oauthRoutes(ctx: EmulatorContext, ws: WsTokenIssuer): Router {
  const router = Router();

  router.post('/restapi/oauth/token', (req, res) => {
    const app = clientOf(ctx, req);
    if (field(req, 'grant_type') !== 'authorization_code') {
      // Bot tokens are permanent; there is no refresh token to use (contract 1.3).
      const grant = field(req, 'grant_type') ?? '';
      const message = `The client is unauthorized for the required grant type: [${grant}]`;
      throw new OAuthError(400, 'unauthorized_client', 'OAU-112', message);
    }
    const code = getOwn(ctx.store.data.codes, field(req, 'code') ?? '');
    if (code === undefined || code.used) throw invalidGrant('OAU-106', 'Invalid authorization code');
    if (ctx.now() - code.issuedAt > CODE_TTL_MS) throw invalidGrant('OAU-108', 'Authorization code is expired');
    if (code.clientId !== app.clientId) {
      throw invalidGrant('OAU-110', 'Authorization code was not issued for this application');
    }
    if (field(req, 'redirect_uri') !== code.redirectUri) {
      throw invalidGrant('OAU-109', 'Redirect URIs do not match');
    }
    const token = getOwn(ctx.store.data.tokens, code.accessToken);
    if (token === undefined || token.revoked) throw invalidGrant('OAU-106', 'Invalid authorization code');
    code.used = true;
    ctx.store.changed();
    res.set('Cache-Control', 'no-store').json({
      access_token: code.accessToken,
      token_type: 'bearer',
      expires_in: BOT_TOKEN_EXPIRES_IN,
      scope: token.scope,
      owner_id: token.botId,
      endpoint_id: randomSecret(16),
    });
  });

  router.post('/restapi/oauth/revoke', (req, res) => {
    const app = clientOf(ctx, req);
    const token = getOwn(ctx.store.data.tokens, field(req, 'token') ?? '');
    if (token !== undefined && token.clientId === app.clientId && !token.revoked) {
      token.revoked = true;
      ctx.store.changed();
    }
    res.status(200).end();
  });

  router.post('/restapi/oauth/wstoken', bearerAuth(ctx.store), (req, res) => {
    const { token, expiresIn } = ws.issueToken(authOf(res).bot.id);
    // The client opens whatever `uri` says, so point it back at this server as the caller reached it.
    res.json({ uri: `ws://${req.get('host') ?? ''}/ws`, ws_access_token: token, expires_in: expiresIn });
  });

  return router;
}
