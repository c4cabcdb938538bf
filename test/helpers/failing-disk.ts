import type { Disk } from '../../src/store/lowdb-store.js';

type Step = keyof Disk;

interface Rule {
  code: string;
  /** writeAt only: write the first half of the text (a disk that fills mid-write), or all of it (an fsync that fails), then fail. */
  partial?: boolean | 'whole';
  /** Fails this many calls, then passes (default: until healed). */
  times?: number;
}

/**
 * A disk under the lowdb store whose chosen steps fail the way a real one does (ENOSPC, EIO, EROFS),
 * and that counts every call, so a test can see how many appends a burst took.
 *
 * @example
 *   const disk = failingDisk();
 *   const store = await createLowdbStore(dir, { disk: disk.wrap });
 *   disk.fail('writeAt', { code: 'ENOSPC', partial: true });
 */
export function failingDisk() {
  const rules = new Map<Step, Rule>();
  const calls: Record<string, number> = {};
  const hold = new Map<Step, Promise<void>>();
  const error = (code: string, step: string) => Object.assign(new Error(`${code}: injected failure (${step})`), { code });
  const wrap = (disk: Disk): Disk => {
    const step =
      <A extends unknown[], R>(name: Step, real: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        calls[name] = (calls[name] ?? 0) + 1;
        await hold.get(name);
        const rule = rules.get(name);
        if (rule) {
          if (rule.times !== undefined && --rule.times <= 0) rules.delete(name);
          if (rule.partial && name === 'writeAt') {
            const [path, position, text] = args as unknown as [string, number, string];
            await disk.writeAt(path, position, rule.partial === 'whole' ? text : text.slice(0, Math.ceil(text.length / 2)));
          }
          throw error(rule.code, name);
        }
        return real(...args);
      };
    return {
      writeAt: step('writeAt', disk.writeAt),
      truncate: step('truncate', disk.truncate),
      replace: step('replace', disk.replace),
      rename: step('rename', disk.rename),
      remove: step('remove', disk.remove),
      syncFolder: step('syncFolder', disk.syncFolder),
    };
  };
  return {
    wrap,
    calls,
    fail(name: Step, rule: Rule) {
      rules.set(name, { ...rule });
    },
    /** Every write step fails with `code` (a read-only or full file system). */
    failAll(code: string) {
      for (const name of ['writeAt', 'truncate', 'replace', 'rename', 'remove', 'syncFolder'] as Step[]) rules.set(name, { code });
    },
    heal() {
      rules.clear();
    },
    /** Holds every call of `name` until the returned function is called. */
    hold(name: Step): () => void {
      let release!: () => void;
      hold.set(
        name,
        new Promise<void>((r) => (release = r)),
      );
      return () => {
        hold.delete(name);
        release();
      };
    },
  };
}

export type FailingDisk = ReturnType<typeof failingDisk>;
