/**
 * Interactive-message submits (contract 6): a user clicks an `Action.Submit` on a bot's card
 * and the platform POSTs compact JSON to the app's outbound webhook URL, signed with
 * `X-Glip-Signature` = lowercase hex HMAC-SHA1(sharedSecret, exact body bytes). A
 * `{type: "dialog"}` answer is checked as the platform documents it (dialog-check.ts) and recorded.
 */
import { createHmac } from 'node:crypto';
import type { EmulatorContext } from './context.js';
import type { Directory } from './directory.js';
import { checkDialog } from './dialog-check.js';
import { EmulatorError } from './errors.js';
import { parseBody, type OutboundHttp } from './http-out.js';
import { uuid } from './ids.js';
import { getOwn, type ChatType } from './model.js';

/** Input of `submit` / `signedSubmitRequest`. */
export interface SubmitInput {
  cardId: string;
  personId: string;
  /** The `Action.Submit.data` merged with the input values, keyed by input id. */
  data: Record<string, unknown>;
  /** Which of the card's chats the click happened in (default: the first). */
  chatId?: string;
  /** Reuse a uuid to emulate a redelivery of the same event. */
  uuid?: string;
  /** Send `sha1=<hex>` instead of the bare hex digest (both exist, contract 6.2). */
  signaturePrefix?: boolean;
}

/** The submit payload (contract 6.2). */
export interface SubmitPayload {
  uuid: string;
  timestamp: string;
  type: 'button_submit';
  appId: string;
  user: { id: string; extId: string; firstName: string; lastName: string; accountId: string };
  conversation: { id: string; type: 'DM' | 'GROUP' | 'TEAM' };
  card: { id: string };
  bot: { id: string };
  data: Record<string, unknown>;
}

/** A signed request, ready to send. `body` is the exact signed string. */
export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  payload: SubmitPayload;
}

/** What the bot answered. `body` is parsed JSON when it is JSON, else text. */
export interface SubmitResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The dialog shown to the clicker, or null (none asked for, or refused). */
  dialog: Record<string, unknown> | null;
  /** Why a `{type: "dialog"}` answer was refused (e.g. no title or iconURL), else null. */
  dialogError: string | null;
}

/** One `{type: "dialog"}` answer, opened or refused. */
export interface DialogRecord {
  time: string;
  cardId: string;
  personId: string;
  dialog: unknown;
  /** Null when the dialog opened. */
  error: string | null;
}

/** Oldest dialog records are dropped beyond this. */
const MAX_DIALOG_RECORDS = 10_000;

const CONVERSATION_TYPE: Record<ChatType, SubmitPayload['conversation']['type']> = {
  Direct: 'DM',
  Personal: 'DM',
  Group: 'GROUP',
  Team: 'TEAM',
  Everyone: 'TEAM',
};

/** Lowercase hex HMAC-SHA1 of `body` keyed by `secret`. */
export function glipSignature(secret: string, body: string): string {
  return createHmac('sha1', secret).update(body, 'utf8').digest('hex');
}

/** Builds and sends submits. */
export class SubmitService {
  /** Every dialog a bot asked to open, oldest first. */
  readonly dialogs: DialogRecord[] = [];

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly directory: Directory,
    private readonly http: OutboundHttp,
  ) {}

  /** Builds the signed request without sending it. */
  signedRequest(input: SubmitInput): SignedRequest {
    const card = getOwn(this.ctx.store.data.cards, input.cardId);
    if (card === undefined || card.deleted) throw new EmulatorError('EMU_NOT_FOUND', `unknown card ${input.cardId}`);
    const bot = this.directory.bot(card.creatorId);
    if (bot === undefined) throw new EmulatorError('EMU_NOT_FOUND', `card ${card.id} was not created by a bot`);
    const app = this.directory.app(bot.clientId);
    if (app.outboundWebhookUrl === null) {
      throw new EmulatorError('EMU_NO_OUTBOUND_WEBHOOK', `app ${app.name} has no outbound webhook URL`);
    }
    const chatId = input.chatId ?? card.chatIds[0] ?? '';
    if (!card.chatIds.includes(chatId)) {
      throw new EmulatorError('EMU_INVALID', `card ${card.id} is not in chat ${chatId}`);
    }
    const chat = this.directory.chat(chatId);
    const person = this.directory.person(input.personId);
    if (!chat.members.includes(person.id)) {
      throw new EmulatorError('EMU_NOT_MEMBER', `person ${person.id} is not a member of chat ${chat.id}`);
    }
    const payload: SubmitPayload = {
      uuid: input.uuid ?? uuid(),
      timestamp: this.ctx.iso(),
      type: 'button_submit',
      appId: app.clientId,
      user: {
        id: person.id,
        extId: person.id,
        firstName: person.firstName,
        lastName: person.lastName,
        accountId: person.companyId,
      },
      conversation: { id: chat.id, type: CONVERSATION_TYPE[chat.type] },
      card: { id: card.id },
      bot: { id: bot.id },
      data: input.data,
    };
    const body = JSON.stringify(payload);
    const hex = glipSignature(app.sharedSecret, body);
    return {
      url: app.outboundWebhookUrl,
      headers: {
        'Content-Type': 'application/json',
        'X-Glip-Signature': input.signaturePrefix === true ? `sha1=${hex}` : hex,
      },
      body,
      payload,
    };
  }

  /** Sends the submit and returns the bot's answer (a `{type:'dialog'}` body opens a dialog). */
  async submit(input: SubmitInput): Promise<SubmitResult> {
    const req = this.signedRequest(input);
    try {
      const res = await this.http.send({
        method: 'POST',
        url: req.url,
        headers: req.headers,
        body: req.body,
        timeoutMs: this.ctx.options.outboundTimeoutMs,
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
      this.ctx.log(`submit card ${input.cardId} -> ${res.status}`);
      const body = parseBody(res);
      const outcome = checkDialog({ status: res.status, contentType: headers['content-type'] ?? '', body });
      if (outcome.kind !== 'none') this.record(input, body, outcome.kind === 'refused' ? outcome.error : null);
      return {
        status: res.status,
        headers,
        body,
        dialog: outcome.kind === 'opened' ? outcome.dialog : null,
        dialogError: outcome.kind === 'refused' ? outcome.error : null,
      };
    } catch (err) {
      throw new EmulatorError('EMU_OUTBOUND_FAILED', `submit to ${req.url} failed: ${(err as Error).message}`);
    }
  }

  private record(input: SubmitInput, body: unknown, error: string | null): void {
    const dialog = (body as { dialog?: unknown }).dialog;
    this.dialogs.push({ time: this.ctx.iso(), cardId: input.cardId, personId: input.personId, dialog, error });
    if (this.dialogs.length > MAX_DIALOG_RECORDS) this.dialogs.shift();
    if (error !== null) this.ctx.log(`dialog refused for card ${input.cardId}: ${error}`);
  }
}
