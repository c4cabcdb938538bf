/**
 * The emulated RingCentral REST API: body parsing, fault injection, rate limits,
 * Bearer auth, the routes, and errors in RingCentral shape.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { bearerAuth } from './auth.js';
import type { ChatService } from './chats.js';
import type { EmulatorContext } from './context.js';
import { OAuthError, RcApiError, rcError } from './errors.js';
import type { FaultInjector } from './faults.js';
import { uuid } from './ids.js';
import { messagingRoutes } from './messaging-routes.js';
import { oauthRoutes, type WsTokenIssuer } from './oauth-routes.js';
import type { PostService } from './posts.js';
import type { RateLimiter } from './rate-limit.js';
import { subscriptionRoutes } from './subscription-routes.js';
import type { SubscriptionService } from './subscriptions.js';

/** Services the REST API is a thin layer over. */
export interface RestDeps {
  ctx: EmulatorContext;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  subscriptions: SubscriptionService;
  chats: ChatService;
  posts: PostService;
  ws: WsTokenIssuer;
}

const REST_PREFIXES = ['/restapi/', '/team-messaging/'];

/** True for paths the REST API serves. */
export function isRestPath(path: string): boolean {
  return REST_PREFIXES.some((p) => path.startsWith(p));
}

/** The REST router; mount at the application root. */
export function restRoutes(deps: RestDeps): Router {
  const { ctx } = deps;
  const router = Router();
  router.use((req, _res, next) => next(isRestPath(req.path) ? undefined : 'router'));
  router.use((_req, res, next) => {
    res.set('RCRequestId', uuid());
    next();
  });
  router.use(express.json({ limit: '10mb', type: ['application/json', 'application/*+json'] }));
  router.use(express.urlencoded({ extended: false }));
  router.use(deps.faults.middleware());
  router.use(deps.rateLimiter.middleware());
  router.use(oauthRoutes(ctx, deps.ws));
  router.use(['/restapi/v1.0', '/team-messaging'], bearerAuth(ctx.store));
  router.use(subscriptionRoutes(ctx, deps.subscriptions));
  router.use(messagingRoutes(ctx, deps.chats, deps.posts));
  router.use((_req, _res, next) => next(rcError.invalidUri()));
  router.use(restErrorHandler(ctx));
  return router;
}

/** Answers errors in the RingCentral shape; anything unexpected becomes 500 CMN-203. */
export function restErrorHandler(ctx: EmulatorContext) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof RcApiError) {
      res.set(err.headers).status(err.status).json(err.toBody());
      return;
    }
    if (err instanceof OAuthError) {
      res.status(err.status).json(err.toBody());
      return;
    }
    const parserError = err as { type?: unknown; status?: unknown };
    if (parserError.type === 'entity.parse.failed') {
      const error = rcError.badJson();
      res.status(error.status).json(error.toBody());
      return;
    }
    if (typeof parserError.type === 'string' && typeof parserError.status === 'number' && parserError.status < 500) {
      const error = new RcApiError(parserError.status, 'CMN-104', 'Cannot parse request');
      res.status(error.status).json(error.toBody());
      return;
    }
    ctx.log(`internal error: ${(err as Error).stack ?? String(err)}`);
    const error = rcError.internal();
    res.status(error.status).json(error.toBody());
  };
}
