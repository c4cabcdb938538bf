import { SDK } from '@ringcentral/sdk';
import type { Logger } from '../lib/logger.js';
import type { Card, ChatClient, ChatInfo, CreateSubscription, Person, PostInfo, SubscriptionInfo } from './chat-client.js';
import { addWaiting } from '../lib/time-spent.js';
import { createRateGate, type RateGate } from './rate-gate.js';
import { rateGroupFor, type RateGroup } from './rate-groups.js';
import { statusOf, withRetry, type RetryOptions } from './retry.js';

export interface RcClientOptions {
  serverUrl: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** The permanent bot token for one installation. */
  accessToken: string;
  /** Keeps this installation's token apart from the others' in the SDK's shared cache. */
  cachePrefix: string;
  timeoutMs?: number;
  retry?: RetryOptions;
  /**
   * The account's rate gate: every request this client's SDK sends passes through it, the
   * WebSocket client's included. Shared by all clients of one installation; a client made without
   * one gets its own.
   */
  gate?: RateGate;
  log: Logger;
}

/** The error a RingCentral call ends with, carrying the platform's errorCode when it sent one. */
export class RingCentralError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RingCentralError';
  }
}

async function toRingCentralError(err: unknown, what: string): Promise<RingCentralError> {
  const status = statusOf(err);
  let errorCode: string | undefined;
  const response = (err as { response?: Response }).response;
  if (response) {
    try {
      const body = (await response.clone().json()) as { errorCode?: string; errors?: { errorCode?: string }[] };
      errorCode = body.errorCode ?? body.errors?.[0]?.errorCode;
    } catch {
      // Not JSON: the status says enough.
    }
  }
  return new RingCentralError(`${what} failed${status ? ` with HTTP ${status}` : ''}${errorCode ? ` (${errorCode})` : ''}`, status, errorCode, { cause: err });
}

/** The rate group of an SDK request (its URL may be relative or absolute; the query does not count). */
export function groupOfRequest(request: { method?: string; url?: string }): RateGroup {
  const path = new URL(request.url ?? '/', 'http://relative.invalid').pathname;
  return rateGroupFor(request.method ?? 'GET', path);
}

/**
 * Creates a ChatClient for one installation, with its own SDK instance and cachePrefix.
 * The token is injected with `expires_in` set, so the SDK never tries to refresh a bot token
 * (it has no refresh token and would wipe the stored one). The same holds after a 401: see below.
 */
/** A ChatClient that also owns its SDK instance (WebSocket delivery needs it) and can be released. */
export type RcClient = ChatClient & {
  sdk: SDK;
  accessToken: string;
  /** Removes this client's token from the SDK's shared storage. */
  dispose(): Promise<void>;
};

