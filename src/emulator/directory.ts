/** Accounts, people and apps: the emulator's setup API. */
import type { EmulatorContext } from './context.js';
import { EmulatorError } from './errors.js';
import { isNumericId, randomSecret, uuid } from './ids.js';
import { getOwn, type Account, type App, type AppKind, type Bot, type Chat, type Person } from './model.js';

/** Input of `createAccount`. */
export interface CreateAccountInput {
  id?: string;
  name?: string;
}

/** Input of `addPerson`. */
export interface AddPersonInput {
  accountId: string;
  firstName: string;
  lastName: string;
  email: string;
  id?: string;
}

/** Input of `registerApp`; missing credentials are generated. */
export interface RegisterAppInput {
  name: string;
  kind: AppKind;
  redirectUri: string;
  outboundWebhookUrl?: string;
  sharedSecret?: string;
  clientId?: string;
  clientSecret?: string;
}

/** Lookups and setup of accounts, persons and apps. */
export class Directory {
  constructor(private readonly ctx: EmulatorContext) {}

  private get data() {
    return this.ctx.store.data;
  }

  /** Creates an account and its "All Employees" chat. */
  createAccount(input: CreateAccountInput = {}): Account {
    const id = this.freshId(input.id);
    const now = this.ctx.iso();
    const everyone: Chat = {
      id: this.ctx.store.nextId(),
      accountId: id,
      type: 'Everyone',
      name: 'All Employees',
      description: null,
      status: 'Active',
      isPublic: null,
      members: [],
      creationTime: now,
      lastModifiedTime: now,
    };
    this.data.chats[everyone.id] = everyone;
    const name = input.name ?? `Account ${id}`;
    const account: Account = { id, name, creationTime: now, everyoneChatId: everyone.id };
    this.data.accounts[id] = account;
    this.ctx.store.changed();
    return account;
  }

  /**
   * Adds a person to an account and to its "All Employees" chat. No chat event is sent for
   * that (an emulator simplification: bots would otherwise see GroupChanged per new hire).
   */
  addPerson(input: AddPersonInput): Person {
    const account = this.account(input.accountId);
    const person = this.insertPerson(account, input.id, input.firstName, input.lastName, input.email);
    return person;
  }

  /** Inserts a person (also used for bot extensions). */
  insertPerson(account: Account, id: string | undefined, firstName: string, lastName: string, email: string): Person {
    const now = this.ctx.iso();
    const person: Person = {
      id: this.freshId(id),
      firstName,
      lastName,
      email,
      avatar: null,
      companyId: account.id,
      creationTime: now,
      lastModifiedTime: now,
    };
    this.data.persons[person.id] = person;
    const everyone = this.data.chats[account.everyoneChatId];
    if (everyone !== undefined && !everyone.members.includes(person.id)) everyone.members.push(person.id);
    this.ctx.store.changed();
    return person;
  }

  /** Registers an app. */
  registerApp(input: RegisterAppInput): App {
    if (input.kind !== 'private' && input.kind !== 'public') {
      throw new EmulatorError('EMU_INVALID', `app kind must be 'private' or 'public'`);
    }
    assertUrl(input.redirectUri, 'redirectUri');
    if (input.outboundWebhookUrl !== undefined) assertUrl(input.outboundWebhookUrl, 'outboundWebhookUrl');
    const clientId = input.clientId ?? randomSecret(16);
    if (getOwn(this.data.apps, clientId) !== undefined) {
      throw new EmulatorError('EMU_CONFLICT', `app ${clientId} already exists`);
    }
    const app: App = {
      clientId,
      clientSecret: input.clientSecret ?? randomSecret(24),
      sharedSecret: input.sharedSecret ?? uuid().replaceAll('-', ''),
      name: input.name,
      kind: input.kind,
      redirectUri: input.redirectUri,
      outboundWebhookUrl: input.outboundWebhookUrl ?? null,
      creationTime: this.ctx.iso(),
    };
    this.data.apps[clientId] = app;
    this.ctx.store.changed();
    return app;
  }

  /** Changes an app's URLs, as its owner can in the Developer Console. */
  updateApp(clientId: string, changes: { redirectUri?: string; outboundWebhookUrl?: string }): App {
    const app = getOwn(this.data.apps, clientId);
    if (app === undefined) throw new EmulatorError('EMU_NOT_FOUND', `unknown app ${clientId}`);
    if (changes.redirectUri !== undefined) {
      assertUrl(changes.redirectUri, 'redirectUri');
      app.redirectUri = changes.redirectUri;
    }
    if (changes.outboundWebhookUrl !== undefined) {
      assertUrl(changes.outboundWebhookUrl, 'outboundWebhookUrl');
      app.outboundWebhookUrl = changes.outboundWebhookUrl;
    }
    this.ctx.store.changed();
    return app;
  }

  /** The account, or EMU_NOT_FOUND. */
  account(id: string): Account {
    const account = getOwn(this.data.accounts, id);
    if (account === undefined) throw new EmulatorError('EMU_NOT_FOUND', `unknown account ${id}`);
    return account;
  }

  /** The person, or EMU_NOT_FOUND. */
  person(id: string): Person {
    const person = getOwn(this.data.persons, id);
    if (person === undefined) throw new EmulatorError('EMU_NOT_FOUND', `unknown person ${id}`);
    return person;
  }

  /** The app, or EMU_NOT_FOUND. */
  app(clientId: string): App {
    const app = getOwn(this.data.apps, clientId);
    if (app === undefined) throw new EmulatorError('EMU_NOT_FOUND', `unknown app ${clientId}`);
    return app;
  }

  /** The installed bot with this extension id (any status), or undefined. */
  bot(id: string): Bot | undefined {
    return getOwn(this.data.bots, id);
  }

  /** The chat, or EMU_NOT_FOUND. */
  chat(id: string): Chat {
    const chat = getOwn(this.data.chats, id);
    if (chat === undefined) throw new EmulatorError('EMU_NOT_FOUND', `unknown chat ${id}`);
    return chat;
  }

  /** Display name used in mentions: "First Last". */
  displayName(person: Person): string {
    return `${person.firstName} ${person.lastName}`.trim();
  }

  /** An unused id: the given one (validated) or the next from the shared counter. */
  private freshId(requested: string | undefined): string {
    if (requested === undefined) return this.ctx.store.nextId();
    if (!isNumericId(requested)) throw new EmulatorError('EMU_INVALID', `ids are numeric strings, got ${requested}`);
    const d = this.data;
    if (getOwn(d.accounts, requested) ?? getOwn(d.persons, requested) ?? getOwn(d.chats, requested)) {
      throw new EmulatorError('EMU_CONFLICT', `id ${requested} is already used`);
    }
    // Generated ids continue above any id chosen by hand, so they never collide with it.
    if (Number(requested) > d.seq) d.seq = Number(requested);
    return requested;
  }
}

function assertUrl(value: string, field: string): void {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new EmulatorError('EMU_INVALID', `${field} must be an http(s) URL`);
  }
}
