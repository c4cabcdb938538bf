import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysFrom, loadKeys, parseMasterKey } from '../../../src/lib/crypto-keys.js';
import { verifyKeysAgainst } from '../../../src/lib/key-check.js';
import { rekeyStore } from '../../../src/rekey/rekey-store.js';
import { runRekey } from '../../../src/rekey/run-rekey.js';
import { createLowdbStore } from '../../../src/store/lowdb-store.js';
import { startChild } from '../../helpers/child-process.js';

const NEW_HEX = 'ab'.repeat(32);

/** A DATA_DIR as the sandbox bot leaves it: secret.key, a store with a sealed token, the emulator's sealed state. */
async function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'registrar-rekey-run-'));
  const keys = loadKeys({ dataDir: dir });
  const store = await createLowdbStore(dir);
  await verifyKeysAgainst(store, keys, 'secret.key');
  await store.collection('installations').put('acct', { accountId: 'acct', botId: 'b', tokenSealed: keys.encrypt('bot-token') });
  await store.close();
  writeFileSync(join(dir, 'emulator.json'), keys.encrypt('{"accounts":{}}'), { mode: 0o600 });
  return { dir, oldText: readFileSync(join(dir, 'secret.key'), 'utf8').trim() };
}

async function tokenWith(dir: string, keyText: string) {
  const store = await createLowdbStore(dir);
  try {
    const keys = await verifyKeysAgainst(store, keysFrom(parseMasterKey(keyText)), 'key');
    return keys.decrypt((await store.collection<{ tokenSealed: string }>('installations').get('acct'))!.tokenSealed);
  } finally {
    await store.close();
  }
}

const run = (env: Record<string, string>, argv: string[] = []) => {
  const said: string[] = [];
  return { said, done: runRekey({ env, argv, say: (l) => said.push(l) }) };
};

