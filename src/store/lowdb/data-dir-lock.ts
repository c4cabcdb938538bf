import { readFileSync } from 'node:fs';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../lib/errors.js';
import { isRunning, RUN_TAG } from '../../lib/leftover-temp-files.js';

/** Who holds DATA_DIR, as written in its lock file. */
export interface LockHolder {
  pid: number;
  /** Random per run: a restarted container is pid 1 again, and must not mistake its dead self for a live one. */
  run: string;
  host: string;
  /** Linux: the boot the process ran in, and its start time in clock ticks since that boot. */
  boot?: string;
  procStart?: string;
  startedAt: string;
}

/** Another live process holds DATA_DIR: start-up stops and says who. */
export class DataDirLockedError extends AppError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
    staleAfterMs: number,
  ) {
    const where = holder.host === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.host}`;
    super(
      'DATA_DIR_LOCKED',
      `DATA_DIR ${dataDir} is in use by another Registrar process (${where}, running since ${holder.startedAt}). ` +
        'Two processes on one DATA_DIR would each act on the same events and overwrite each other: stop the other one first' +
        (holder.host === hostname() ? '.' : `, or remove ${join(dataDir, LOCK_FILE)} if host ${holder.host} no longer runs it (it is taken over by itself once its heartbeat has stopped for ${Math.round(staleAfterMs / 1000)} s).`),
    );
    this.name = 'DataDirLockedError';
  }
}

export const LOCK_FILE = 'registrar.lock';

export interface DataDirLock {
  /** Stops the heartbeat and removes the lock file if it is still ours. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** How often the holder touches the lock file, so other hosts can tell it is alive. */
  heartbeatMs?: number;
  /** A lock from another host whose file was not touched for this long is taken over. */
  staleAfterMs?: number;
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Takes DATA_DIR for this process: `registrar.lock`, created exclusively, holding pid, run tag, host
 * and start time. A lock is left behind by a process that was killed; it is taken over when:
 * - on this host: its pid is not running, or is ours with another run tag (a restarted container is
 *   pid 1 again), or belongs to a process started after it (the pid was reused), or the machine has
 *   rebooted since;
 * - from another host (a shared volume, a recreated container with a new hostname): its file has not
 *   been touched by the holder's heartbeat for `staleAfterMs`.
 * - unreadable (empty or cut short, a kill between creating and writing it) for 5 s.
 * Taking over is done by one process at a time, holding `registrar.lock.takeover` (created
 * exclusively): it judges the lock again, removes it only if it is still the stale one, and all
 * then race to create a fresh lock exclusively, so two processes starting at once cannot both win.
 *
 * @example
 *   const lock = await lockDataDir('/data'); // throws DataDirLockedError naming the other pid
 *   ...
 *   await lock.release();
 */
export async function lockDataDir(dataDir: string, options: LockOptions = {}): Promise<DataDirLock> {
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? Math.min(10_000, staleAfterMs / 3);
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, run: RUN_TAG, host: hostname(), ...linuxIdentity(process.pid), startedAt: new Date().toISOString() };

  const guard = `${path}.takeover`;
  // Waiting for a lock being written ('wait') does not use up an attempt, but has a deadline.
  const deadline = Date.now() + UNREADABLE_STALE_MS + 5_000;
  for (let attempt = 0; attempt < 20 && Date.now() < deadline; ) {
    if (await createExclusively(path, `${JSON.stringify(me)}\n`)) {
      const beat = setInterval(() => {
        const now = new Date();
        utimes(path, now, now).catch(() => undefined); // a read-only DATA_DIR: the lock stays, just older
      }, heartbeatMs);
      beat.unref();
      return {
        async release() {
          clearInterval(beat);
          const holder = await readHolder(path);
          if (holder?.run === me.run) await unlink(path).catch(() => undefined);
        },
      };
    }
    const found = await readLock(path);
    if (!found) continue; // released meanwhile
    const verdict = judge(found.holder, found.mtimeMs, staleAfterMs);
    if (verdict === 'live') throw new DataDirLockedError(dataDir, found.holder!, staleAfterMs);
    if (verdict === 'wait') {
      await pause(50); // being written by a process starting right now
      continue;
    }
    attempt++;
    // Stale. Only the holder of `registrar.lock.takeover` may remove a lock, after judging it again:
    // a lock that is removed is then the stale one, never a fresh lock of a process starting now.
    if (!(await createExclusively(guard, `${JSON.stringify(me)}\n`))) {
      const other = await readLock(guard);
      // Taking over takes milliseconds: an old guard was left by a process killed while doing it.
      if (other && Date.now() - other.mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
      await pause(20);
      continue;
    }
    try {
      const again = await readLock(path);
      const same = again && again.holder?.run === found.holder?.run && (found.holder !== undefined || again.mtimeMs === found.mtimeMs);
      const still = again && judge(again.holder, again.mtimeMs, staleAfterMs);
      if (same && still !== 'live' && still !== 'wait') {
        await unlink(path);
        options.warn?.('took over the lock of a process that is gone', { file: path, holder: found.holder, reason: still });
      }
    } catch {
      // Gone meanwhile (released), or not removable: the next attempt looks again.
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  }
  throw new AppError('DATA_DIR_LOCKED', `could not take ${path}: other processes keep taking it. Is more than one Registrar starting on DATA_DIR ${dataDir}?`);
}

/** A lock file that cannot be read (empty, cut short) and was not written for this long is abandoned. */
const UNREADABLE_STALE_MS = 5_000;
const GUARD_STALE_MS = 10_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Verdict = 'live' | 'wait' | string;

/** 'live', 'wait' (not readable yet), or why the lock is stale. */
function judge(holder: LockHolder | undefined, mtimeMs: number, staleAfterMs: number): Verdict {
  const age = Date.now() - mtimeMs;
  // A lock is written the moment its file is created: one still unreadable seconds later never will be.
  if (!holder) return age > Math.min(staleAfterMs, UNREADABLE_STALE_MS) ? `unreadable (empty or cut short) and untouched for ${Math.round(age / 1000)} s` : 'wait';
  if (holder.host !== hostname()) return age > staleAfterMs ? `no heartbeat from ${holder.host} for ${Math.round(age / 1000)} s` : 'live';
  const mine = linuxIdentity(process.pid);
  if (holder.boot && mine.boot && holder.boot !== mine.boot) return 'the machine restarted since';
  if (holder.pid === process.pid) return holder.run === RUN_TAG ? 'live' : 'our pid, an earlier run';
  if (!isRunning(holder.pid)) return 'its pid is not running';
  const now = linuxIdentity(holder.pid);
  if (holder.procStart && now.procStart && holder.procStart !== now.procStart) return 'its pid now belongs to another process';
  return 'live';
}

async function createExclusively(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new AppError('DATA_DIR_UNWRITABLE', `cannot create ${path} to lock DATA_DIR (${(err as Error).message})`, { cause: err });
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined); // a full disk: leave no empty lock behind
    throw new AppError('DATA_DIR_UNWRITABLE', `cannot write ${path} to lock DATA_DIR (${(err as Error).message})`, { cause: err });
  }
  await handle.close();
  return true;
}

async function readLock(path: string): Promise<{ holder: LockHolder | undefined; mtimeMs: number } | undefined> {
  try {
    const { mtimeMs } = await stat(path);
    return { holder: await readHolder(path), mtimeMs };
  } catch {
    return undefined;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
    return typeof holder?.pid === 'number' && typeof holder.run === 'string' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Boot id and process start time (field 22 of /proc/<pid>/stat); nothing off Linux. */
function linuxIdentity(pid: number): { boot?: string; procStart?: string } {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const procStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return procStart ? { boot, procStart } : { boot };
  } catch {
    return {};
  }
}
