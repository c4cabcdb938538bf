/**
 * How PostAdded bodies may differ from the documented samples (contract appendix "Mentions",
 * "Posts without text"). D `event-filters/post.md` samples carry `text` and a `type` on every
 * mention, but nothing promises either: PostAdded without `text` has been seen on WebSocket
 * deliveries, and a mention's `type` is not required. The stored post keeps both, so
 * `GET /team-messaging/v1/chats/{chatId}/posts/{postId}` still answers the text.
 */
import type { PostEventBody } from './payloads.js';

/** `true`: always; `false`: never; `'alternate'`: on every other event, so a run sees both. */
export type Variation = boolean | 'alternate';

/** The two variations, as emulator options. */
export interface PostEventVariations {
  /** Send PostAdded without `text`. */
  omitPostText: Variation;
  /** Send `mentions` entries without `type`. */
  omitMentionType: Variation;
}

/** Applies the variations to successive PostAdded bodies. */
export class PostEventShaper {
  private count = 0;

  constructor(private readonly variations: PostEventVariations) {}

  /**
   * The body to deliver for one event. With both set to 'alternate' the four combinations come
   * round every four events (text follows the event's parity, mention type every second pair).
   */
  shape(body: PostEventBody): object {
    const n = this.count++;
    const omitText = this.on(this.variations.omitPostText, n % 2 === 1);
    const omitType = this.on(this.variations.omitMentionType, Math.floor(n / 2) % 2 === 1);
    const { text, mentions, ...rest } = body;
    return {
      ...rest,
      ...(omitText ? {} : { text }),
      mentions: omitType && mentions !== null ? mentions.map(({ type: _type, ...m }) => m) : mentions,
    };
  }

  private on(variation: Variation, turn: boolean): boolean {
    return variation === 'alternate' ? turn : variation;
  }
}
