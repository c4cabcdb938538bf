import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from './leftover-temp-files.js';

/**
 * Writes `content` to `path` so that a crash at any moment leaves either the old file or the new one:
 * a private temp file beside it (mode 0600, exclusive create), fsync, rename over, fsync the folder.
 * `content` may come in pieces (a large snapshot is written without ever being one string); each
 * piece is awaited, so other work runs between them. Resolves to the number of bytes written.
 *
 * @example
 *   await writeFileDurably('/data/state.json', JSON.stringify(state));
 *   await writeFileDurably('/data/registrar.json', snapshotPieces());
 */
export async function writeFileDurably(path: string, content: string | Iterable<string> | AsyncIterable<string>): Promise<number> {
  const tmp = tempPathFor(path);
  let bytes = 0;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      if (typeof content === 'string') content = [content];
      for await (const piece of content) {
        const buffer = Buffer.from(piece, 'utf8');
        // A write may take less than asked (a nearly full disk): go on from where it stopped.
        for (let at = 0; at < buffer.length; ) {
          const { bytesWritten } = await handle.write(buffer, at, buffer.length - at);
          if (bytesWritten === 0) throw Object.assign(new Error(`ENOSPC: nothing more could be written to ${tmp}`), { code: 'ENOSPC' });
          at += bytesWritten;
        }
        bytes += buffer.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncFolder(dirname(path));
  return bytes;
}

/** Makes a folder's entries (a rename, a new or removed file) durable. */
export async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  try {
    await folder.sync().catch(() => undefined); // some file systems refuse fsync on a folder
  } finally {
    await folder.close();
  }
}
