import { mkdir, realpath } from 'node:fs/promises';
import { removeLeftoverTempFiles } from '../lib/leftover-temp-files.js';
import { lockDataDir, type LockOptions } from './lowdb/data-dir-lock.js';
import { realDisk, type Disk } from './lowdb/disk.js';
import { GroupCommit } from './lowdb/group-commit.js';
import { JournaledFiles } from './lowdb/journaled-files.js';
import { journaledStore } from './lowdb/journaled-store.js';
import { loadFiles } from './lowdb/load-files.js';
import { TrackedEngine } from './lowdb/tracked-engine.js';
import { planRewrite } from './engine-store.js';
import type { Rewrite, Store } from './store.js';

export type { Disk } from './lowdb/disk.js';

export interface LowdbStoreOptions {
  /** Wraps the file operations: tests inject a failing disk here (ENOSPC, EIO, EROFS at a chosen step). */
  disk?: (disk: Disk) => Disk;
  /** Journal bytes past which a snapshot is written; it is at least the snapshot's size. Default 4 MiB. */
  compactAfterBytes?: number;
  /** Bounds of one group commit: changed documents, and bytes. Defaults 1,000 and 4 MiB. */
  maxBatchChanges?: number;
  maxBatchBytes?: number;
  /** The lock file's heartbeat and when another host's lock counts as abandoned. */
  lock?: Omit<LockOptions, 'warn'>;
  /** Told about what start-up repaired (a torn last line, a lock taken over) and compaction trouble. */
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Stores this process has open, by DATA_DIR, each with the way to close it. */
const openHere = new Map<string, () => Promise<void>>();

/**
 * Collections written on every delivery and every message (handled event ids with the inbox, and
 * the outbox), so they have files of their own: their churn never grows the registry's journal.
 */
export const HANDLED_EVENT_COLLECTIONS: ReadonlySet<string> = new Set(['seen-notifications', 'seen-submits', 'outbox']);

/**
 * The default adapter: every collection in memory with its indexes, kept in DATA_DIR as two sets
 * of lowdb snapshot + journal files (src/store/lowdb/journaled-files.ts):
 *
 * - `registrar.json` + `registrar.journal`: everything but handled event ids;
 * - `handled-events.json` + `handled-events.journal`: handled event ids (de-duplication, and the
 *   inbox while a delivery is open) and the outbox;
 * - `registrar.lock`: which process holds DATA_DIR (src/store/lowdb/data-dir-lock.ts).
 *
 * A change is acknowledged once its batch's line is appended and fsynced, so one write costs the
 * same with 100 documents or 100,000; concurrent changes share one append and one fsync. Snapshots
 * are compact JSON, written durably (temp, fsync, rename) when the journal has grown as large as
 * the snapshot, off the write path. A snapshot or journal that cannot be read stops start-up naming
 * the file and is never replaced; a torn last journal line (a crash mid-append) is cut off. A failed
 * write is cut back off the journal and changes nothing in memory (StoreWriteError); the next write
 * works once the disk does. A registrar.json from before journals (every collection in one file) is
 * the snapshot it always was; its handled event ids move to their own files on the first start.
 *
 * In one process, opening a DATA_DIR that is already open here first closes the store that had it
 * (waiting for its changes in flight): a bot restarted in-process, or a start-up that failed after
 * opening its store, must not lock itself out, and two stores must never write one journal.
 *
 * Built from `Low` and our own file adapter on purpose: `JSONFilePreset` silently keeps data in
 * memory when NODE_ENV=test.
 *
 * @example
 *   const store = await createLowdbStore(config.dataDir); // DataDirLockedError if another process has it
 *   await store.collection<AppRecord>('apps').put(clientId, record);
 *   await store.close(); // releases DATA_DIR
 */
export async function createLowdbStore(dataDir: string, options: LowdbStoreOptions = {}): Promise<Store> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const here = await realpath(dataDir);
  await openHere.get(here)?.();
  const warn = options.warn ?? (() => {});
  const lock = await lockDataDir(dataDir, { ...options.lock, warn });
  try {
    removeLeftoverTempFiles(dataDir); // temp files of a write a crash interrupted
    const state = new TrackedEngine();
    const common = { dir: dataDir, state, disk: options.disk ? options.disk(realDisk) : realDisk, compactAfterBytes: options.compactAfterBytes ?? 4 * 1024 * 1024, warn };
    const events = new JournaledFiles({ ...common, base: 'handled-events', owns: (name) => HANDLED_EVENT_COLLECTIONS.has(name) });
    const main = new JournaledFiles({ ...common, base: 'registrar', owns: (name) => !HANDLED_EVENT_COLLECTIONS.has(name) });
    await loadFiles([events, main], state);
    const commitsOf = (files: JournaledFiles) =>
      new GroupCommit({
        read: (name, id) => state.engine.get(name, id),
        async commit(changes) {
          await files.append(changes);
          state.apply(changes);
        },
        between: () => files.maybeCompact(),
        ...(options.maxBatchChanges ? { maxChanges: options.maxBatchChanges } : {}),
        ...(options.maxBatchBytes ? { maxBytes: options.maxBatchBytes } : {}),
      });
    const eventCommits = commitsOf(events);
    const mainCommits = commitsOf(main);
    /**
     * Store.rewriteAll: one batch per set of files, so each set changes all at once. Handled event
     * ids (their own files) go first; the rest (where a re-key records that it is done) last. Each
     * set is then compacted, so the journals keep no earlier version of a rewritten document.
     */
    const rewriteOne = (files: JournaledFiles, commits: GroupCommit, fn: Rewrite) =>
      commits.submit(
        () => {
          const changes = planRewrite(state.capture((name) => files.owns(name)), fn);
          return { changes, result: changes.length };
        },
        { alone: true, after: () => files.compactAll() },
      );
    const store = journaledStore(
      state.engine,
      (name) => (HANDLED_EVENT_COLLECTIONS.has(name) ? eventCommits : mainCommits),
      async () => {
        await Promise.all([eventCommits.close(), mainCommits.close()]);
        await Promise.all([events.idle(), main.idle()]);
        await Promise.all([events.settleTail(), main.settleTail()]);
        await lock.release();
        if (openHere.get(here) === store.close) openHere.delete(here);
      },
    );
    store.rewriteAll = async (fn) => (await rewriteOne(events, eventCommits, fn)) + (await rewriteOne(main, mainCommits, fn));
    openHere.set(here, store.close);
    return store;
  } catch (err) {
    await lock.release();
    throw err;
  }
}
