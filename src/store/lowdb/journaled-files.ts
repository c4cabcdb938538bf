import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Change } from '../memory-engine.js';
import { PrivateJSONFile, StoreFileError } from '../private-json-file.js';
import { isDocument, type Data } from '../store.js';
import type { Disk } from './disk.js';
import { encodeBatch, readJournal } from './journal-format.js';
import type { Captured, TrackedEngine } from './tracked-engine.js';

export interface JournaledFilesOptions {
  dir: string;
  /** File names: `<base>.json` (snapshot), `<base>.journal`, `<base>.journal.old` while compacting. */
  base: string;
  /** The collections these files hold. */
  owns: (name: string) => boolean;
  state: TrackedEngine;
  disk: Disk;
  /** Journal bytes past which a new snapshot is written (at least the snapshot's own size). */
  compactAfterBytes: number;
  warn: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * One snapshot and its journal: a lowdb JSON file holding some collections as they were, and the
 * batches committed since, one line each. A change costs one append and one fsync whatever the
 * number of documents; the snapshot is rewritten only when the journal has grown as large as it
 * (so each byte is rewritten a bounded number of times), and off the write path:
 *
 * 1. between two batches, the journal is renamed to `.journal.old` and new batches start a new one;
 *    the state at that moment is captured as (id, text) references, not copied;
 * 2. the snapshot is written from them in pieces (temp file, fsync, rename, fsync folder) while
 *    writes go on;
 * 3. `.journal.old` is removed.
 *
 * Start-up replays snapshot, `.journal.old`, then the journal. A crash anywhere leaves files that
 * replay to the same state: the snapshot is old (and `.old` carries what it lacks) or new (and
 * `.old` replays whole documents onto it, each ending at the value the snapshot already holds).
 *
 * @example
 *   const files = new JournaledFiles({ dir, base: 'registrar', owns: () => true, state, disk, compactAfterBytes, warn });
 *   const data = await files.readSnapshot(); // load it, then:
 *   await files.replay();
 *   await files.append(changes);              // durable once it resolves
 *   await files.maybeCompact();               // between batches
 */
export class JournaledFiles {
  readonly snapshotPath: string;
  readonly journalPath: string;
  readonly oldPath: string;
  /** Bytes of the journal that hold committed lines: where the next line is written. */
  private length = 0;
  private snapshotBytes = 0;
  private snapshotExists = false;
  private oldExists = false;
  /** A failed append may have left bytes past `length` that could not be cut off yet. */
  private dirtyTail = false;
  /** The journal file was (re)created: its folder entry must be made durable with the next line. */
  private newJournal = true;
  private retryAt = 0;
  private compacting: Promise<void> | undefined;

  constructor(private readonly options: JournaledFilesOptions) {
    this.snapshotPath = join(options.dir, `${options.base}.json`);
    this.journalPath = join(options.dir, `${options.base}.journal`);
    this.oldPath = `${this.journalPath}.old`;
  }

  owns(name: string): boolean {
    return this.options.owns(name);
  }

  /** The snapshot's data, or null when there is none yet. Read with lowdb's `Low` and a checking adapter. */
  async readSnapshot(): Promise<Data | null> {
    const absent: Data = {};
    const db = new Low<Data>(new PrivateJSONFile<Data>(this.snapshotPath), absent);
    await db.read();
    if (db.data === absent) return null; // no file: lowdb kept the default
    this.snapshotExists = true;
    for (const [name, docs] of Object.entries(db.data)) {
      if (!isDocument(docs)) throw new StoreFileError(this.snapshotPath, `has a malformed collection "${name}"`);
      for (const [id, doc] of Object.entries(docs)) {
        if (!isDocument(doc)) throw new StoreFileError(this.snapshotPath, `has a malformed document "${id}" in collection "${name}" (a document is a JSON object)`);
      }
    }
    this.snapshotBytes = (await stat(this.snapshotPath)).size;
    return db.data;
  }

  /** Replays `.journal.old` and the journal into the state; cuts off a torn last line. */
  async replay(): Promise<void> {
    const apply = (changes: Change[]) => this.options.state.apply(changes);
    const old = await readJournal(this.oldPath, apply);
    this.oldExists = await exists(this.oldPath);
    const journal = await readJournal(this.journalPath, apply);
    if (old.torn > 0) this.options.warn('ignored the torn end of a journal being compacted', { file: this.oldPath, bytes: old.torn });
    if (journal.torn > 0) {
      // A crash mid-append: that batch was never acknowledged. Later lines must not follow it.
      await this.options.disk.truncate(this.journalPath, journal.length);
      this.options.warn('cut off the torn last line of the journal (a write interrupted by a crash)', { file: this.journalPath, bytes: journal.torn });
    }
    this.length = journal.length;
    this.newJournal = !(await exists(this.journalPath));
  }

  /** At start-up, with nothing in flight: whether a snapshot should be written before serving. */
  needsCompaction(): boolean {
    return this.oldExists || this.length > this.bound();
  }

