import type { Store } from '../store/store.js';
import { NAME_PREFIX_MAX, NAME_PREFIX_MIN } from '../store/schema.js';
import type { AppRecord, AppRegistry } from './app-records.js';
import { nameKey } from './name-key.js';

/**
 * Finding apps the way people name them: by client ID or whole name first (case and look-alikes
 * forgiven, see name-key.ts), and only when neither matches, by the beginning of the name. Names are
 * unique per owner, not per account, so a lookup may find several: callers list them and ask for
 * the client ID rather than pick one (`audit <app>`, `app <app>`).
 *
 * @example
 *   const find = createAppFinder({ store, registry });
 *   const { apps, byPrefix } = await find(text, accountId); // deleted apps included
 */
export type AppFinder = (query: string, accountId: string, among?: (app: AppRecord) => boolean) => Promise<{ apps: AppRecord[]; byPrefix: boolean }>;

export function createAppFinder({ store, registry }: { store: Store; registry: AppRegistry }): AppFinder {
  const appRecords = store.collection<AppRecord>('apps');

  /** Apps whose name begins as `query` does, through the name-prefix index. */
  async function byPrefix(query: string, accountId: string): Promise<AppRecord[]> {
    const key = nameKey(query);
    const chars = [...key];
    if (chars.length < NAME_PREFIX_MIN) return [];
    const filed = await appRecords.find('namePrefix', `${accountId}:${chars.slice(0, NAME_PREFIX_MAX).join('')}`);
    // The index holds the first NAME_PREFIX_MAX characters; a longer query is checked in full here.
    return filed.filter((a) => a.accountId === accountId && nameKey(a.appName).startsWith(key));
  }

  /** `among` narrows both steps (an owner's own live apps, say): a name only someone else uses falls through to the prefix step. */
  return async function findApps(query, accountId, among = () => true) {
    const exact = (await registry.findAll(query, accountId)).filter(among);
    if (exact.length > 0) return { apps: exact, byPrefix: false };
    return { apps: (await byPrefix(query, accountId)).filter(among), byPrefix: true };
  };
}
