import { readFile } from 'node:fs/promises';
import type { Change } from '../memory-engine.js';
import { StoreFileError } from '../private-json-file.js';
import { isDocument } from '../store.js';

/**
 * The journal: one line per committed batch, a JSON array of changes, each `[collection, id, document]`
 * or `[collection, id]` for a delete, ended by a newline.
 *
 *   [["apps","c1",{"appName":"A"}],["seen-submits","e9"]]
 *
 * A batch is one line so that it is all-or-nothing on disk as it is in memory: only the line being
 * appended can be torn by a crash (every earlier one was fsynced before it was written), and a torn
 * line is never acknowledged. Lines hold whole documents, so replaying one twice is harmless.
 *
 * @example
 *   await writeAt(journal, length, encodeBatch(changes));
 *   const { length, torn } = await readJournal(journal, (changes) => state.apply(changes));
 */
export function encodeBatch(changes: readonly Change[]): string {
  // Documents are already JSON text: they go in as they are, never parsed and printed again.
  const parts = changes.map(({ name, id, text }) => `[${JSON.stringify(name)},${JSON.stringify(id)}${text === undefined ? '' : `,${text}`}]`);
  return `[${parts.join(',')}]\n`;
}

function decodeBatch(line: string): Change[] | 'unparsable' | 'wrong shape' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'unparsable';
  }
  if (!Array.isArray(parsed)) return 'wrong shape';
  const changes: Change[] = [];
  for (const entry of parsed) {
    if (!Array.isArray(entry) || (entry.length !== 2 && entry.length !== 3) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') return 'wrong shape';
    if (entry.length === 3 && !isDocument(entry[2])) return 'wrong shape'; // a document is a JSON object
    changes.push({ name: entry[0], id: entry[1], text: entry.length === 3 ? JSON.stringify(entry[2]) : undefined });
  }
  return changes;
}

export interface JournalContents {
  /** Bytes of complete, valid lines: where the next line goes. */
  length: number;
  /** Bytes after them that a crash tore (the last line, cut short or garbled); 0 when none. */
  torn: number;
  lines: number;
}

/**
 * Replays a journal: hands each line's changes to `apply`, in order. A missing file is an empty
 * journal. The last line may be torn (no newline, or not JSON): it is reported, not applied, and the
 * caller cuts it off. Any other bad line stops start-up with a StoreFileError naming file and line.
 */
export async function readJournal(path: string, apply: (changes: Change[]) => void): Promise<JournalContents> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { length: 0, torn: 0, lines: 0 };
    throw new StoreFileError(path, `cannot be read (${(err as Error).message})`, err);
  }
  return parseJournal(path, bytes, apply);
}

/** `readJournal` on bytes already read; `path` names the file in errors. */
export function parseJournal(path: string, bytes: Buffer, apply: (changes: Change[]) => void): JournalContents {
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    if (end === -1) return { length: start, torn: bytes.length - start, lines: lineNo }; // cut short mid-append
    lineNo++;
    const changes = decodeBatch(bytes.toString('utf8', start, end));
    if (changes === 'unparsable' && end === bytes.length - 1) return { length: start, torn: bytes.length - start, lines: lineNo - 1 };
    if (typeof changes === 'string') throw new StoreFileError(path, `has a damaged line ${lineNo} (${changes === 'unparsable' ? 'not JSON' : 'not a list of [collection, id, document] changes'}) before its end`);
    apply(changes);
    start = end + 1;
  }
  return { length: start, torn: 0, lines: lineNo };
}
