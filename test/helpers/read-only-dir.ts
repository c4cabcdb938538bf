import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes `dir` really read-only, as a file system remounted read-only after errors is: a read-only
 * bind mount of the folder onto itself (this sandbox runs as root, so chmod would not stop a write).
 * Resolves to the way back, or to undefined when this machine does not allow mounts; the caller
 * then injects EROFS through the store's disk seam instead.
 *
 * @example
 *   const undo = await mountReadOnly(dataDir) ?? injectErofs();
 *   ...
 *   await undo();
 */
export async function mountReadOnly(dir: string): Promise<(() => Promise<void>) | undefined> {
  try {
    await run('mount', ['--bind', dir, dir]);
  } catch {
    return undefined;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await run('mount', ['-o', 'remount,bind,ro', dir]);
      return async () => {
        await run('umount', ['-l', dir]);
      };
    } catch {
      await sleep(20); // a file open for writing (an append in flight) keeps the mount busy for a moment
    }
  }
  await run('umount', ['-l', dir]);
  throw new Error(`could not make ${dir} read-only: files in it stay open for writing`);
}
