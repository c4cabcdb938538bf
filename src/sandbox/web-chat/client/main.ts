/**
 * The sandbox's chat page: who you are, your chats, the chosen chat's posts and a message box.
 * Everything a person does goes to the page's server, which acts through the emulator exactly as
 * RingCentral would; changes come back over server-sent events.
 */
import { api, type Chat, type Session } from './api.js';
import { openDialog, setUpDialog } from './dialog.js';
import { createPostsView } from './posts-view.js';

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const identity = el<HTMLSelectElement>('identity');
const chatList = el<HTMLUListElement>('chat-list');
const title = el('chat-title');
const composer = el<HTMLFormElement>('composer');
const input = el<HTMLTextAreaElement>('composer-text');
const errorBox = el('error');
const liveStatus = el('live-status');
const sendButton = el<HTMLButtonElement>('send');
const postsList = el('posts');

let session: Session;
let me = '';
let chats: Chat[] = [];
let current: Chat | undefined;

function showError(message: string | null): void {
  errorBox.hidden = message === null;
  errorBox.textContent = message ?? '';
}

let view: ReturnType<typeof createPostsView>;

let refreshing: Promise<void> | undefined;
let again = false;
/** Refetches the chosen chat; calls made while one runs are folded into one more. */
function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const chat = current;
      if (!chat) return;
      const records = await api.posts(me, chat.id);
      if (chat !== current) continue; // the person or chat changed meanwhile: `again` is set
      view.update(records);
      postsList.removeAttribute('aria-busy');
    } while (again);
  })()
    .catch((err: unknown) => showError(`Could not load the chat: ${(err as Error).message}`))
    .finally(() => (refreshing = undefined));
  return refreshing;
}

async function submit(cardId: string, data: Record<string, unknown>, holder: HTMLElement): Promise<void> {
  if (!current || holder.getAttribute('aria-busy') === 'true') return; // one click, one submit
  // Marked, not disabled: a disabled button drops the keyboard's focus to <body>, and with it the
  // person's place in the form (and the button a dialog gives focus back to).
  const buttons = [...holder.querySelectorAll('button')];
  buttons.forEach((b) => b.setAttribute('aria-disabled', 'true'));
  holder.setAttribute('aria-busy', 'true');
  try {
    const answer = await api.submit(me, current.id, cardId, data);
    showError(answer.status >= 400 ? `The bot answered the click with HTTP ${answer.status}.` : answer.dialogError);
    if (answer.dialog) openDialog(answer.dialog);
  } catch (err) {
    showError(`The click did not reach the bot: ${(err as Error).message}`);
  } finally {
    buttons.forEach((b) => b.removeAttribute('aria-disabled'));
    holder.removeAttribute('aria-busy');
    await refresh();
  }
}

function renderChatList(): void {
  chatList.dataset.person = me; // whose chats these are (a test waits for it after a switch)
  chatList.replaceChildren(
    ...chats.map((chat) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `chat chat-${chat.kind}`;
      button.textContent = chat.kind === 'direct' ? 'Registrar (direct)' : chat.name;
      if (chat === current) button.setAttribute('aria-current', 'true');
      button.addEventListener('click', () => void selectChat(chat));
      item.append(button);
      return item;
    }),
  );
}

async function selectChat(chat: Chat): Promise<void> {
  current = chat;
  renderChatList();
  title.textContent = chat.kind === 'direct' ? 'Registrar' : chat.name;
  input.placeholder = chat.kind === 'direct' ? 'Message Registrar' : `Message ${chat.name} (@Registrar mentions the bot)`;
  view.clear();
  postsList.setAttribute('aria-busy', 'true'); // until this chat's posts are in
  showError(null);
  await refresh();
}

async function selectPerson(key: string): Promise<void> {
  const kind = current?.kind ?? 'direct';
  // No chat is shown until the new person's list is in: a refresh meanwhile would ask for the old
  // chat as the new person, who may not be in it.
  current = undefined;
  me = key;
  chats = await api.chats(key);
  await selectChat(chats.find((c) => c.kind === kind) ?? chats[0]!);
}

function connectLive(): void {
  const events = new EventSource('/api/events');
  events.addEventListener('ready', () => {
    liveStatus.textContent = 'Live';
    void refresh(); // anything missed while disconnected
  });
  events.addEventListener('change', (event) => {
    const { chatIds } = JSON.parse((event as MessageEvent<string>).data) as { chatIds: string[] };
    if (current && chatIds.includes(current.id)) void refresh();
  });
  events.addEventListener('error', () => {
    liveStatus.textContent = 'Reconnecting…';
    // The browser retries a dropped stream by itself, but gives up on an answer that is not a
    // stream (a 503 when too many pages are open): then we try again ourselves.
    if (events.readyState === EventSource.CLOSED) setTimeout(connectLive, 5000);
  });
}

async function start(): Promise<void> {
  session = await api.session();
  view = createPostsView(el('posts'), {
    botId: session.bot.id,
    onSubmit: (cardId, data, holder) => void submit(cardId, data, holder),
    onError: (message) => showError(`A card could not be shown: ${message}`),
  });
  identity.replaceChildren(
    ...session.people.map((p) => {
      const option = document.createElement('option');
      option.value = p.key;
      option.textContent = `${p.name}${p.admin ? ' (admin)' : ''}`;
      return option;
    }),
  );
  identity.addEventListener('change', () => void selectPerson(identity.value).catch((err: unknown) => showError((err as Error).message)));
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  // Enter sends, Shift+Enter starts a new line, as in RingCentral's message box.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  });
  setUpDialog();
  await selectPerson(identity.value);
  // Live only once a chat is shown: before that, a change has nothing to redraw.
  connectLive();
  input.disabled = false;
  sendButton.disabled = false;
}

async function send(): Promise<void> {
  const text = input.value.trim();
  if (!text || !current) return;
  try {
    await api.say(me, current.id, text);
    input.value = '';
    showError(null);
  } catch (err) {
    showError(`Not sent: ${(err as Error).message}`);
  }
  await refresh();
}

start().catch((err: unknown) => showError(`The sandbox page could not start: ${(err as Error).message}`));
