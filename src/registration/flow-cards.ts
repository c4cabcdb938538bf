import type { Card } from '../cards/render-card.js';
import type { Flow } from '../conversation/flow.js';
import { closedCard, flowCard, type ViewContext } from '../conversation/views.js';
import type { Logger } from '../lib/logger.js';
import type { ChatClient } from '../platform/chat-client.js';
import { RingCentralError } from '../platform/rc-client.js';
import type { Collection } from '../store/store.js';
import type { TurnContext } from '../bot/context.js';

/**
 * Drawing a form's card and knowing whether it shows what is stored. A click is stored first and
 * drawn second; `Flow.cardVersion` records what the card is known to show, and `Flow.redrawAt`
 * asks for one more drawing later (after an undo, a late update may land on top of the form).
 *
 * @example
 *   const cards = createFlowCards({ flows, viewCtx, now, flowExpireHours, log });
 *   await cards.drawCard(client, next, flowCard(next, viewCtx(botId)));
 *   if (cards.lags(flow) || cards.redrawDue(flow)) await cards.redraw(ctx, flow);
 */
export interface FlowCardsOptions {
  flows: Collection<Flow>;
  viewCtx: (botId: string) => ViewContext;
  now: () => number;
  flowExpireHours: number;
  log: Logger;
  /** Keeps background writes in the work shutdown waits for. */
  track?: <T>(work: Promise<T>) => Promise<T>;
}

export function createFlowCards({ flows, viewCtx, now, flowExpireHours, log, track = (w) => w }: FlowCardsOptions) {
  /**
   * Shows `card` on the flow's card and records that it shows `version` (see Flow.cardVersion).
   * The record is not waited for: if it is lost (a crash, a failed write), the card merely looks
   * behind and is drawn once more, the same, by the next click or sweep. `track` keeps it in the
   * work shutdown waits for.
   */
  // Records not yet written, by flow id: the next click on that flow in this process waits for it,
  // so a double click is told "moved on" rather than that its card had fallen behind.
  const recording = new Map<string, Promise<unknown>>();
  async function drawCard(client: ChatClient, flow: Flow, card: Card) {
    await client.updateCard(flow.cardId!, card);
    const write = track(flows.update(flow.id, (cur) => (cur?.version === flow.version && cur.cardVersion !== flow.version ? { ...cur, cardVersion: flow.version } : undefined))).catch((err: unknown) =>
      log.warn('recording what a form card shows failed; it will be drawn again', { flowId: flow.id, err }),
    );
    recording.set(flow.id, write);
    void write.finally(() => {
      if (recording.get(flow.id) === write) recording.delete(flow.id);
    });
  }

  /** Waits for this process's pending record of what the flow's card shows, if any. */
  const recorded = async (flowId: string) => {
    await recording.get(flowId);
  };

  /** The card a flow shows in its current state. */
  function cardFor(flow: Flow, botId: string): Card {
    switch (flow.status) {
      case 'active':
        return flowCard(flow, viewCtx(botId));
      case 'cancelled':
        return closedCard('cancelled', '', flow.editing);
      default:
        return closedCard('expired', `Forms expire after ${flowExpireHours} hours without an answer. `, flow.editing);
    }
  }

  /** True when the card lags the stored flow: a click was stored but its card update never landed. */
  const lags = (flow: Flow) => flow.cardVersion !== undefined && flow.cardVersion < flow.version && (flow.status === 'active' || flow.status === 'cancelled' || flow.status === 'expired');

  const redrawDue = (flow: Flow) => flow.redrawAt != null && flow.redrawAt <= now();

  /** Draws the card as the flow is now; a card RingCentral refuses for good (4xx) is given up on. */
  async function redraw(ctx: TurnContext, flow: Flow) {
    try {
      await drawCard(ctx.client, flow, cardFor(flow, ctx.installation.botId));
      // A repair (start-up, a sweep) is done when its record is: nobody is waiting on it to answer.
      await recorded(flow.id);
    } catch (err) {
      const gone = err instanceof RingCentralError && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429;
      if (!gone) throw err;
      log.warn('a form card cannot be drawn any more; giving up on it', { flowId: flow.id, status: err.status });
      await flows.update(flow.id, (cur) => (cur ? { ...cur, cardVersion: cur.version, redrawAt: null } : undefined));
      return;
    }
    await flows.update(flow.id, (cur) => (cur?.redrawAt != null && cur.version === flow.version ? { ...cur, redrawAt: null } : undefined));
  }

  return { drawCard, recorded, cardFor, lags, redrawDue, redraw };
}