  /**
   * Appends one batch and fsyncs it: durable once this resolves. On failure the journal is cut back
   * to where it was (or, if even that fails, before the next append), so nothing of the batch
   * remains to be replayed.
   */
  async append(changes: readonly Change[]): Promise<void> {
    const { disk } = this.options;
    if (this.dirtyTail) {
      await disk.truncate(this.journalPath, this.length);
      this.dirtyTail = false;
    }
    // A snapshot exists before the first line does, so "registrar.json exists" keeps meaning "DATA_DIR
    // holds data" (start-up refuses to make a new secret key then). It holds what is committed so far.
    if (!this.snapshotExists) await this.finishCompaction(this.options.state.capture((name) => this.owns(name)));
    const line = encodeBatch(changes);
    try {
      await disk.writeAt(this.journalPath, this.length, line);
      if (this.newJournal) await disk.syncFolder(this.options.dir);
    } catch (err) {
      await disk.truncate(this.journalPath, this.length).catch((cutErr: unknown) => {
        if ((cutErr as NodeJS.ErrnoException).code !== 'ENOENT') this.dirtyTail = true;
      });
      throw err;
    }
    this.newJournal = false;
    this.length += Buffer.byteLength(line);
  }

  /**
   * Called between batches: when the journal has outgrown its bound, moves it aside and starts
   * writing a snapshot in the background. Only the rename and the capture happen here.
   */
  async maybeCompact(): Promise<void> {
    if (this.compacting || this.dirtyTail || this.length <= this.bound() || this.length < this.retryAt) return;
    if (!this.oldExists) {
      try {
        await this.options.disk.rename(this.journalPath, this.oldPath);
      } catch (err) {
        this.backOff('could not move the journal aside to compact it', err);
        return;
      }
      this.oldExists = true;
      this.length = 0;
      this.newJournal = true;
    }
    // When `.old` was left by a compaction that failed, the state now covers it and the journal.
    const captured = this.options.state.capture((name) => this.owns(name));
    this.compacting = this.finishCompaction(captured)
      .catch((err: unknown) => this.backOff('could not write a snapshot; the journal keeps every change meanwhile', err))
      .finally(() => (this.compacting = undefined));
  }

  /** At start-up, with nothing in flight: a snapshot of everything, then empty journals. */
  async compactNow(): Promise<void> {
    await this.finishCompaction(this.options.state.capture((name) => this.owns(name)));
    if (this.length > 0 || !this.newJournal) {
      await this.options.disk.truncate(this.journalPath, 0);
      this.length = 0;
    }
  }

  /**
   * Between batches (GroupCommit's `after`): waits for a snapshot being written, then writes one of
   * everything and empties the journal, so no earlier version of any document is left in the files
   * (a re-key must leave nothing sealed with the old key behind).
   */
  async compactAll(): Promise<void> {
    await this.compacting;
    await this.compactNow();
  }

  /** Waits for a snapshot being written. */
  async idle(): Promise<void> {
    await this.compacting;
  }

  /**
   * At close: cuts off a failed line still in the journal (its cut failed when it failed), so it is
   * not replayed at the next start as if it had been saved. Reported when even this fails.
   */
  async settleTail(): Promise<void> {
    if (!this.dirtyTail) return;
    try {
      await this.options.disk.truncate(this.journalPath, this.length);
      this.dirtyTail = false;
    } catch (err) {
      this.options.warn(`a failed write could not be cut off the journal: before starting again, cut ${this.journalPath} to ${this.length} bytes, or that change (reported as not saved) comes back`, { file: this.journalPath, bytes: this.length, err });
    }
  }

  private async finishCompaction(captured: Captured): Promise<void> {
    this.snapshotBytes = await this.options.disk.replace(this.snapshotPath, snapshotPieces(captured));
    this.snapshotExists = true;
    if (this.oldExists) await this.options.disk.remove(this.oldPath);
    this.oldExists = false;
    this.retryAt = 0;
  }

  private bound(): number {
    return Math.max(this.options.compactAfterBytes, this.snapshotBytes);
  }

  private backOff(message: string, err: unknown): void {
    // Try again once the journal has grown by another bound, not after every batch.
    this.retryAt = this.length + this.bound();
    this.options.warn(message, { file: this.snapshotPath, err });
  }
}

const PIECE = 64 * 1024;

/** The snapshot as compact JSON, in pieces of about 64 KiB, built from the captured texts as they are. */
function* snapshotPieces(captured: Captured): Generator<string> {
  let piece = '{';
  for (let c = 0; c < captured.length; c++) {
    const [name, entries] = captured[c]!;
    piece += `${c ? ',' : ''}${JSON.stringify(name)}:{`;
    for (let i = 0; i < entries.length; i++) {
      const [id, text] = entries[i]!;
      piece += `${i ? ',' : ''}${JSON.stringify(id)}:${text}`;
      if (piece.length >= PIECE) {
        yield piece;
        piece = '';
      }
    }
    piece += '}';
  }
  yield `${piece}}`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

