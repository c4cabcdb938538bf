/**
 * The emulator's state and its optional persistence to a JSON file.
 *
 * Saves are debounced and atomic (write a private temp file, then rename) so that a sandbox
 * killed mid-write never leaves a truncated file; the file holds bot tokens, hence mode 0600.
 */
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../lib/write-file-durably.js';
import { EmulatorError } from './errors.js';
import { emptyState, type StateData } from './model.js';

const SAVE_DEBOUNCE_MS = 25;

/** Holds {@link StateData}; call {@link StateStore.changed} after every mutation. */
/** Turns the state file's text into what is written and back (the sandbox encrypts it). */
export interface StateCodec {
  encode(text: string): string;
  decode(text: string): string;
}
const plain: StateCodec = { encode: (t) => t, decode: (t) => t };

export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(
    readonly data: StateData,
    private readonly path: string | undefined,
    private readonly log: (line: string) => void,
    private readonly codec: StateCodec = plain,
  ) {}

  /** Opens a store, loading `path` when it exists. */
  static async open(path: string | undefined, log: (line: string) => void, codec: StateCodec = plain): Promise<StateStore> {
    if (path === undefined) return new StateStore(emptyState(), undefined, log);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new StateStore(emptyState(), path, log, codec);
      throw err;
    }
    let decoded: string;
    try {
      decoded = codec.decode(text);
    } catch {
      throw new EmulatorError('EMU_STATE_CORRUPT', `state file ${path} cannot be decoded (a different key?)`);
    }
    const data = parseState(decoded, path);
    // WebSocket sessions do not survive a restart, so neither do their subscriptions.
    for (const [id, sub] of Object.entries(data.subscriptions)) {
      if (sub.transport === 'WebSocket') delete data.subscriptions[id];
    }
    log(`state loaded from ${path}`);
    return new StateStore(data, path, log, codec);
  }

  /** Next id of the shared numeric id space. */
  nextId(): string {
    this.data.seq += 1;
    this.changed();
    return String(this.data.seq);
  }

  /** Marks the state modified; schedules a save when persistence is on. */
  changed(): void {
    if (this.path === undefined) return;
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, SAVE_DEBOUNCE_MS);
  }

  /** Writes pending changes now (used by `close()`); resolves when the file is on disk. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Chain writes so two saves never race on the rename.
    this.writing = this.writing.then(async () => {
      if (!this.dirty || this.path === undefined) return;
      this.dirty = false;
      await writeFileDurably(this.path, this.codec.encode(JSON.stringify(this.data)));
    });
    try {
      await this.writing;
    } catch (err) {
      this.writing = Promise.resolve();
      this.log(`state save failed: ${(err as Error).message}`);
    }
  }
}

function parseState(text: string, path: string): StateData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EmulatorError('EMU_STATE_CORRUPT', `state file ${path} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) {
    throw new EmulatorError('EMU_STATE_CORRUPT', `state file ${path} has an unknown format`);
  }
  // Fill collections added after the file was written; the stored values win.
  return { ...emptyState(), ...(parsed as Partial<StateData>) } as StateData;
}
