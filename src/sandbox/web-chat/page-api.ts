/**
 * The chat page's JSON API, over the emulator in the same process: who can be played, which chats
 * each sees, a chat's posts, posting as a person and clicking a card button. Messages and clicks
 * take the same path as on RingCentral: `emulator.post` delivers a notification to the bot,
 * `emulator.submit` sends it a signed submit.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { EmulatorError, RcApiError, type Emulator } from '../../emulator/index.js';
import { postRecords } from '../../emulator/post-records.js';
import type { SandboxMeta } from '../start-sandbox.js';

/** Options of {@link pageApi}. */
export interface PageApiOptions {
  emulator: Emulator;
  meta: SandboxMeta;
  adminIds: readonly string[];
  /** Origins a dialog icon may be shown from (the page's CSP allows exactly these). */
  imageOrigins: readonly string[];
}

/** A chat as the page lists it. */
export interface PageChat {
  id: string;
  name: string;
  kind: 'direct' | 'team' | 'admin';
}

/** Most posts a chat answer holds (the newest); the sandbox's chats grow without bound. */
export const MAX_POSTS = 200;

const postBody = z.object({ as: z.string(), text: z.string().min(1).max(10_000) });
/** How deep a click's `data` may nest: a card's inputs are flat; deeper is an attack on the stack. */
const MAX_DEPTH = 32;
const depthOf = (value: unknown, limit: number): number => {
  if (typeof value !== 'object' || value === null || limit < 0) return 0;
  let deepest = 0;
  for (const v of Object.values(value)) deepest = Math.max(deepest, depthOf(v, limit - 1));
  return deepest + 1;
};
const submitBody = z.object({
  as: z.string(),
  chatId: z.string(),
  data: z.record(z.string(), z.unknown()).refine((d) => depthOf(d, MAX_DEPTH) <= MAX_DEPTH, { message: `data nests deeper than ${MAX_DEPTH} levels` }),
});

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `@Registrar` typed in a shared chat becomes the mention markup RingCentral's client would send. */
export function withBotMention(text: string, botId: string, botName = 'Registrar'): string {
  return text.replace(new RegExp(`(^|[^\\w@])@${botName}\\b`, 'gi'), (_m, before: string) => `${before}![:Person](${botId})`);
}

/**
 * Mention markup typed by hand (`![:Person](id)`, `![:Team](id)`) stays text: only `@Registrar` becomes
 * a mention. It is escaped the way markdown escapes a bracket; the page shows it as typed.
 */
export const escapeTypedMentions = (text: string): string => text.replaceAll('![:', '!\\[:');

/**
 * Router to mount at `/api`.
 * @example app.use('/api', pageApi({ emulator, meta, adminIds: [ada.id], imageOrigins: [] }))
 */
export function pageApi({ emulator, meta, adminIds, imageOrigins }: PageApiOptions): Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  const botId = meta.botId ?? '';

  // Keys come from the page: look them up as own properties only (`__proto__` is no person).
  const person = (key: unknown) => {
    if (typeof key !== 'string' || !Object.hasOwn(meta.people, key)) throw new PageError(404, 'unknown person');
    return meta.people[key]!;
  };
  const chatsOf = async (personId: string): Promise<PageChat[]> => {
    const direct = await emulator.directChat(personId, botId);
    const chats: PageChat[] = [{ id: direct.id, name: 'Registrar', kind: 'direct' }];
    for (const [id, kind] of [[meta.teamChatId, 'team'], [meta.adminChatId, 'admin']] as const) {
      const chat = emulator.chat(id);
      if (chat?.members.includes(personId)) chats.push({ id, name: chat.name ?? 'Team', kind });
    }
    return chats;
  };
  const memberChat = (chatId: string, personId: string) => {
    const chat = emulator.chat(chatId);
    if (!chat || !chat.members.includes(personId)) throw new PageError(404, 'unknown chat');
    return chat;
  };
  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const result = schema.safeParse(body);
    if (!result.success) throw new PageError(400, result.error.issues[0]?.message ?? 'invalid request');
    return result.data;
  };

  router.get('/session', (_req, res) => {
    const people = Object.entries(meta.people).map(([key, p]) => ({ key, name: p.name, admin: adminIds.includes(p.id) }));
    res.json({ people, bot: { id: botId, name: 'Registrar' }, imageOrigins });
  });

  router.get('/people/:key/chats', async (req, res) => {
    res.json({ chats: await chatsOf(person(req.params.key).id) });
  });

  router.get('/chats/:chatId/posts', (req, res) => {
    memberChat(req.params.chatId, person(req.query.as).id);
    res.json({ records: postRecords(emulator, req.params.chatId).slice(-MAX_POSTS) });
  });

  router.post('/chats/:chatId/posts', async (req, res) => {
    const { as, text } = parse(postBody, req.body);
    const me = person(as);
    const chat = memberChat(req.params.chatId, me.id);
    const typed = escapeTypedMentions(text);
    const sent = chat.type === 'Direct' ? typed : withBotMention(typed, botId);
    const post = await emulator.post({ chatId: chat.id, personId: me.id, text: sent });
    res.status(201).json({ id: post.id });
  });

  router.post('/cards/:cardId/submit', async (req, res) => {
    const { as, chatId, data } = parse(submitBody, req.body);
    const me = person(as);
    memberChat(chatId, me.id);
    const card = emulator.card(req.params.cardId);
    if (!card || card.deleted || !card.chatIds.includes(chatId)) throw new PageError(404, 'unknown card');
    const result = await emulator.submit({ cardId: card.id, personId: me.id, chatId, data });
    res.json({ status: result.status, dialog: result.dialog && pageDialog(result.dialog, imageOrigins), dialogError: result.dialogError });
  });

  router.use((_req, _res, next) => next(new PageError(404, 'unknown route')));
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof PageError) res.status(err.status).json({ error: err.message });
    else if (err instanceof EmulatorError || err instanceof RcApiError) res.status(err.status).json({ error: err.message });
    else if ((err as { type?: unknown }).type === 'entity.parse.failed') res.status(400).json({ error: 'body is not valid JSON' });
    else if ((err as { type?: unknown }).type === 'entity.too.large') res.status(413).json({ error: 'body too large' });
    else if (clientFault(err)) res.status(clientFault(err)!).json({ error: (err as Error).message });
    else res.status(500).json({ error: 'something went wrong' });
  });
  return router;
}

/** A 4xx an error already names (a bad URL escape, an unsupported charset or encoding), if any. */
function clientFault(err: unknown): number | undefined {
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** The dialog as the page shows it; an icon from an origin the page may not load is left out. */
function pageDialog(dialog: Record<string, unknown>, imageOrigins: readonly string[]) {
  const icon = typeof dialog.iconURL === 'string' && URL.canParse(dialog.iconURL) ? new URL(dialog.iconURL) : undefined;
  return {
    title: String(dialog.title ?? ''),
    size: typeof dialog.size === 'string' ? dialog.size : 'medium',
    card: dialog.card ?? null,
    iconUrl: icon && imageOrigins.includes(icon.origin) ? icon.href : null,
  };
}
