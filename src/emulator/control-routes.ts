/**
 * The `/_emulator` control API: JSON, no auth (a local test tool), thin wrappers over the
 * {@link Emulator} methods, for a command line and a web chat page.
 * Errors: `{errorCode, message}` with the EmulatorError code (or the RingCentral one).
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Emulator } from './emulator.js';
import { EmulatorError, RcApiError } from './errors.js';
import { postRecords } from './post-records.js';

const accountSchema = z.object({ id: z.string().optional(), name: z.string().optional() });
const personSchema = z.object({
  accountId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  id: z.string().optional(),
});
const appSchema = z.object({
  name: z.string(),
  kind: z.enum(['private', 'public']),
  redirectUri: z.string(),
  outboundWebhookUrl: z.string().optional(),
  sharedSecret: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
});
const installSchema = z.object({ clientId: z.string(), accountId: z.string(), installerId: z.string() });
const uninstallSchema = z.object({ clientId: z.string(), accountId: z.string() });
const chatSchema = z.object({
  accountId: z.string(),
  type: z.enum(['Team', 'Group', 'Direct']),
  name: z.string().optional(),
  members: z.array(z.string()),
});
const membersSchema = z.object({ ids: z.array(z.string()).min(1) });
const postSchema = z.object({ personId: z.string(), text: z.string() });
const submitSchema = z.object({
  personId: z.string(),
  data: z.record(z.string(), z.unknown()),
  chatId: z.string().optional(),
});
const directSchema = z.object({ personId: z.string(), botId: z.string() });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new EmulatorError('EMU_INVALID', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Router to mount at `/_emulator`. */
export function controlRoutes(emulator: Emulator): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  router.get('/state', (_req, res) => {
    res.json(emulator.summary());
  });

  router.post('/accounts', (req, res) => {
    res.status(201).json(emulator.createAccount(parse(accountSchema, req.body)));
  });

  router.post('/persons', (req, res) => {
    res.status(201).json(emulator.addPerson(parse(personSchema, req.body)));
  });

  // The operator needs the app's secrets to configure the bot, so they are returned here once.
  router.post('/apps', (req, res) => {
    res.status(201).json(emulator.registerApp(parse(appSchema, req.body)));
  });

  router.post('/install', async (req, res) => {
    const { botId, status, error } = await emulator.installBot(parse(installSchema, req.body));
    res.status(201).json({ botId, status, ...(error === undefined ? {} : { error }) }); // never the token
  });

  router.post('/uninstall', async (req, res) => {
    await emulator.uninstallBot(parse(uninstallSchema, req.body));
    res.status(204).end();
  });

  router.post('/chats', async (req, res) => {
    res.status(201).json(await emulator.createChat(parse(chatSchema, req.body)));
  });

  router.post('/chats/:id/members', async (req, res) => {
    res.json(await emulator.addMembers(req.params.id, parse(membersSchema, req.body).ids));
  });

  router.post('/chats/:id/posts', async (req, res) => {
    const { personId, text } = parse(postSchema, req.body);
    res.status(201).json(await emulator.post({ chatId: req.params.id, personId, text }));
  });

  // Posts and cards in order; `since` (ISO) is exclusive so a poller can pass the last time it saw.
  router.get('/chats/:id/posts', (req, res) => {
    if (emulator.chat(req.params.id) === undefined) {
      throw new EmulatorError('EMU_NOT_FOUND', `unknown chat ${req.params.id}`);
    }
    const since = typeof req.query.since === 'string' ? Date.parse(req.query.since) : Number.NaN;
    const records = postRecords(emulator, req.params.id, since);
    res.json({ records });
  });

  router.post('/cards/:id/submit', async (req, res) => {
    res.json(await emulator.submit({ cardId: req.params.id, ...parse(submitSchema, req.body) }));
  });

  router.post('/direct', async (req, res) => {
    const { personId, botId } = parse(directSchema, req.body);
    res.json(await emulator.directChat(personId, botId));
  });

  router.use((_req, _res, next) => next(new EmulatorError('EMU_NOT_FOUND', 'unknown control route')));
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof EmulatorError) {
      res.status(err.status).json({ errorCode: err.code, message: err.message });
    } else if (err instanceof RcApiError) {
      res.status(err.status).json(err.toBody());
    } else if ((err as { type?: unknown }).type === 'entity.parse.failed') {
      res.status(400).json({ errorCode: 'EMU_INVALID', message: 'body is not valid JSON' });
    } else {
      res.status(500).json({ errorCode: 'EMU_INTERNAL', message: (err as Error).message });
    }
  });
  return router;
}
