import { describe, expect, it } from 'vitest';
import { parseRateGroup, rateGroupFor } from '../../../src/platform/rate-groups.js';
import { groupOfRequest } from '../../../src/platform/rc-client.js';

describe('rate-limit groups', () => {
  it.each([
    ['POST', '/restapi/oauth/token', 'Auth'],
    ['POST', '/restapi/oauth/wstoken', 'Auth'],
    ['GET', '/restapi/v1.0/account/~/extension/~', 'Light'],
    ['GET', '/team-messaging/v1/persons/42', 'Light'],
    ['GET', '/team-messaging/v1/chats/7', 'Light'],
    ['GET', '/team-messaging/v1/chats/7/posts/9', 'Light'],
    ['GET', '/restapi/v1.0/subscription/s1', 'Light'],
    ['POST', '/restapi/v1.0/subscription/s1/renew', 'Light'],
    ['GET', '/team-messaging/v1/chats/7/posts', 'Medium'],
    ['GET', '/restapi/v1.0/glip/groups/7/posts', 'Medium'],
    ['GET', '/team-messaging/v1/chats', 'Medium'],
    ['GET', '/team-messaging/v1/conversations', 'Medium'],
    ['GET', '/team-messaging/v1/adaptive-cards/c1', 'Medium'],
    ['GET', '/restapi/v1.0/glip/adaptive-cards/c1', 'Medium'],
    ['POST', '/team-messaging/v1/chats/7/posts', 'Medium'],
    ['POST', '/team-messaging/v1/chats/7/adaptive-cards', 'Medium'],
    ['PUT', '/team-messaging/v1/adaptive-cards/c1', 'Medium'],
    ['POST', '/team-messaging/v1/conversations', 'Medium'],
    ['POST', '/restapi/v1.0/subscription', 'Medium'],
    ['PUT', '/restapi/v1.0/subscription/s1', 'Medium'],
    ['DELETE', '/restapi/v1.0/subscription/s1', 'Medium'],
  ])('puts %s %s in %s', (method, path, group) => {
    expect(rateGroupFor(method, path)).toBe(group);
  });

  it('reads the group of an SDK request from its URL, relative or absolute, without the query', () => {
    expect(groupOfRequest({ method: 'GET', url: 'http://127.0.0.1:9/team-messaging/v1/chats/7/posts?recordCount=5' })).toBe('Medium');
    expect(groupOfRequest({ method: 'POST', url: '/restapi/oauth/wstoken' })).toBe('Auth');
    expect(groupOfRequest({ url: '/team-messaging/v1/persons/1' })).toBe('Light');
  });

  it('parses the lower-case X-Rate-Limit-Group values RingCentral sends, and nothing else', () => {
    expect(parseRateGroup('light')).toBe('Light');
    expect(parseRateGroup(' MEDIUM ')).toBe('Medium');
    expect(parseRateGroup('constructor')).toBeUndefined();
    expect(parseRateGroup(null)).toBeUndefined();
  });
});
