import { AppError } from '../../lib/errors.js';
import type { Change } from '../memory-engine.js';
import { StoreWriteError } from '../store.js';

/** What a change reads while it is planned: committed documents, with earlier changes of its batch on top. */
export interface PendingView {
  get(name: string, id: string): string | undefined;
}

/** Plans one change: which documents it writes (none: nothing to write) and what its caller gets. */
export type Plan<R> = (view: PendingView) => { changes: Change[]; result: R };

export interface GroupCommitOptions {
  /** Committed documents (the engine). */
  read: (name: string, id: string) => string | undefined;
  /** Makes a batch durable and applies it; a throw fails every change of the batch. */
  commit: (changes: Change[]) => Promise<void>;
  /** Runs after each batch, before the next is planned (compaction's rename happens there). */
  between?: () => Promise<void>;
  /** Bounds of one batch: changed documents, and bytes of their text. */
  maxChanges?: number;
  maxBytes?: number;
}

interface Queued {
  plan: Plan<unknown>;
  /** Plans against committed state only (prune reads indexes, which know nothing of a batch). */
  alone: boolean;
  /** Runs once the batch is committed, before the next is planned: nothing is written meanwhile. */
  after: (() => Promise<void>) | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: changes queue up while a batch is being written, then the next batch takes as many as
 * fit its bounds, plans them one after another (each sees the ones before it, so updates never
 * interleave), writes them with one append and one fsync, applies them, and only then answers their
 * callers. Readers see the engine, which holds committed changes only. A queued change holds its
 * own document text or callback, never a copy of the state, so memory grows with the queue's own
 * size and nothing else. A failed batch fails each of its changes with StoreWriteError and changes
 * nothing; the next batch is planned afresh against what is committed.
 *
 * @example
 *   const commits = new GroupCommit({ read: (n, id) => engine.get(n, id), commit: async (c) => { await files.append(c); state.apply(c); } });
 *   await commits.submit((view) => ({ changes: [{ name, id, text }], result: undefined }));
 */
export class GroupCommit {
  private queue: (Queued | undefined)[] = [];
  private head = 0;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly maxChanges: number;
  private readonly maxBytes: number;

  constructor(private readonly options: GroupCommitOptions) {
    this.maxChanges = options.maxChanges ?? 1000;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  }

  /**
   * Queues a change. `alone`: planned first in its batch, against committed state only. `after`:
   * work on the files once its batch is committed, with no other batch written meanwhile (a
   * snapshot that must include the change); if it fails, the change stays committed and its
   * caller gets the failure.
   */
  submit<R>(plan: Plan<R>, { alone = false, after }: { alone?: boolean; after?: () => Promise<void> } = {}): Promise<R> {
    if (this.closed) return Promise.reject(new AppError('STORE_CLOSED', 'the store is closed'));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ plan, alone, after, resolve: resolve as (v: unknown) => void, reject });
      this.running ??= this.drain();
    });
  }

  /** Refuses new changes, then waits for those queued. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // changes made in the same tick share the first batch
    while (this.head < this.queue.length) {
      const { planned, changes } = this.nextBatch();
      if (changes.length > 0) {
        try {
          await this.options.commit(changes);
        } catch (err) {
          const failure = new StoreWriteError(err);
          for (const { op } of planned) op.reject(failure);
          continue;
        }
      }
      for (const { op, result } of planned) {
        if (!op.after) op.resolve(result);
        else await op.after().then(() => op.resolve(result), op.reject);
      }
      await this.options.between?.().catch(() => undefined); // compaction reports its own trouble
    }
    // Synchronously after the last look at the queue: a change submitted from now on starts a new drain.
    this.queue = [];
    this.head = 0;
    this.running = undefined;
  }

  /** Takes and plans the changes of the next batch; a change whose plan throws is answered with that. */
  private nextBatch() {
    const pending = new Map<string, Map<string, string | undefined>>();
    const view: PendingView = {
      get: (name, id) => {
        const docs = pending.get(name);
        return docs?.has(id) ? docs.get(id) : this.options.read(name, id);
      },
    };
    const planned: { op: Queued; result: unknown }[] = [];
    let count = 0;
    let bytes = 0;
    while (this.head < this.queue.length && count < this.maxChanges && bytes < this.maxBytes) {
      const op = this.queue[this.head]!;
      if (op.alone && count > 0) break;
      this.queue[this.head++] = undefined; // answered ones are let go at once
      let plan: { changes: Change[]; result: unknown };
      try {
        plan = op.plan(view);
      } catch (err) {
        op.reject(err);
        continue;
      }
      for (const { name, id, text } of plan.changes) {
        let docs = pending.get(name);
        if (!docs) pending.set(name, (docs = new Map()));
        if (!docs.has(id)) count++;
        docs.set(id, text);
        bytes += (text?.length ?? 0) + id.length;
      }
      planned.push({ op, result: plan.result });
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // One change per document: a later change in the batch replaces an earlier one.
    const changes: Change[] = [];
    for (const [name, docs] of pending) for (const [id, text] of docs) changes.push({ name, id, text });
    return { planned, changes };
  }
}
