/** Shared runtime context handed to every emulator service. */
import type { PostEventVariations } from './post-event-shape.js';
import type { StateStore } from './state.js';

/**
 * The header a WebHook delivery carries the subscription's verification token in. D
 * `notifications/webhooks/receiving.md` said `Verification-Token` (2021, also D
 * `events/outgoing-webhooks.md`), and since 2023 says the token arrives as `Validation-Token` on
 * every webhook; no capture settles it (contract appendix "Token header on deliveries").
 */
export type DeliveryTokenHeader = 'Verification-Token' | 'Validation-Token';

/**
 * How `GET /team-messaging/v1/chats/{id}` lists a Team or Everyone chat's members: not at all, or
 * only in part. Never completely: nothing documents a complete list (contract appendix "Team members").
 */
export type TeamMembersListing = 'omit' | 'partial';

/** A post or card of these chats was added, changed or removed (what a chat page redraws). */
export interface ContentChange {
  kind: 'post' | 'card';
  chatIds: string[];
}

/** Options after defaults were applied. */
export interface ResolvedOptions {
  host: string;
  port: number;
  handshakeTimeoutMs: number;
  outboundTimeoutMs: number;
  blacklistAfterFailures: number;
  deliveryTokenHeader: DeliveryTokenHeader;
  postEvents: PostEventVariations;
  teamMembers: TeamMembersListing;
  statePath: string | undefined;
}

/** Runtime services every part of the emulator uses. */
export class EmulatorContext {
  /** Base URL (`http://host:port`), known once the server listens. */
  baseUrl = '';
  private readonly pending = new Set<Promise<unknown>>();
  /** Delayed work: timer → resolver of the promise `settle()` waits on. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  private readonly changeListeners = new Set<(change: ContentChange) => void>();

  constructor(
    readonly store: StateStore,
    readonly now: () => number,
    readonly log: (line: string) => void,
    readonly options: ResolvedOptions,
  ) {}

  /** ISO time of `ms` (default: now). */
  iso(ms: number = this.now()): string {
    return new Date(ms).toISOString();
  }

  /** Remembers background work so `settle()`/`close()` can wait for it; errors are logged. */
  track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.log(`background task failed: ${(err as Error).message}`));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Runs `fn` after `ms` (tracked, cleared on close); lets an HTTP answer go out before events. */
  later(fn: () => Promise<unknown>, ms = 0): void {
    if (this.closed) return;
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(fn().finally(release));
    }, ms);
    this.timers.set(timer, release);
    // settle() must also wait for work that has not started yet.
    this.track(done);
  }

  /** Waits until no background work (deliveries, delayed events) is left. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Calls `listener` after every post or card change; returns the unsubscribe function. */
  onChange(listener: (change: ContentChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Tells the listeners; one that throws must not break the platform call that caused the change. */
  contentChanged(change: ContentChange): void {
    for (const listener of this.changeListeners) {
      try {
        listener(change);
      } catch (err) {
        this.log(`change listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** True after `shutdown()`. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Cancels delayed work; in-flight work is left to finish or fail. */
  shutdown(): void {
    this.closed = true;
    for (const [timer, release] of this.timers) {
      clearTimeout(timer);
      release();
    }
    this.timers.clear();
  }
}
