import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { Keys } from '../lib/crypto-keys.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation, Installations } from '../platform/installations.js';
import type { Store } from '../store/store.js';
import type { Outbox } from '../delivery/outbox.js';

/** What every handler can reach: long-lived services, never express or the SDK directly. */
export interface Services {
  config: Config;
  store: Store;
  keys: Keys;
  log: Logger;
  /** This bot's counters for /metrics (one set per bot, never process-wide). */
  metrics: Metrics;
  clock: Clock;
  installations: Installations;
  /**
   * Marks a named point inside a multi-step change (a registration, a click). Does nothing in
   * production; crash tests stop the process at one to prove that start-up finishes or undoes it.
   */
  checkpoint(name: string): void;
  /** Registers background work (not awaited by whoever started it) that shutdown must wait for. */
  track<T>(work: Promise<T>): Promise<T>;
  /** The outbox (src/delivery/outbox.ts): for a message that must be queued before a commit point. */
  outbox?: Outbox;
  /** A client whose messages the outbox names after one delivery's turn (see outbox-client.ts). */
  turnClient?: (accountId: string, raw: ChatClient, turn: string, chatId: string | undefined) => ChatClient;
}

/** One context object per event (probot style): destructure what you need. */
export interface TurnContext {
  services: Services;
  installation: Installation;
  client: ChatClient;
  log: Logger;
}

/** A text message from a person to the bot, mention markup already removed. */
export interface IncomingMessage {
  text: string;
  chatId: string;
  personId: string;
  /** True for a one-to-one chat with the bot; false in teams and group chats. */
  direct: boolean;
  /** The people the message mentions, the bot left out (their markup is gone from `text`). */
  mentions?: string[];
}
