import type { Installations } from '../platform/installations.js';
import { distributionOf, type AppRecord } from '../registry/app-records.js';

/**
 * Whose people may act through an app (sign in, get a token, hold a JWT credential): its own
 * account's always; another account's only when an admin approved the app going public
 * (distributionOf === 'public') and this bot is installed in that account, so the bot there can
 * reach them in chat. An app held for review, rejected or private serves its own account only.
 *
 * @example
 *   const mayUse = accountMayUse(installations);
 *   if (!(await mayUse(app, person.accountId))) throw new InvalidGrant('the app is not public');
 */
export function accountMayUse(installations: Pick<Installations, 'get'>) {
  return async function mayUse(app: Pick<AppRecord, 'accountId' | 'access' | 'publicReview'>, accountId: string): Promise<boolean> {
    if (accountId === app.accountId) return true;
    return distributionOf(app) === 'public' && (await installations.get(accountId)) !== undefined;
  };
}

export type MayUse = ReturnType<typeof accountMayUse>;
