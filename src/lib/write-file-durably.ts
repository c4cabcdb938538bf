import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from './leftover-temp-files.js';

/**
 * Writes `text` to `path` so that a crash at any moment leaves either the old file or the new one:
 * a private temp file beside it (mode 0600, exclusive create), fsync, rename over, fsync the folder.
 */
export async function writeFileDurably(path: string, text: string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // The rename itself is only durable once the folder's entry is.
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync().catch(() => undefined); // some file systems refuse fsync on a folder
  } finally {
    await folder.close();
  }
}
