import type { AuditLog } from '../approvals/audit-log.js';
import { noticeDialog, type Dialog } from '../bot/dialogs.js';
import type { SubmitContext } from '../bot/handle-submit.js';
import type { Card } from '../cards/render-card.js';
import type { Config } from '../config.js';
import { holdsName, type AppRecord, type AppRegistry } from '../registry/app-records.js';
import { stampOf } from './app-views.js';

/**
 * Who may act on an app, decided when the click arrives from what is stored, never from the card:
 * the owner rotates, revokes, edits, hands over and deletes; the Registrar admins (ADMIN_IDS)
 * suspend and reinstate. A click on a card drawn for an older state of the app (its `stamp`) changes
 * nothing: the card is drawn again as the app is now, and a private dialog says so.
 */
export type Role = 'owner' | 'admin';

export interface GuardOptions {
  /** The card to draw in place of a stale one (the app card, the confirmation). */
  redraw?: (app: AppRecord) => Card;
  /** Check the card's stamp against the app (default true when the click carries one). */
  stamp?: boolean;
  /** Deleted apps pass (nothing does that yet). */
  allowDeleted?: boolean;
}

export const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function createClickGuard({ registry, audit, config, now }: { registry: AppRegistry; audit: AuditLog; config: Config; now: () => number }) {
  /** Whom a role refuses, as the dialog's message; null when the clicker may act. */
  function refusal(ctx: SubmitContext, app: AppRecord, role: Role): string | null {
    if (role === 'owner') return ctx.personId === app.ownerId ? null : "Only the app's owner can do that. Nothing was changed.";
    // Not the admin chat's members: nothing says RingCentral lists a team's members completely (see approvals).
    if (config.adminIds.length === 0) return 'No Registrar admins are set up (ADMIN_IDS), so nobody can suspend or reinstate apps yet.';
    return config.adminIds.includes(ctx.personId) ? null : 'Only Registrar admins can suspend or reinstate apps. Nothing was changed.';
  }

  /** The app the click names, when the clicker may act on it now; otherwise the dialog to answer with. */
  async function check(ctx: SubmitContext, role: Role, options: GuardOptions = {}): Promise<{ app: AppRecord; reply?: undefined } | { app?: undefined; reply: Dialog }> {
    const data = ctx.submit.data;
    const clientId = str(data.clientId);
    const app = clientId ? await registry.get(clientId) : undefined;
    if (!app || app.accountId !== ctx.installation.accountId || app.status === 'issuing') {
      return { reply: noticeDialog('App not found', 'This app no longer exists, so nothing was changed.') };
    }
    const refused = refusal(ctx, app, role);
    if (refused) {
      ctx.log.warn('lifecycle click by someone not allowed refused', { clientId, action: str(data.action) });
      await audit.append({ event: 'refused', clientId, appName: app.appName, requestId: '', actorId: ctx.personId, scopes: [], reason: `${str(data.action)}: ${role === 'owner' ? 'not the owner' : 'not an admin'}` });
      return { reply: noticeDialog(role === 'owner' ? 'This app is not yours' : 'Admins only', refused) };
    }
    if (!holdsName(app) && !options.allowDeleted) return { reply: noticeDialog('This app was deleted', 'Nothing was changed: a deleted app cannot be changed any more.') };
    const stamp = str(data.stamp);
    if ((options.stamp ?? true) && stamp && stamp !== stampOf(app, now())) {
      if (options.redraw && ctx.cardId) await ctx.client.updateCard(ctx.cardId, options.redraw(app)).catch((err: unknown) => ctx.log.warn('redrawing a stale app card failed', { err }));
      return { reply: noticeDialog('This card is out of date', 'The app changed since this card was drawn, so nothing was changed. The card now shows the app as it is: check it and click again.') };
    }
    return { app };
  }

  return { check };
}
