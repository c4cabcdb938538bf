import type { Config } from '../config.js';
import type { AppRegistry } from '../registry/app-records.js';

/**
 * MAX_APPS_PER_PERSON and MAX_OPEN_REQUESTS: how many live apps one person may own, and how many
 * approval requests (scopes, going public) they may have waiting at once. Admins (ADMIN_IDS) are
 * exempt. Each answer is the refusal to show, saying what to do, or undefined. The caller asks
 * under the person's lock, in the step that creates the app or files the request, so two
 * registrations at once cannot both pass a limit the first one reaches.
 *
 * @example
 *   const quotas = createQuotas({ config, registry, openCountOf });
 *   const why = await quotas.appsRefusal(accountId, personId); // undefined: one more app is fine
 */
export function createQuotas({ config, registry, openCountOf }: { config: Config; registry: AppRegistry; openCountOf: (accountId: string, personId: string) => Promise<number> }) {
  const exempt = (personId: string) => config.adminIds.includes(personId);

  /** Whether one more app would go past MAX_APPS_PER_PERSON. */
  async function appsRefusal(accountId: string, personId: string): Promise<string | undefined> {
    if (exempt(personId)) return undefined;
    const owned = (await registry.listByOwner(accountId, personId)).length;
    if (owned < config.maxAppsPerPerson) return undefined;
    return `You already have ${owned} app${owned === 1 ? '' : 's'}, the most one person may have here (${config.maxAppsPerPerson}). To register another, delete one you no longer use: say **my apps**, open it and choose **Delete app…**. If you need more, ask an admin of Registrar.`;
  }

  /** Whether `adding` more open approval requests would go past MAX_OPEN_REQUESTS. */
  async function requestsRefusal(accountId: string, personId: string, adding: number): Promise<string | undefined> {
    if (adding <= 0 || exempt(personId)) return undefined;
    const open = await openCountOf(accountId, personId);
    if (open + adding <= config.maxOpenRequests) return undefined;
    const asks = adding === 1 ? 'This needs an approval request' : `This needs ${adding} approval requests (scopes, and going public)`;
    return `${asks}, and you have ${open} waiting for the admins; one person may have at most ${config.maxOpenRequests} at once. Wait until the admins decide some of yours (I will tell you each decision), then try again.`;
  }

  return { appsRefusal, requestsRefusal, exempt };
}
