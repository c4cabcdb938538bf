import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { AppError } from '../lib/errors.js';
import { writeFileDurably } from '../lib/write-file-durably.js';

/** A store file exists but cannot be used; start-up stops and names it, and the file is left as it is. */
export class StoreFileError extends AppError {
  constructor(
    readonly path: string,
    problem: string,
    cause?: unknown,
  ) {
    super('STORE_FILE_INVALID', `${path} ${problem}. Registrar left it untouched: restore it from a backup, or move it away to start empty.`, { cause });
    this.name = 'StoreFileError';
  }
}

/**
 * A lowdb adapter like `JSONFile`, but durable and private: every write goes through
 * `writeFileDurably` (mode 0600, fsync, rename), and a file that is empty, truncated or not a JSON
 * object stops the read with a `StoreFileError` naming it instead of being replaced by defaults.
 * Writes are chained, so they land in order and never race on the rename. JSON is written compact:
 * indentation made the file a third larger and its printing was the main cost of a write.
 *
 * @example
 *   const db = new Low<Data>(new PrivateJSONFile<Data>('/data/registrar.json'), {});
 *   await db.read(); // StoreFileError naming the file when it is empty, cut short or not an object
 */
export class PrivateJSONFile<T> implements Adapter<T> {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreFileError(this.path, `cannot be read (${(err as Error).message})`, err);
    }
    if (text.trim() === '') throw new StoreFileError(this.path, 'is empty (a write may have been cut short)');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new StoreFileError(this.path, `is not valid JSON, perhaps truncated (${(err as Error).message})`, err);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StoreFileError(this.path, 'does not hold a JSON object');
    return parsed as T;
  }

  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    const next = this.queue.then(async () => {
      await writeFileDurably(this.path, text);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
