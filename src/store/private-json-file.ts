import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';

/**
 * A lowdb adapter like `JSONFile`, but every write creates the file with mode 0600: lowdb's own
 * writer renames a fresh temp file into place, which would otherwise come back with the default
 * mode on each write. Writes are chained, so they land in order and never race on the rename.
 */
export class PrivateJSONFile<T> implements Adapter<T> {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  write(data: T): Promise<void> {
    const text = JSON.stringify(data, null, 2);
    const next = this.queue.then(async () => {
      const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
        await rename(tmp, this.path);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