export async function createRcClient(options: RcClientOptions): Promise<RcClient> {
  const { serverUrl, clientId, clientSecret, accessToken, cachePrefix, timeoutMs = 15_000, log } = options;
  const sdk = new SDK({
    server: serverUrl,
    clientId,
    clientSecret: clientSecret ?? '',
    cachePrefix,
    handleRateLimit: false, // withRetry honours Retry-After itself, for every call
    clearCacheOnRefreshError: false, // a bot token cannot be refreshed; a failed attempt must not erase it
    // Node's own fetch classes, so the deadline below can wrap the SDK's requests.
    Request: globalThis.Request,
    Response: globalThis.Response,
    Headers: globalThis.Headers,
    // Every request gets a deadline; a hung connection counts as a retryable failure.
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as typeof fetch,
  });
  const platform = sdk.platform();
  // On a 401 the SDK empties the access token and retries through refresh(), which a bot token
  // cannot do: the token stays erased until a restart (contract 8; JS sdk/src/platform/Platform.ts
  // sendRequest, Auth.cancelAccessToken). Calls made here pass `retry: true`, but the WebSocket
  // client sends through this SDK too (POST /restapi/oauth/wstoken via @rc-ex/rcsdk), so every
  // request is marked as already retried: a 401 then just fails that one call.
  //
  // The same wrapper takes every request through the account's rate gate, in the group of its
  // endpoint: one attempt, one pass (withRetry's retries queue again, behind any 429 pause).
  const gate = options.gate ?? createRateGate();
  const send = platform.send.bind(platform);
  platform.send = (sendOptions = {}) => gate.run(groupOfRequest(sendOptions), () => send({ ...sendOptions, retry: true }));
  await platform.auth().setData({
    token_type: 'bearer',
    access_token: accessToken,
    expires_in: '2147483647',
    refresh_token_expires_in: '2147483647',
  });

  // `retry: true` tells the SDK not to try its own 401 refresh dance with a token that cannot refresh.
  const noSdkRetry = { retry: true };
  async function call<T>(what: string, send: () => Promise<Response>, { create = false } = {}): Promise<T> {
    const started = performance.now();
    try {
      const response = await withRetry(send, {
        ...options.retry,
        // A post that got no answer may exist: the outbox looks before sending it again.
        ...(create ? { retryUnanswered: false } : {}),
        onRetry: ({ attempt, status, waitMs }) => log.warn('retrying RingCentral call', { what, attempt, status, waitMs }),
      });
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      throw await toRingCentralError(err, what);
    } finally {
      addWaiting(performance.now() - started); // RingCentral's share, told apart from the bot's own
    }
  }

  // The bot's own id, asked once (a conversation's members include the bot).
  let self: Promise<string> | undefined;
  const selfId = () =>
    (self ??= call<{ id: number | string }>('get extension', () => platform.get('/restapi/v1.0/account/~/extension/~', undefined, noSdkRetry)).then(
      (r) => String(r.id),
      (err: unknown) => {
        self = undefined;
        throw err;
      },
    ));

  return {
    sdk,
    accessToken,
    async dispose() {
      // The SDK keeps every instance's token in one process-wide storage, under this prefix.
      await sdk.cache().clean();
    },
    async getSelf() {
      const r = await call<{ id: number | string; account?: { id?: number | string } }>('get extension', () =>
        platform.get('/restapi/v1.0/account/~/extension/~', undefined, noSdkRetry),
      );
      return { id: String(r.id), accountId: String(r.account?.id ?? '') };
    },
    async postText(chatId, text) {
      const r = await call<{ id: string }>('post text', () =>
        platform.post(`/team-messaging/v1/chats/${encodeURIComponent(chatId)}/posts`, { text }, undefined, noSdkRetry),
        { create: true },
      );
      return { id: String(r.id) };
    },
    async postCard(chatId, card: Card) {
      const r = await call<{ id: string }>('post card', () =>
        platform.post(`/team-messaging/v1/chats/${encodeURIComponent(chatId)}/adaptive-cards`, card, undefined, noSdkRetry),
        { create: true },
      );
      return { id: String(r.id) };
    },
    async updateCard(cardId, card) {
      await call('update card', () =>
        platform.put(`/team-messaging/v1/adaptive-cards/${encodeURIComponent(cardId)}`, card, undefined, noSdkRetry),
      );
    },
    async openDirect(personId) {
      const r = await call<{ id: string }>('open conversation', () =>
        platform.post('/team-messaging/v1/conversations', { members: [{ id: personId }] }, undefined, noSdkRetry),
      );
      return String(r.id);
    },
    async openDirectByEmail(email) {
      try {
        const r = await call<{ id: string; members?: ({ id: string | number } | string)[] }>('open conversation by email', () =>
          platform.post('/team-messaging/v1/conversations', { members: [{ email }] }, undefined, noSdkRetry),
        );
        const self = await selfId();
        const other = (r.members ?? []).map((m) => String(typeof m === 'object' ? m.id : m)).find((id) => id !== self);
        return other ? { chatId: String(r.id), personId: other } : undefined;
      } catch (err) {
        if (err instanceof RingCentralError && (err.status === 404 || err.status === 400)) return undefined;
        throw err;
      }
    },
    async getPerson(personId) {
      const r = await call<Person>('get person', () =>
        platform.get(`/team-messaging/v1/persons/${encodeURIComponent(personId)}`, undefined, noSdkRetry),
      );
      return { ...r, id: String(r.id) };
    },
    async getChat(chatId) {
      const r = await call<{ id: string; type: string; name?: string | null; members?: ({ id: string | number } | string)[] }>(
        'get chat',
        () => platform.get(`/team-messaging/v1/chats/${encodeURIComponent(chatId)}`, undefined, noSdkRetry),
      );
      // Members arrive as objects in REST answers and as plain ids in events: accept both.
      const members = (r.members ?? []).map((m) => (typeof m === 'object' ? String(m.id) : String(m)));
      return { id: String(r.id), type: r.type, name: r.name ?? null, members } satisfies ChatInfo;
    },
    async getPost(chatId, postId) {
      type Raw = { id: string | number; groupId?: string | number; creatorId?: string | number; text?: string | null; mentions?: { id: string | number; type?: string; name?: string | null }[] | null };
      const r = await call<Raw>('get post', () =>
        platform.get(`/team-messaging/v1/chats/${encodeURIComponent(chatId)}/posts/${encodeURIComponent(postId)}`, undefined, noSdkRetry),
      );
      const mentions = (r.mentions ?? []).map((m) => ({ id: String(m.id), type: m.type, name: m.name }));
      return { id: String(r.id), chatId: String(r.groupId ?? chatId), creatorId: String(r.creatorId ?? ''), text: r.text ?? null, mentions } satisfies PostInfo;
    },
    async recentPosts(chatId) {
      type Raw = { id: string | number; creatorId?: string | number; text?: string | null; creationTime?: string; type?: string; attachments?: { id?: string | number; type?: string }[] | null };
      const r = await call<{ records?: Raw[] }>('list posts', () =>
        platform.get(`/team-messaging/v1/chats/${encodeURIComponent(chatId)}/posts`, { recordCount: 30 }, noSdkRetry),
      );
      return (r.records ?? []).map((p) => {
        const card = (p.attachments ?? []).find((a) => a.type === 'Card' || a.type === 'AdaptiveCard');
        return { id: String(p.id), creatorId: String(p.creatorId ?? ''), text: p.text ?? null, creationTime: p.creationTime, cardId: card?.id !== undefined ? String(card.id) : undefined };
      });
    },
    async getCard(cardId) {
      return call<Card>('get card', () => platform.get(`/team-messaging/v1/adaptive-cards/${encodeURIComponent(cardId)}`, undefined, noSdkRetry));
    },
    async createSubscription(request: CreateSubscription) {
      return call<SubscriptionInfo>('create subscription', () =>
        platform.post('/restapi/v1.0/subscription', request, undefined, noSdkRetry),
      );
    },
    async getSubscription(id) {
      try {
        return await call<SubscriptionInfo>('get subscription', () =>
          platform.get(`/restapi/v1.0/subscription/${encodeURIComponent(id)}`, undefined, noSdkRetry),
        );
      } catch (err) {
        if (err instanceof RingCentralError && err.status === 404) return undefined;
        throw err;
      }
    },
    async renewSubscription(id) {
      return call<SubscriptionInfo>('renew subscription', () =>
        platform.post(`/restapi/v1.0/subscription/${encodeURIComponent(id)}/renew`, undefined, undefined, noSdkRetry),
      );
    },
    async deleteSubscription(id) {
      await call('delete subscription', () =>
        platform.delete(`/restapi/v1.0/subscription/${encodeURIComponent(id)}`, undefined, undefined, noSdkRetry),
      );
    },
  };
}
