/**
 * Bearer authentication of REST calls (contract 7). The scheme is compared
 * case-insensitively because the JS SDK sends `bearer <token>`.
 *
 * Codes (choices among the contract's): no/other-scheme Authorization header → 401 CMN-405
 * "Login to extension required."; unknown token → 401 OAU-129 "Access token corrupted.";
 * token of an uninstalled bot → 401 CMN-405 (what CB/CC/PY treat as "bot deleted", contract 1.3).
 */
import type { NextFunction, Request, Response } from 'express';
import { rcError } from './errors.js';
import { getOwn, type Bot } from './model.js';
import type { StateStore } from './state.js';

/** The authenticated caller of a REST request. */
export interface BotAuth {
  bot: Bot;
}

/** Resolves a raw `Authorization` header to its bot, or throws the 401 `RcApiError`. */
export function resolveBearer(store: StateStore, header: string | undefined): BotAuth {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) throw rcError.loginRequired();
  return resolveToken(store, match[1]);
}

/** Resolves a bare access token. */
export function resolveToken(store: StateStore, token: string): BotAuth {
  const record = getOwn(store.data.tokens, token);
  if (record === undefined) throw rcError.tokenCorrupted();
  const bot = store.data.bots[record.botId];
  if (record.revoked || bot?.status !== 'Enabled') throw rcError.loginRequired();
  return { bot };
}

/** Express middleware: authenticates and stores the caller in `res.locals.auth`. */
export function bearerAuth(store: StateStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.auth = resolveBearer(store, req.get('authorization'));
    next();
  };
}

/** The caller stored by {@link bearerAuth}. */
export function authOf(res: Response): BotAuth {
  return res.locals.auth as BotAuth;
}
