import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a secret kept in a local file, creating it once (mode 0600, exclusive create so two
 * processes starting together cannot each write a different value) when it does not exist.
 */
export function readOrCreateSecretFile(path: string, generate: () => string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, generate() + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600); // the umask may have narrowed the mode further, never widened it
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(path, 'utf8').trim();
}
