import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ensureDataDir, loadConfig } from '../config.js';
import { keysFrom, parseMasterKey } from '../lib/crypto-keys.js';
import { KEY_CHECK_ID, type KeyCheck } from '../lib/key-check.js';
import { tightenDataDir } from '../lib/private-data-dir.js';
import { syncFolder, writeFileDurably } from '../lib/write-file-durably.js';
import { createLowdbStore } from '../store/lowdb-store.js';
import { createPostgresStore } from '../store/postgres-store.js';
import type { Store } from '../store/store.js';
import { rekeyStore, type RekeyResult } from './rekey-store.js';
import { open } from './reseal.js';

export const NEW_KEY_VARIABLE = 'REGISTRAR_NEW_SECRET_KEY';

export interface RekeyRun {
  env: Record<string, string | undefined>;
  argv: readonly string[];
  /** Where progress is told (stdout). Never given a key. */
  say: (line: string) => void;
}

/**
 * `npm run rekey`: moves DATA_DIR's store (or DATABASE_URL's) to a new master key. Read with the
 * bot's own settings; the current key is REGISTRAR_SECRET_KEY or DATA_DIR/secret.key, the new one
 * comes from REGISTRAR_NEW_SECRET_KEY or `--new-key-file <path>`, never from the command line (any
 * user of the machine can read a process's arguments). With DATA_DIR/secret.key and no new key
 * given, one is generated.
 *
 * Order, so that a crash anywhere leaves a readable store and a rerun finishes:
 * 1. open the store alone (refused while a bot runs: DATA_DIR's lock, PostgreSQL's instance lock);
 * 2. key file only: write the new key to DATA_DIR/secret.key.new (a rerun takes it from there);
 * 3. re-seal everything and record the new key, in one change (rekeyStore);
 * 4. the sandbox's emulator.json, sealed as a whole, is sealed again (replaced durably);
 * 5. key file only: rename secret.key.new over secret.key.
 *
 * @example
 *   await runRekey({ env: process.env, argv: process.argv.slice(2), say: console.log });
 */
export async function runRekey({ env, argv, say }: RekeyRun): Promise<RekeyResult> {
  const args = parseArgs(argv);
  const config = loadConfig(env);
  const keyFile = join(config.dataDir, 'secret.key');
  const pendingFile = `${keyFile}.new`;
  const fileMode = config.secretKey === undefined;
  const oldText = config.secretKey ?? readKeyFile(keyFile, 'is missing. It holds the current key (unless REGISTRAR_SECRET_KEY is set): restore it from a backup if the bot has run; if not, nothing is sealed yet and there is nothing to re-key');
  const given = env[NEW_KEY_VARIABLE]?.trim() || (args.newKeyFile ? readKeyFile(args.newKeyFile, 'cannot be read') : undefined);
  if (!fileMode && !given) throw new ConfigError([`${NEW_KEY_VARIABLE}: set it to the new key (64 hex characters or base64 of 32 bytes), or pass --new-key-file <path>. REGISTRAR_SECRET_KEY is set, so the new key must come from you: it will replace REGISTRAR_SECRET_KEY.`]);
  const newText = given ?? (existsSync(pendingFile) ? readKeyFile(pendingFile, 'cannot be read') : randomBytes(32).toString('hex'));
  const from = parseMasterKey(oldText);
  let to: Buffer;
  try {
    to = parseMasterKey(newText);
  } catch {
    throw new ConfigError([`${given ? (env[NEW_KEY_VARIABLE]?.trim() ? NEW_KEY_VARIABLE : args.newKeyFile) : pendingFile}: must hold 32 bytes (64 hex characters or base64)`]);
  }
  if (from.equals(to)) throw new ConfigError([`the new key is the current key: nothing to do${fileMode ? '' : ' (has REGISTRAR_SECRET_KEY already been changed to it?)'}`]);

  ensureDataDir(config.dataDir);
  for (const t of tightenDataDir(config.dataDir)) say(`${t.path}: mode was ${t.was.toString(8)}, ${t.failed ? `could not change it (${t.failed})` : 'now private'}`);
  const store = config.databaseUrl ? await createPostgresStore(config.databaseUrl, { instanceLock: 'exclusive' }) : await createLowdbStore(config.dataDir);
  let result: RekeyResult;
  try {
    if (fileMode) await writePendingKey(pendingFile, newText, () => stillSealedWith(store, from));
    result = await rekeyStore({ store, from, to });
  } finally {
    await store.close();
  }
  await resealFile(join(config.dataDir, 'emulator.json'), from, to, say);
  if (fileMode) {
    await rename(pendingFile, keyFile);
    await syncFolder(config.dataDir);
  }
  say(
    result.status === 'already'
      ? 'The store was already sealed with the new key (an earlier run finished its data); the rest is done now.'
      : `Re-keyed: ${plural(result.resealed, 'sealed value')} in ${plural(result.documents, 'document')} now use the new key. ` +
          `Client secret hashes stay as they were and verify with the ${plural(result.retiredHashKeys, 'earlier hash key')} kept in the store.` +
          (result.unopened ? ` ${result.unopened} values shaped like sealed ones opened with neither key and were left as they are.` : ''),
  );
  say(fileMode ? `${keyFile} holds the new key. Back it up now; the old key no longer opens anything.` : 'Now set REGISTRAR_SECRET_KEY to the new key for every instance, then start the bot. The old key no longer opens anything.');
  return result;
}

