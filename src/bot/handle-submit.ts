import { z } from 'zod';
import type { Installation } from '../platform/installations.js';
import type { Services, TurnContext } from './context.js';
import { noticeDialog, type Dialog } from './dialogs.js';
import { StoreWriteError } from '../store/store.js';
import type { TurnOptions } from './handle-notification.js';
import { SLOW_DOWN, type PersonLimiter } from './person-limiter.js';

/**
 * Interactive-message submits (Action.Submit clicks). The payload is RingCentral's button_submit;
 * `data` is the Action.Submit data merged with the card's input values, and `data.action` picks
 * the handler (teams-ai style). The clicker is `user`, as RingCentral says it, never anything in `data`.
 */
const id = z.union([z.string(), z.number()]).transform(String);

export const SubmitSchema = z.looseObject({
  uuid: z.string().min(1).max(512),
  type: z.string().optional(),
  user: z.looseObject({ id, extId: id.optional(), accountId: id.optional(), firstName: z.string().nullish(), lastName: z.string().nullish() }),
  conversation: z.looseObject({ id, type: z.string().optional() }).optional(),
  card: z.looseObject({ id }).optional(),
  bot: z.looseObject({ id }).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type Submit = z.infer<typeof SubmitSchema>;

export interface SubmitContext extends TurnContext {
  submit: Submit;
  /** The person who clicked (extension id when RingCentral sends one). */
  personId: string;
  cardId: string | undefined;
  chatId: string | undefined;
}

/** A handler may return a dialog to open for the clicker only; anything else answers an empty 200. */
export type SubmitReply = Dialog | void;
export type SubmitHandler = (ctx: SubmitContext) => Promise<SubmitReply>;

export class SubmitError extends Error {
  constructor(readonly code: 'SUBMIT_INVALID' | 'SUBMIT_NO_INSTALLATION', message: string) {
    super(message);
  }
}

/** Handlers by `data.action`: a Map, so an action named `constructor` or `__proto__` finds nothing. */
export type SubmitHandlers = ReadonlyMap<string, SubmitHandler>;

export function createSubmitHandler({ services, handlers, limiter }: { services: Services; handlers: () => SubmitHandlers; limiter?: PersonLimiter }) {
  const { installations, store, clock, log } = services;
  const seen = store.collection<{ at: number }>('seen-submits');

  async function findInstallation(submit: Submit): Promise<Installation | undefined> {
    const botId = submit.bot?.id ?? (typeof submit.data.botId === 'string' ? submit.data.botId : undefined);
    if (botId) {
      const byBot = await installations.byBotId(botId);
      if (byBot) return byBot;
    }
    return submit.user.accountId ? installations.get(submit.user.accountId) : undefined;
  }

  const notSaved = (err: StoreWriteError) => noticeDialog('That was not saved', err.options.userMessage ?? 'Please try again in a moment.');

  /** Returns what to answer, or `undefined` for a duplicate delivery that must not act again. */
  /** `submit`: the body as SubmitSchema already parsed it (the intake does, to store it), so it is not parsed twice. */
  async function handleSubmit(body: unknown, { deduped = false, turn, submit: given }: TurnOptions & { submit?: Submit } = {}): Promise<SubmitReply> {
    const parsed = given ? { success: true as const, data: given } : SubmitSchema.safeParse(body);
    if (!parsed.success) throw new SubmitError('SUBMIT_INVALID', 'submit payload is not a button_submit');
    const submit = parsed.data;
    let before: { at: number } | undefined;
    try {
      if (!deduped) ({ before } = await seen.update(submit.uuid, (cur) => cur ?? { at: clock.now() }));
    } catch (err) {
      // Not even the click's id could be stored (a full disk): act on nothing, and say so.
      if (!(err instanceof StoreWriteError)) throw err;
      log.error('a click could not be recorded', { eventId: submit.uuid, err });
      return notSaved(err);
    }
    if (before) {
      log.info('duplicate submit ignored', { eventId: submit.uuid });
      return;
    }
    const installation = await findInstallation(submit);
    if (!installation) throw new SubmitError('SUBMIT_NO_INSTALLATION', 'submit for no known installation');
    const chatId = submit.conversation?.id;
    const client =
      turn && services.turnClient ? services.turnClient(installation.accountId, await installations.rawClient(installation), turn, chatId) : await installations.client(installation);
    const ctx: SubmitContext = {
      services,
      installation,
      client,
      log: log.child({ eventId: submit.uuid, accountId: installation.accountId }),
      submit,
      personId: submit.user.extId ?? submit.user.id,
      cardId: submit.card?.id,
      chatId,
    };
    const action = typeof submit.data.action === 'string' ? submit.data.action : '';
    // Clicks count with commands, per person: past the limit, told once, then ignored for a while (the 200 still goes).
    const verdict = limiter?.check(`${installation.accountId}:${ctx.personId}`) ?? 'ok';
    if (verdict !== 'ok') {
      ctx.log.warn('a person is over their limit', { personId: ctx.personId, told: verdict === 'tell' });
      if (verdict === 'tell' && ctx.chatId) await client.postText(ctx.chatId, SLOW_DOWN);
      return;
    }
    const handler = handlers().get(action);
    ctx.log.info('submit received', { action: action || null, cardId: ctx.cardId });
    if (!handler) {
      if (ctx.chatId) await client.postText(ctx.chatId, 'That button is not one I know any more. Type **help** to see what I can do.');
      return;
    }
    try {
      return await handler(ctx);
    } catch (err) {
      ctx.log.error('submit handling failed', { action, err });
      if (err instanceof StoreWriteError) return notSaved(err);
      // RingCentral only wants a 200; the person who clicked deserves to know it did not work.
      if (ctx.chatId) {
        await client
          .postText(ctx.chatId, 'Sorry, something went wrong while handling that click. Please try again in a moment; if it keeps failing, tell your admin.')
          .catch(() => undefined);
      }
      return;
    }
  }

  /**
   * A dialog that was ready only after the click had been answered (RingCentral opens a dialog
   * only from the answer): its news goes to the conversation as text instead, so nobody is left
   * without an answer.
   */
  async function lateReply(body: unknown, dialog: Dialog): Promise<void> {
    const parsed = SubmitSchema.safeParse(body);
    if (!parsed.success || !parsed.data.conversation) return;
    const installation = await findInstallation(parsed.data);
    if (!installation) return;
    const client = await installations.client(installation);
    await client.postText(parsed.data.conversation.id, dialog.text);
  }

  return { handle: handleSubmit, lateReply };
}
