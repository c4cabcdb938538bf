import type { SDK } from '@ringcentral/sdk';
import { Subscriptions } from '@ringcentral/subscriptions';

/**
 * WebSocket delivery through the unmodified @ringcentral/subscriptions client. Notifications arrive
 * as the same envelope a webhook carries, and go to the same handler.
 */
export interface WsHandle {
  subscriptionId: string | undefined;
  close(): Promise<void>;
}

type Revocable = { revoke?: (keepInterval?: boolean) => Promise<void>; ws?: unknown };

export async function subscribeOverWebSocket(sdk: SDK, eventFilters: string[], onNotification: (envelope: unknown) => void): Promise<WsHandle> {
  const subscriptions = new Subscriptions({ sdk });
  const subscription = subscriptions.createSubscription();
  subscription.on(subscription.events.notification, onNotification);
  const wsSubscription = await subscription.setEventFilters(eventFilters).register();
  return {
    subscriptionId: wsSubscription.subscriptionInfo?.id,
    async close() {
      // The client keeps a recovery interval and a socket per extension; revoke each so the
      // process can exit. revoke() also asks the server to drop the subscription, which may
      // fail when the token is already gone (uninstall): the socket is closed either way.
      for (const ext of subscriptions.rc.sdkExtensions as Revocable[]) {
        if (typeof ext.revoke === 'function' && 'ws' in ext) await ext.revoke().catch(() => undefined);
      }
    },
  };
}
