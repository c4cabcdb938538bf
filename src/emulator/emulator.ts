/**
 * The `Emulator` object handed to tests and the sandbox: setup, user actions, inspection and
 * fault injection over the running emulated platform. Returned records are copies.
 */
import type { CreateChatInput } from './chats.js';
import type { ContentChange } from './context.js';
import type { DeliveryRecord } from './deliver.js';
import type { AddPersonInput, CreateAccountInput, RegisterAppInput } from './directory.js';
import { EmulatorError } from './errors.js';
import type { Fault, FaultMatch } from './faults.js';
import type { RateGroup } from './rate-limit.js';
import type { InstallBotInput, InstallResult, UninstallBotInput } from './install.js';
import {
  getOwn,
  type Account,
  type App,
  type Bot,
  type Chat,
  type Person,
  type Post,
  type StoredCard,
  type SubscriptionRecord,
} from './model.js';
import type { RecordedRequest } from './recorder.js';
import type { Services } from './services.js';
import type { DialogRecord, SignedRequest, SubmitInput, SubmitResult } from './submit.js';
import { waitFor, type WaitForOptions } from './wait-for.js';

/** Filter of `posts()` / `cards()`. */
export interface ContentFilter {
  chatId?: string;
  creatorId?: string;
}

/** Input of `post()`. */
export interface UserPostInput {
  chatId: string;
  personId: string;
  text: string;
}

/** Secret-free overview (also `GET /_emulator/state`). */
export interface EmulatorSummary {
  accounts: Account[];
  persons: Person[];
  apps: Omit<App, 'clientSecret' | 'sharedSecret'>[];
  bots: (Omit<Bot, 'welcomePending' | 'subscribeFailuresLeft' | 'readyAt'> & { name: string })[];
  chats: Chat[];
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** Stops servers, sockets, timers and outbound calls; saves state. Idempotent. */
  close(): Promise<void>;

  createAccount(input?: CreateAccountInput): Account;
  addPerson(input: AddPersonInput): Person;
  registerApp(input: RegisterAppInput): App;
  /** Changes an app's redirect URI or outbound webhook URL. */
  updateApp(clientId: string, changes: { redirectUri?: string; outboundWebhookUrl?: string }): App;
  installBot(input: InstallBotInput): Promise<InstallResult>;
  uninstallBot(input: UninstallBotInput): Promise<void>;

  createChat(input: CreateChatInput): Promise<Chat>;
  addMembers(chatId: string, ids: string[]): Promise<Chat>;
  removeMembers(chatId: string, ids: string[]): Promise<Chat>;
  /** Finds or creates the Direct chat of two people (e.g. a user and a bot). */
  directChat(personId: string, otherId: string): Promise<Chat>;
  /** A user posts; resolves after PostAdded was delivered to member bots (see `deliveries`). */
  post(input: UserPostInput): Promise<Post>;
  /** A user clicks an Action.Submit of a card; returns the bot's answer. */
  submit(input: SubmitInput): Promise<SubmitResult>;
  /** The signed submit request, not sent. */
  signedSubmitRequest(input: SubmitInput): SignedRequest;

  /** Every request received (HTTP and WebSocket), secrets redacted. Live array. */
  readonly requests: readonly RecordedRequest[];
  /** Every notification attempt. Live array. */
  readonly deliveries: readonly DeliveryRecord[];
  /** Every dialog a bot answered a click with, opened or refused (`error`). Live array. */
  readonly dialogs: readonly DialogRecord[];
  posts(filter?: ContentFilter): Post[];
  cards(filter?: ContentFilter): StoredCard[];
  card(id: string): StoredCard | undefined;
  chats(): Chat[];
  chat(id: string): Chat | undefined;
  person(id: string): Person | undefined;
  bot(id: string): Bot | undefined;
  subscriptions(filter?: { botId?: string }): SubscriptionRecord[];
  summary(): EmulatorSummary;
  waitFor<T>(probe: () => T | undefined | null | false, opts?: WaitForOptions): Promise<T>;

  /** Makes the next `count` REST requests matching `match` fail or answer slowly. */
  failNext(count: number, fault: Fault, match?: FaultMatch): void;
  clearFaults(): void;
  /** 429s the rate-limit enforcement answered, per group (injected faults not counted). */
  rateLimitRejections(): Record<RateGroup, number>;
  /** Forgets every rate-limit window, penalty and count. */
  resetRateLimits(): void;
  /** Blacklists a subscription: status Blacklisted, no more notifications. */
  blacklist(subscriptionId: string, reason?: string): void;
  /** WebSocket connections the gateway has not seen closed yet; optionally of one bot. */
  openWebSockets(filter?: { botId?: string }): number;
  /** Cuts WebSocket connections as a network failure would (sessions stay recoverable); returns how many. */
  dropWebSockets(filter?: { botId?: string }): number;
  /** Runs the periodic checks now (renewal reminders, WebSocket session expiry). */
  tick(): Promise<void>;
  /** Waits until background work (deferred events and their deliveries) is done. */
  settle(): Promise<void>;
  /**
   * Calls `listener` whenever a post or card is added, changed or removed (the web chat page's live
   * updates); returns the function that stops it.
   * @example const stop = emulator.onChange(({ chatIds }) => redraw(chatIds));
   */
  onChange(listener: (change: ContentChange) => void): () => void;
}

const clone = <T>(value: T): T => structuredClone(value);