describe('npm run rekey', () => {
  it('with DATA_DIR/secret.key: makes a new key, re-keys the store and the sandbox state, and moves the key into place', async () => {
    const { dir, oldText } = await dataDir();
    const { said, done } = run({ DATA_DIR: dir });
    await expect(done).resolves.toMatchObject({ status: 'rekeyed', resealed: 1 });
    const newText = readFileSync(join(dir, 'secret.key'), 'utf8').trim();
    expect(newText).not.toBe(oldText);
    expect(existsSync(join(dir, 'secret.key.new'))).toBe(false);
    expect(await tokenWith(dir, newText)).toBe('bot-token');
    await expect(tokenWith(dir, oldText)).rejects.toThrow(/re-keyed/);
    expect(keysFrom(parseMasterKey(newText)).decrypt(readFileSync(join(dir, 'emulator.json'), 'utf8'))).toBe('{"accounts":{}}');
    expect(said.join('\n')).not.toContain(newText); // a key is never printed
    expect(said.join('\n')).toContain('Back it up now');
  });

  it('with REGISTRAR_SECRET_KEY: needs the new key from REGISTRAR_NEW_SECRET_KEY, and leaves the settings to the operator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-rekey-env-'));
    const oldHex = 'cd'.repeat(32);
    const store = await createLowdbStore(dir);
    const keys = await verifyKeysAgainst(store, keysFrom(parseMasterKey(oldHex)), 'REGISTRAR_SECRET_KEY');
    await store.collection('installations').put('acct', { accountId: 'acct', botId: 'b', tokenSealed: keys.encrypt('bot-token') });
    await store.close();
    await expect(run({ DATA_DIR: dir, REGISTRAR_SECRET_KEY: oldHex }).done).rejects.toThrow(/REGISTRAR_NEW_SECRET_KEY: set it/);
    await expect(run({ DATA_DIR: dir, REGISTRAR_SECRET_KEY: oldHex, REGISTRAR_NEW_SECRET_KEY: 'short' }).done).rejects.toThrow(/must hold 32 bytes/);
    const { said, done } = run({ DATA_DIR: dir, REGISTRAR_SECRET_KEY: oldHex, REGISTRAR_NEW_SECRET_KEY: NEW_HEX });
    await expect(done).resolves.toMatchObject({ status: 'rekeyed' });
    expect(said.at(-1)).toContain('set REGISTRAR_SECRET_KEY to the new key');
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
    expect(await tokenWith(dir, NEW_HEX)).toBe('bot-token');
    // Run again (say, unsure whether it finished): nothing to do.
    await expect(run({ DATA_DIR: dir, REGISTRAR_SECRET_KEY: oldHex, REGISTRAR_NEW_SECRET_KEY: NEW_HEX }).done).resolves.toMatchObject({ status: 'already' });
  });

  it('refuses a new key on the command line, saying why', async () => {
    const { dir } = await dataDir();
    await expect(run({ DATA_DIR: dir }, ['--new-key', NEW_HEX]).done).rejects.toThrow(/can be read by every user of this machine \(ps/);
    await expect(run({ DATA_DIR: dir }, [`--new-key=${NEW_HEX}`]).done).rejects.toThrow(/--new-key/);
  });

  it('takes the new key from a file named with --new-key-file', async () => {
    const { dir } = await dataDir();
    const file = join(mkdtempSync(join(tmpdir(), 'registrar-newkey-')), 'new.key');
    writeFileSync(file, `${NEW_HEX}\n`, { mode: 0o600 });
    await run({ DATA_DIR: dir }, ['--new-key-file', file]).done;
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(NEW_HEX);
  });

  it('refuses to run while the bot holds DATA_DIR, changing nothing', async () => {
    const { dir, oldText } = await dataDir();
    const bot = startChild({ DATA_DIR: dir, LOWDB_CHILD: 'hold' }, join(import.meta.dirname, '..', '..', 'helpers', 'lowdb-child.ts'));
    try {
      await bot.waitFor('store open');
      await expect(run({ DATA_DIR: dir }).done).rejects.toThrow(`DATA_DIR ${dir} is in use by another Registrar process (pid ${bot.process.pid}`);
    } finally {
      await bot.kill('SIGTERM');
    }
    expect(existsSync(join(dir, 'secret.key.new'))).toBe(false);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(oldText);
    expect(await tokenWith(dir, oldText)).toBe('bot-token');
  });

  it('finishes a run interrupted after the store was re-keyed, and never replaces the key it moved the store to', async () => {
    const { dir, oldText } = await dataDir();
    // The interrupted run: new key written to secret.key.new, store committed, then killed before the rename.
    writeFileSync(join(dir, 'secret.key.new'), `${NEW_HEX}\n`, { mode: 0o600 });
    const store = await createLowdbStore(dir);
    await rekeyStore({ store, from: parseMasterKey(oldText), to: parseMasterKey(NEW_HEX) });
    await store.close();
    // The bot cannot start on secret.key, and says how to finish.
    await expect(tokenWith(dir, oldText)).rejects.toThrow(/re-keyed/);
    const started = await createLowdbStore(dir);
    await expect(verifyKeysAgainst(started, loadKeys({ dataDir: dir }), join(dir, 'secret.key'), { pendingKeyFile: join(dir, 'secret.key.new') })).rejects.toThrow(
      /secret\.key\.new exists: a re-key \(npm run rekey\) was interrupted\. Run it again to finish/,
    );
    await started.close();
    // Another new key given now would lose the only copy of the key the store is on: refused.
    await expect(run({ DATA_DIR: dir, REGISTRAR_NEW_SECRET_KEY: 'ef'.repeat(32) }).done).rejects.toThrow(/holds the key an interrupted re-key moved the store to/);
    expect(readFileSync(join(dir, 'secret.key.new'), 'utf8').trim()).toBe(NEW_HEX);
    await expect(run({ DATA_DIR: dir }).done).resolves.toMatchObject({ status: 'already' });
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(NEW_HEX);
    expect(await tokenWith(dir, NEW_HEX)).toBe('bot-token');
  });

  it('finishes a run interrupted before the store was re-keyed, with the key it had made', async () => {
    const { dir, oldText } = await dataDir();
    writeFileSync(join(dir, 'secret.key.new'), `${NEW_HEX}\n`, { mode: 0o600 });
    expect(await tokenWith(dir, oldText)).toBe('bot-token'); // the bot still runs on the old key meanwhile
    await expect(run({ DATA_DIR: dir }).done).resolves.toMatchObject({ status: 'rekeyed' });
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(NEW_HEX);
  });
});