/**
 * Writes the new key to secret.key.new before anything is sealed with it. A different key already
 * there is replaced only while the store is still on the old key: otherwise an interrupted run
 * moved the store to it, and it is the only copy.
 */
async function writePendingKey(path: string, newText: string, stillOld: () => Promise<boolean>): Promise<void> {
  const pending = existsSync(path) ? readKeyFile(path, 'cannot be read') : undefined;
  if (pending === newText) return;
  if (pending !== undefined && !(await stillOld())) {
    throw new ConfigError([`${path}: holds the key an interrupted re-key moved the store to, and it is not the new key given now. Run npm run rekey again without ${NEW_KEY_VARIABLE} or --new-key-file to finish that re-key first.`]);
  }
  await writeFileDurably(path, `${newText}\n`);
}

async function stillSealedWith(store: Store, from: Buffer): Promise<boolean> {
  const check = await store.collection<KeyCheck>('meta').get(KEY_CHECK_ID);
  return check === undefined || open(keysFrom(from), check.sealed) !== undefined;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function parseArgs(argv: readonly string[]): { newKeyFile?: string } {
  const out: { newKeyFile?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--new-key-file' && argv[i + 1]) out.newKeyFile = argv[++i]!;
    else if (arg === '--new-key' || arg.startsWith('--new-key=')) {
      throw new ConfigError([`--new-key: a key on the command line can be read by every user of this machine (ps, /proc/<pid>/cmdline) and stays in shell history. Put it in ${NEW_KEY_VARIABLE}, or in a file named with --new-key-file.`]);
    } else throw new ConfigError([`${arg}: unknown argument. Usage: npm run rekey [-- --new-key-file <path>]; or set ${NEW_KEY_VARIABLE}.`]);
  }
  return out;
}

function readKeyFile(path: string, problem: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new ConfigError([`${path}: ${problem}`]);
  }
}

/** A file sealed as a whole (the sandbox's emulator.json), sealed again with `to`; left alone if already. */
async function resealFile(path: string, from: Buffer, to: Buffer, say: (line: string) => void): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return; // no sandbox state here
  }
  const [oldKeys, newKeys] = [keysFrom(from), keysFrom(to)];
  if (open(newKeys, text) !== undefined) return;
  const plain = open(oldKeys, text);
  // Not a reason to stop half way: the store is re-keyed already, and the sandbox would not start on it anyway.
  if (plain === undefined) return say(`${path} opens with neither key, so it was left as it is; the sandbox cannot use it (move it away to start the sandbox afresh).`);
  await writeFileDurably(path, newKeys.encrypt(plain));
  say(`${path}: sealed with the new key.`);
}
