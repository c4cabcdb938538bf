import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { syncFolder, writeFileDurably } from '../../lib/write-file-durably.js';

/**
 * Every way the lowdb store changes its files, in one place: the seam where tests put a disk that
 * fails (ENOSPC, EIO, EROFS) at a chosen step, and the only code that writes DATA_DIR's store files.
 *
 * @example
 *   const failing = (disk: Disk): Disk => ({ ...disk, writeAt: async () => { throw erofs(); } });
 *   await createLowdbStore(dir, { disk: failing });
 */
export interface Disk {
  /** Writes `text` at byte `position` of `path` (created with mode 0600 if missing), then fsyncs it. */
  writeAt(path: string, position: number, text: string): Promise<void>;
  /** Cuts `path` to `length` bytes and fsyncs it. */
  truncate(path: string, length: number): Promise<void>;
  /** Replaces `path` durably (temp file, fsync, rename, fsync folder); resolves to the bytes written. */
  replace(path: string, content: Iterable<string> | AsyncIterable<string>): Promise<number>;
  rename(from: string, to: string): Promise<void>;
  /** Removes `path`; a file already gone is fine. */
  remove(path: string): Promise<void>;
  /** Makes the folder's entries (new, renamed, removed files) durable. */
  syncFolder(dir: string): Promise<void>;
}

export const realDisk: Disk = {
  async writeAt(path, position, text) {
    // Not O_APPEND: Linux ignores the position under it, and the position is what lets a failed
    // write be cut off exactly where it began.
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
    try {
      const buffer = Buffer.from(text, 'utf8');
      for (let at = 0; at < buffer.length; ) {
        const { bytesWritten } = await handle.write(buffer, at, buffer.length - at, position + at);
        if (bytesWritten === 0) throw Object.assign(new Error(`ENOSPC: nothing more could be written to ${path}`), { code: 'ENOSPC' });
        at += bytesWritten;
      }
      await handle.datasync();
    } finally {
      await handle.close();
    }
  },
  async truncate(path, length) {
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(length);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  },
  replace: (path, content) => writeFileDurably(path, content),
  rename: (from, to) => rename(from, to),
  async remove(path) {
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  },
  syncFolder,
};
