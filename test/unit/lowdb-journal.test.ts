import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';

/** A DATA_DIR whose store holds apps a and b, closed, with the path of its journal. */
async function storedTwo() {
  const dir = mkdtempSync(join(tmpdir(), 'registrar-journal-'));
  const store = await createLowdbStore(dir);
  const apps = store.collection<{ v: number }>('apps');
  await apps.put('a', { v: 1 });
  await apps.put('b', { v: 2 });
  await store.close();
  const journal = join(dir, 'registrar.journal');
  return { dir, journal, text: readFileSync(journal, 'utf8') };
}

describe('a journal whose last line a crash tore', () => {
  it.each([
    ['cut short before its newline', '[["apps","x",{"v'],
    ['garbled but ended', '[["apps","x",{"v":\u0000\u0000\u0000\n'],
  ])('drops that line when it is %s, cuts the file back to the last whole line, and goes on writing', async (_kind, torn) => {
    const { dir, journal, text } = await storedTwo();
    appendFileSync(journal, torn);
    const store = await createLowdbStore(dir);
    const apps = store.collection<{ v: number }>('apps');
    expect((await apps.list()).map((a) => a.v).sort()).toEqual([1, 2]);
    expect(await apps.get('x')).toBeUndefined();
    expect(readFileSync(journal, 'utf8')).toBe(text);
    await apps.put('c', { v: 3 });
    await store.close();
    const again = await createLowdbStore(dir);
    expect((await again.collection<{ v: number }>('apps').list()).map((a) => a.v).sort()).toEqual([1, 2, 3]);
    await again.close();
  });
});

describe('a journal damaged before its end', () => {
  it('stops start-up naming the file and the line, and leaves the file as it was', async () => {
    const { dir, journal, text } = await storedTwo();
    const [first, second] = text.split('\n');
    const damaged = `${first}\n{"not json\n${second}\n`;
    writeFileSync(journal, damaged);
    await expect(createLowdbStore(dir)).rejects.toThrow(`${journal} has a damaged line 2`);
    expect(readFileSync(journal, 'utf8')).toBe(damaged);
  });

  it.each(['null', '42', '"text"', '[1]'])('stops start-up at a line whose document is %s (a document is a JSON object)', async (doc) => {
    const { dir, journal, text } = await storedTwo();
    const [first, second] = text.split('\n');
    const damaged = `${first}\n[["installations","acc",${doc}]]\n${second}\n`;
    writeFileSync(journal, damaged);
    await expect(createLowdbStore(dir)).rejects.toThrow(`${journal} has a damaged line 2`);
    expect(readFileSync(journal, 'utf8')).toBe(damaged);
  });

  it('does not take a whole last line of the wrong shape for a torn one', async () => {
    const { dir, journal, text } = await storedTwo();
    appendFileSync(journal, '{"apps":{"x":1}}\n');
    await expect(createLowdbStore(dir)).rejects.toThrow(`${journal} has a damaged line 3`);
    expect(readFileSync(journal, 'utf8')).toBe(`${text}{"apps":{"x":1}}\n`);
  });
});

describe('replaying a journal', () => {
  it('ends in the same state when lines are replayed twice (whole documents, deletes included)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-journal-'));
    const store = await createLowdbStore(dir);
    const apps = store.collection<{ v: number }>('apps');
    await apps.put('a', { v: 1 });
    await apps.put('b', { v: 2 });
    await apps.update('a', () => ({ v: 10 }));
    await apps.delete('b');
    await store.close();
    const journal = join(dir, 'registrar.journal');
    const text = readFileSync(journal, 'utf8');
    appendFileSync(journal, text);
    const again = await createLowdbStore(dir);
    expect(await again.collection('apps').list()).toEqual([{ v: 10 }]);
    expect(statSync(journal).size).toBe(text.length * 2);
    await again.close();
  });
});
