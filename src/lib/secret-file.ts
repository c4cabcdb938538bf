import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';
import { tempPathFor } from './leftover-temp-files.js';

/**
 * Reads a secret kept in a local file (DATA_DIR/verification-token, DATA_DIR/secret.key),
 * creating it once when it does not exist.
 *
 * - Created atomically: the value is written to a private temp file (mode 0600) and fsynced, then
 *   hard-linked into place, which fails if another process got there first; a crash or a full disk
 *   therefore never leaves an empty or half-written file under the real name.
 * - Validated on every read like the settings are: a file that does not hold a valid value (empty,
 *   truncated, edited by hand) stops start-up with a ConfigError naming it, and is never replaced.
 *
 * @example
 *   const token = readOrCreateSecretFile(join(dataDir, 'verification-token'), {
 *     generate: () => randomBytes(24).toString('base64url'),
 *     check: (v) => (/^[\x21-\x7e]{16,64}$/.test(v) ? undefined : 'must be 16 to 64 printable characters'),
 *   });
 */
export interface SecretFileRules {
  generate: () => string;
  /** When the file is missing and must not be created: what to say instead (the file was lost). */
  missing?: string | undefined;
  /** Returns what is wrong with a value, or undefined when it is valid. */
  check: (value: string) => string | undefined;
}

export function readOrCreateSecretFile(path: string, rules: SecretFileRules): string {
  let text = readIfPresent(path);
  if (text === undefined && rules.missing !== undefined) throw new ConfigError([`${path}: ${rules.missing}`]);
  if (text === undefined) {
    createOnce(path, rules.generate());
    text = readIfPresent(path) ?? '';
  }
  const value = text.trim();
  const problem = rules.check(value);
  if (problem !== undefined) {
    throw new ConfigError([
      `${path}: ${value === '' ? 'is empty' : problem}. Registrar generated this file itself; an earlier start may have been cut short (a full disk?). ` +
        'Delete the file only if nothing was issued with it yet (secret.key encrypts stored secrets), or restore it from a backup.',
    ]);
  }
  return value;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError([`${path}: cannot be read (${(err as Error).message})`]);
  }
}

function createOnce(path: string, value: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${value}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path); // atomic and exclusive: of two processes starting together, one wins
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } catch (err) {
    throw new ConfigError([`${path}: cannot be created (${(err as Error).message})`]);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
  }
}
