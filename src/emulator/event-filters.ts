/**
 * Subscription event filters a bot may use (contract 2.1) and how events are routed to them.
 * Filters are stored and echoed exactly as given (the real platform may expand `~` to ids;
 * UNCONFIRMED, and bots must not route on `event` anyway, contract 2.1).
 */

/** Event families the emulator produces. */
export type EventKind = 'posts' | 'chats' | 'extension' | 'reminder';

const POST_FILTERS = new Set(['/team-messaging/v1/posts', '/restapi/v1.0/glip/posts']);
const CHAT_FILTERS = new Set([
  '/team-messaging/v1/chats',
  '/team-messaging/v1/groups',
  '/restapi/v1.0/glip/groups',
]);
const EXTENSION_FILTER = /^\/restapi\/v1\.0\/account\/(~|\d+)\/extension\/(~|\d+)$/;
const REMINDER_FILTER = /^\/restapi\/v1\.0\/subscription\/~\?(.+)$/;

/** A recognised filter. */
export type ParsedFilter =
  | { kind: 'posts' | 'chats'; filter: string }
  | { kind: 'extension'; filter: string; accountId: string; extensionId: string }
  | { kind: 'reminder'; filter: string; thresholdSec: number; intervalSec: number };

/** Parses one filter; `undefined` when the platform would reject it (SUB-508). */
export function parseEventFilter(filter: string): ParsedFilter | undefined {
  if (POST_FILTERS.has(filter)) return { kind: 'posts', filter };
  if (CHAT_FILTERS.has(filter)) return { kind: 'chats', filter };
  const ext = EXTENSION_FILTER.exec(filter);
  if (ext) return { kind: 'extension', filter, accountId: ext[1] ?? '~', extensionId: ext[2] ?? '~' };
  const reminder = REMINDER_FILTER.exec(filter);
  if (reminder) {
    const query = new URLSearchParams(reminder[1]);
    const threshold = Number(query.get('threshold'));
    const interval = Number(query.get('interval'));
    if (Number.isInteger(threshold) && threshold > 0 && Number.isInteger(interval) && interval > 0) {
      return { kind: 'reminder', filter, thresholdSec: threshold, intervalSec: interval };
    }
  }
  return undefined;
}

/** The filters among `filters` that the platform would reject. */
export function invalidFilters(filters: readonly string[]): string[] {
  return filters.filter((f) => parseEventFilter(f) === undefined);
}

/** Owner of a subscription, for `~` resolution. */
export interface FilterOwner {
  botId: string;
  accountId: string;
}

/**
 * The first filter of `filters` that receives events of `kind` for `owner`, or undefined.
 * One event is delivered once per subscription even if several filters match (e.g. both
 * `/team-messaging/v1/posts` and `/restapi/v1.0/glip/posts`).
 */
export function matchingFilter(
  filters: readonly string[],
  kind: EventKind,
  owner: FilterOwner,
): ParsedFilter | undefined {
  for (const filter of filters) {
    const parsed = parseEventFilter(filter);
    if (parsed === undefined || parsed.kind !== kind) continue;
    if (parsed.kind === 'extension') {
      const accountOk = parsed.accountId === '~' || parsed.accountId === owner.accountId;
      const extensionOk = parsed.extensionId === '~' || parsed.extensionId === owner.botId;
      if (!accountOk || !extensionOk) continue;
    }
    return parsed;
  }
  return undefined;
}