/** Implementation of {@link Emulator} over the services. */
export class EmulatorInstance implements Emulator {
  url = '';
  private closer: (() => Promise<void>) | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly s: Services) {}

  /** Set once the server listens. */
  setCloser(closer: () => Promise<void>): void {
    this.closer = closer;
  }

  close(): Promise<void> {
    this.closing ??= this.closer?.() ?? Promise.resolve();
    return this.closing;
  }

  createAccount(input?: CreateAccountInput): Account {
    return clone(this.s.directory.createAccount(input));
  }

  addPerson(input: AddPersonInput): Person {
    return clone(this.s.directory.addPerson(input));
  }

  registerApp(input: RegisterAppInput): App {
    return clone(this.s.directory.registerApp(input));
  }

  updateApp(clientId: string, changes: { redirectUri?: string; outboundWebhookUrl?: string }): App {
    return clone(this.s.directory.updateApp(clientId, changes));
  }

  installBot(input: InstallBotInput): Promise<InstallResult> {
    return this.s.install.installBot(input);
  }

  uninstallBot(input: UninstallBotInput): Promise<void> {
    return this.s.install.uninstallBot(input);
  }

  async createChat(input: CreateChatInput): Promise<Chat> {
    return clone(await this.s.chats.createChat(input));
  }

  async addMembers(chatId: string, ids: string[]): Promise<Chat> {
    return clone(await this.s.chats.addMembers(chatId, ids));
  }

  async removeMembers(chatId: string, ids: string[]): Promise<Chat> {
    return clone(await this.s.chats.removeMembers(chatId, ids));
  }

  async directChat(personId: string, otherId: string): Promise<Chat> {
    if (personId === otherId) throw new EmulatorError('EMU_INVALID', 'a Direct chat needs two different people');
    this.s.directory.person(otherId);
    const { chat } = await this.s.chats.findOrCreateConversation(personId, [{ id: otherId }]);
    return clone(chat);
  }

  async post(input: UserPostInput): Promise<Post> {
    const { post } = await this.s.posts.userPost(input.chatId, input.personId, input.text);
    return clone(post);
  }

  submit(input: SubmitInput): Promise<SubmitResult> {
    return this.s.submits.submit(input);
  }

  signedSubmitRequest(input: SubmitInput): SignedRequest {
    return this.s.submits.signedRequest(input);
  }

  get requests(): readonly RecordedRequest[] {
    return this.s.recorder.records;
  }

  get deliveries(): readonly DeliveryRecord[] {
    return this.s.deliverer.records;
  }

  get dialogs(): readonly DialogRecord[] {
    return this.s.submits.dialogs;
  }

  posts(filter: ContentFilter = {}): Post[] {
    return clone(
      this.data.posts.filter(
        (p) =>
          (filter.chatId === undefined || p.groupId === filter.chatId) &&
          (filter.creatorId === undefined || p.creatorId === filter.creatorId),
      ),
    );
  }

  cards(filter: ContentFilter = {}): StoredCard[] {
    return clone(
      Object.values(this.data.cards).filter(
        (c) =>
          (filter.chatId === undefined || c.chatIds.includes(filter.chatId)) &&
          (filter.creatorId === undefined || c.creatorId === filter.creatorId),
      ),
    );
  }

  card(id: string): StoredCard | undefined {
    return clone(getOwn(this.data.cards, id));
  }

  chats(): Chat[] {
    return clone(Object.values(this.data.chats));
  }

  chat(id: string): Chat | undefined {
    return clone(getOwn(this.data.chats, id));
  }

  person(id: string): Person | undefined {
    return clone(getOwn(this.data.persons, id));
  }

  bot(id: string): Bot | undefined {
    return clone(getOwn(this.data.bots, id));
  }

  subscriptions(filter: { botId?: string } = {}): SubscriptionRecord[] {
    const all = Object.values(this.data.subscriptions);
    return clone(all.filter((s) => filter.botId === undefined || s.botId === filter.botId));
  }

  summary(): EmulatorSummary {
    const d = this.data;
    return clone({
      accounts: Object.values(d.accounts),
      persons: Object.values(d.persons).filter((p) => getOwn(d.bots, p.id) === undefined),
      apps: Object.values(d.apps).map(({ clientSecret: _c, sharedSecret: _s, ...app }) => app),
      bots: Object.values(d.bots).map(({ welcomePending: _w, subscribeFailuresLeft: _f, readyAt: _r, ...bot }) => ({
        ...bot,
        name: getOwn(d.apps, bot.clientId)?.name ?? '',
      })),
      chats: Object.values(d.chats),
    });
  }

  waitFor<T>(probe: () => T | undefined | null | false, opts?: WaitForOptions): Promise<T> {
    return waitFor(probe, opts);
  }

  failNext(count: number, fault: Fault, match?: FaultMatch): void {
    this.s.faults.failNext(count, fault, match);
  }

  clearFaults(): void {
    this.s.faults.clear();
  }

  rateLimitRejections(): Record<RateGroup, number> {
    return this.s.rateLimiter.rejections();
  }

  resetRateLimits(): void {
    this.s.rateLimiter.reset();
  }

  blacklist(subscriptionId: string, reason = 'Blacklisted by the emulator'): void {
    const sub = getOwn(this.data.subscriptions, subscriptionId);
    if (sub === undefined) throw new EmulatorError('EMU_NOT_FOUND', `unknown subscription ${subscriptionId}`);
    this.s.deliverer.blacklist(sub, reason);
  }

  openWebSockets(filter: { botId?: string } = {}): number {
    return this.s.ws.openConnections(filter.botId);
  }

  dropWebSockets(filter: { botId?: string } = {}): number {
    return this.s.ws.dropConnections(filter.botId);
  }

  async tick(): Promise<void> {
    this.s.ws.expire();
    await this.s.subscriptions.sendReminders();
  }

  settle(): Promise<void> {
    return this.s.ctx.settle();
  }

  onChange(listener: (change: ContentChange) => void): () => void {
    return this.s.ctx.onChange(listener);
  }

  private get data() {
    return this.s.ctx.store.data;
  }
}
