import { describe, expect, it } from 'vitest';
import { parseNotification, stripMentions } from '../../src/platform/events.js';

const envelope = (body: unknown, extra: Record<string, unknown> = {}) => ({ uuid: 'u1', event: '/team-messaging/v1/posts', subscriptionId: 's1', ownerId: '2014173020', body, ...extra });

describe('parseNotification', () => {
  it('reads a PostAdded with mentions null as a post with no mentions', () => {
    const e = parseNotification(envelope({ id: 'p', groupId: 'g', creatorId: 850957020, text: 'help', mentions: null, eventType: 'PostAdded' }));
    expect(e).toMatchObject({ kind: 'post', chatId: 'g', creatorId: '850957020', mentions: [], ownerId: '2014173020' });
  });

  it('reads mentions without a type, and a PostAdded without text, instead of dropping the post', () => {
    const e = parseNotification(envelope({ id: 'p', groupId: 'g', creatorId: '1', type: 'TextMessage', mentions: [{ id: '2014173020', name: 'Registrar' }], eventType: 'PostAdded' }));
    expect(e).toMatchObject({ kind: 'post', postType: 'TextMessage', text: null, mentions: [{ id: '2014173020', name: 'Registrar' }] });
    expect(e.kind === 'post' && e.mentions[0]?.type).toBeUndefined();
  });

  it('routes on body.eventType even when event names another filter', () => {
    const e = parseNotification(envelope({ id: 'g1', type: 'Team', members: ['1', { id: '2' }], eventType: 'GroupJoined' }, { event: '/restapi/v1.0/glip/posts' }));
    expect(e).toMatchObject({ kind: 'joined', chatId: 'g1', members: ['1', '2'] });
  });

  it('reads the older body.data shape', () => {
    const e = parseNotification(envelope({ data: { id: 'p', groupId: 'g', creatorId: '1', text: 'hi', eventType: 'PostAdded' } }));
    expect(e.kind).toBe('post');
  });

  it('reads an extension Delete as an uninstall', () => {
    const e = parseNotification(envelope({ extensionId: 2014173020, eventType: 'Delete' }, { event: '/restapi/v1.0/account/1/extension/2014173020' }));
    expect(e).toMatchObject({ kind: 'uninstalled', extensionId: '2014173020' });
  });

  it('rejects a body that is not an envelope', () => {
    expect(() => parseNotification('nope')).toThrow();
    expect(() => parseNotification(envelope({ eventType: 'PostAdded' }))).toThrow(/groupId/);
  });
});

describe('stripMentions', () => {
  it('removes every mention and keeps the words', () => {
    expect(stripMentions('![:Person](42)  create   app')).toBe('create app');
    expect(stripMentions('![:Person](7) ![:Person](42) help')).toBe('help');
    expect(stripMentions('![:Team](9)help![:Person](42)')).toBe('help');
    expect(stripMentions('audit Expense Sync')).toBe('audit Expense Sync');
  });
});
