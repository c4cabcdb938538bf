import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Modes of what DATA_DIR holds: only the bot's own user may read or write any of it. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** A file or folder of DATA_DIR whose mode was tightened, or could not be. */
export interface Tightened {
  path: string;
  /** The mode it had (permission bits). */
  was: number;
  /** Why chmod failed (owned by another user, a read-only file system); absent when it worked. */
  failed?: string;
}

/**
 * Makes DATA_DIR private again: the folder and every folder in it 0700, every file 0600. Every file
 * Registrar writes is created with mode 0600 (explicitly, so no umask can widen it) and replaced by
 * renaming a 0600 temp file, so this only finds files that came from elsewhere: restored from a
 * backup with `cp` (which applies the umask, typically 0644), created by hand, or left by an older
 * version. Symbolic links are left alone (chmod would follow them out of DATA_DIR). Runs at start-up
 * and before a re-key; reports what it changed, and what it could not.
 *
 * @example
 *   for (const t of tightenDataDir(config.dataDir)) log.warn('DATA_DIR held a file others could read', { ...t });
 */
export function tightenDataDir(dataDir: string): Tightened[] {
  const out: Tightened[] = [];
  const visit = (path: string, depth: number) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return; // removed meanwhile
    }
    if (stat.isSymbolicLink()) return;
    const dir = stat.isDirectory();
    if (!dir && !stat.isFile()) return; // a socket or fifo someone put there: not ours to change
    const want = dir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    const was = stat.mode & 0o777;
    if (was !== want) {
      try {
        chmodSync(path, want);
        out.push({ path, was });
      } catch (err) {
        out.push({ path, was, failed: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
      }
    }
    if (dir && depth < 8) {
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) visit(join(path, name), depth + 1);
    }
  };
  visit(dataDir, 0);
  return out;
}
