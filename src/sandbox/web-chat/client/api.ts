/** The page's calls to its server (same origin, JSON). */

export interface Person {
  key: string;
  name: string;
  admin: boolean;
}

export interface Session {
  people: Person[];
  bot: { id: string; name: string };
}

export interface Chat {
  id: string;
  name: string;
  kind: 'direct' | 'team' | 'admin';
}

export interface PostRecord {
  id: string;
  type: string;
  text: string | null;
  creatorId: string;
  creatorName: string;
  creationTime: string;
  lastModifiedTime: string;
  mentions: { id: string; name: string }[] | null;
  card?: { id: string; body: Record<string, unknown>; deleted: boolean; version: number };
}

export interface PageDialog {
  title: string;
  size: string;
  card: Record<string, unknown> | null;
  iconUrl: string | null;
}

export interface SubmitAnswer {
  status: number;
  dialog: PageDialog | null;
  dialogError: string | null;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

const enc = encodeURIComponent;

export const api = {
  session: () => call<Session>('GET', '/api/session'),
  chats: (as: string) => call<{ chats: Chat[] }>('GET', `/api/people/${enc(as)}/chats`).then((r) => r.chats),
  posts: (as: string, chatId: string) => call<{ records: PostRecord[] }>('GET', `/api/chats/${enc(chatId)}/posts?as=${enc(as)}`).then((r) => r.records),
  say: (as: string, chatId: string, text: string) => call<{ id: string }>('POST', `/api/chats/${enc(chatId)}/posts`, { as, text }),
  submit: (as: string, chatId: string, cardId: string, data: Record<string, unknown>) =>
    call<SubmitAnswer>('POST', `/api/cards/${enc(cardId)}/submit`, { as, chatId, data }),
};
