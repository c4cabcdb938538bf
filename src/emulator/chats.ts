/**
 * Chats, membership and conversations, with the chat events member bots receive
 * (contract 3.6): GroupJoined to a bot that was added, GroupLeft to one that was removed,
 * GroupChanged to the other member bots.
 */
import type { EmulatorContext } from './context.js';
import type { Deliverer } from './deliver.js';
import type { Directory } from './directory.js';
import { EmulatorError, rcError } from './errors.js';
import { getOwn, type Chat, type ChatType } from './model.js';
import { chatEventBody, type ChatEventBody } from './payloads.js';

/** Input of `createChat`. */
export interface CreateChatInput {
  accountId: string;
  type: 'Team' | 'Group' | 'Direct';
  name?: string;
  members: string[];
}

/** A conversation member reference (EX CreateConversationRequestMembers). */
export type MemberRef = { id: string } | { email: string };

/** Chat operations. */
export class ChatService {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly directory: Directory,
    private readonly deliverer: Deliverer,
  ) {}

  /** Creates a chat; member bots get GroupJoined. Resolves after the deliveries were attempted. */
  async createChat(input: CreateChatInput): Promise<Chat> {
    this.directory.account(input.accountId);
    if (!['Team', 'Group', 'Direct'].includes(input.type)) {
      throw new EmulatorError('EMU_INVALID', `chat type must be Team, Group or Direct`);
    }
    const members = [...new Set(input.members)];
    members.forEach((id) => this.directory.person(id));
    if (input.type === 'Direct' && members.length !== 2) {
      throw new EmulatorError('EMU_INVALID', 'a Direct chat has exactly two members');
    }
    const chat = this.insertChat(input.accountId, input.type, members, input.name ?? null);
    await this.notifyMembers(chat, members, 'GroupJoined');
    return chat;
  }

  /** Inserts a chat without events. */
  insertChat(accountId: string, type: ChatType, members: string[], name: string | null): Chat {
    const now = this.ctx.iso();
    const chat: Chat = {
      id: this.ctx.store.nextId(),
      accountId,
      type,
      name,
      description: null,
      status: 'Active',
      isPublic: type === 'Team' ? false : null,
      members: [...members],
      creationTime: now,
      lastModifiedTime: now,
    };
    this.ctx.store.data.chats[chat.id] = chat;
    this.ctx.store.changed();
    return chat;
  }

  /** Adds members: newly added bots get GroupJoined, bots already there get GroupChanged. */
  async addMembers(chatId: string, ids: string[]): Promise<Chat> {
    const chat = this.directory.chat(chatId);
    if (chat.type === 'Direct' || chat.type === 'Personal') {
      throw new EmulatorError('EMU_INVALID', `members cannot be added to a ${chat.type} chat`);
    }
    ids.forEach((id) => this.directory.person(id));
    const added = [...new Set(ids)].filter((id) => !chat.members.includes(id));
    if (added.length === 0) return chat;
    const before = [...chat.members];
    chat.members.push(...added);
    this.touch(chat);
    await Promise.all([
      this.notifyMembers(chat, added, 'GroupJoined'),
      this.notifyMembers(chat, before, 'GroupChanged'),
    ]);
    return chat;
  }

  /** Removes members: removed bots get GroupLeft, remaining bots get GroupChanged. */
  async removeMembers(chatId: string, ids: string[]): Promise<Chat> {
    const chat = this.directory.chat(chatId);
    const removed = chat.members.filter((id) => ids.includes(id));
    if (removed.length === 0) return chat;
    chat.members = chat.members.filter((id) => !ids.includes(id));
    this.touch(chat);
    await Promise.all([
      this.notifyMembers(chat, removed, 'GroupLeft'),
      this.notifyMembers(chat, chat.members, 'GroupChanged'),
    ]);
    return chat;
  }

  /**
   * Finds or creates the conversation whose members are exactly `callerId` + `refs`
   * (contract 5): one member → the caller's Personal chat, two → Direct, more → Group.
   * Member bots other than the caller get GroupJoined when it is created; with `deferEvents`
   * (REST callers) after the answer, else before this resolves.
   */
  async findOrCreateConversation(
    callerId: string,
    refs: MemberRef[],
    deferEvents = false,
  ): Promise<{ chat: Chat; created: boolean }> {
    const caller = this.directory.person(callerId);
    const ids = new Set([callerId]);
    refs.forEach((ref, i) => ids.add(this.resolveMember(ref, i)));
    const members = [...ids];
    const type: ChatType = members.length === 1 ? 'Personal' : members.length === 2 ? 'Direct' : 'Group';
    const existing = Object.values(this.ctx.store.data.chats).find(
      (c) => c.type === type && c.members.length === members.length && members.every((m) => c.members.includes(m)),
    );
    if (existing !== undefined) return { chat: existing, created: false };
    const chat = this.insertChat(caller.companyId, type, members, null);
    const others = members.filter((m) => m !== callerId);
    if (deferEvents) this.ctx.later(() => this.notifyMembers(chat, others, 'GroupJoined'));
    else await this.notifyMembers(chat, others, 'GroupJoined');
    return { chat, created: true };
  }

  /** True if `personId` is a member of `chat`. */
  isMember(chat: Chat, personId: string): boolean {
    return chat.members.includes(personId);
  }

  /** Sends `eventType` for `chat` to each bot among `memberIds`. */
  async notifyMembers(chat: Chat, memberIds: string[], eventType: ChatEventBody['eventType']): Promise<void> {
    const body = chatEventBody(chat, eventType);
    await Promise.all(
      memberIds
        .filter((id) => this.ctx.store.data.bots[id]?.status === 'Enabled')
        .map((botId) => this.deliverer.notifyBot(botId, 'chats', body)),
    );
  }

  private resolveMember(ref: MemberRef, index: number): string {
    if ('id' in ref && typeof ref.id === 'string') {
      if (getOwn(this.ctx.store.data.persons, ref.id) === undefined) throw rcError.notFound(`members[${index}].id`);
      return ref.id;
    }
    if ('email' in ref && typeof ref.email === 'string') {
      const email = ref.email.toLowerCase();
      const person = Object.values(this.ctx.store.data.persons).find((p) => p.email.toLowerCase() === email);
      if (person === undefined) throw rcError.notFound(`members[${index}].email`);
      return person.id;
    }
    throw rcError.invalidParameter(`members[${index}]`);
  }

  private touch(chat: Chat): void {
    chat.lastModifiedTime = this.ctx.iso();
    this.ctx.store.changed();
  }
}
