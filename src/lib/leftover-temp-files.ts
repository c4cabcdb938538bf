import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes temp files that a killed write left in `dir`. Every durable write in Registrar goes
 * through `<file>.<pid>.<random>.tmp`; one whose process no longer runs can never be renamed into
 * place, so it is garbage. One of a live process (another tool, an instance starting beside us) is
 * left alone. Returns the names removed.
 *
 * @example
 *   removeLeftoverTempFiles(config.dataDir); // at start-up, before anything is written
 */
const TEMP = /^.+\.(\d+)\.[^.]+\.tmp$/;

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
    if (!match || isRunning(Number(match[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
