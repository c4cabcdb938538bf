import { randomBytes } from 'node:crypto';
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Temp files of durable writes, and the clean-up of those a killed write left behind.
 *
 * Every durable write in Registrar goes through `<file>.<pid>-<run>.<random>.tmp`, where `run` is
 * random per process: a container restarts the bot with the same pid, so the pid alone cannot tell
 * this run's files from a killed one's. A leftover is removed when it is not this run's and its pid
 * is not running (or is ours: a run before us). Files of another live process are left alone.
 *
 * @example
 *   const tmp = tempPathFor('/data/registrar.json'); // write, fsync, rename
 *   removeLeftoverTempFiles(config.dataDir);          // at start-up, before anything is written
 */
const RUN = `${process.pid}-${randomBytes(4).toString('hex')}`;

/** This process's run tag (`<pid>-<random>`): what tells this run from an earlier one with the same pid. */
export const RUN_TAG = RUN;

export function tempPathFor(path: string): string {
  return `${path}.${RUN}.${randomBytes(6).toString('hex')}.tmp`;
}

// Current names carry pid-run; names written before runs were tagged carry the pid alone.
const TEMP = /^.+\.(\d+)(?:-([0-9a-f]+))?\.[^.]+\.tmp$/;

export function removeLeftoverTempFiles(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed; // no folder yet: nothing left over
  }
  for (const name of names) {
    const match = TEMP.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (`${match[1]}-${match[2] ?? ''}` === RUN) continue; // this run's own write in progress
    if (pid !== process.pid && isRunning(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/** Whether a process with this pid exists on this machine (in this pid namespace). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
