import { existsSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { cardInputs, submitActions } from '../cards/inspect-card.js';
import { readSandboxMeta, type SandboxMeta } from './start-sandbox.js';

/**
 * `npm run say` and `npm run click`: talk to the bot in a running sandbox from the command line,
 * through the emulator's /_emulator control routes, and print what the bot answers.
 *
 *   npm run say -- [--as alice|bob|ada] [--team|--admin] <text>
 *   npm run say -- [--as ...] [--team|--admin] --show
 *   npm run click -- [--as ...] <cardId> <button> ['<json of input values>']
 *
 * <button> is the action a button sends (next, back, cancel, submit, edit:basics, approve, reject)
 * or its title; the button's own data and the card's current input values are sent with it, and
 * the JSON overrides input values, e.g. npm run click -- 3f2a.. next '{"appType":"bot"}'.
 */
interface Record_ {
  id: string;
  creatorId: string;
  creatorName: string;
  type: string;
  text: string | null;
  creationTime: string;
  card?: { id: string; body: Record<string, unknown>; version: number };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** One control-route call; a refusal comes back as `{ ok: false }` for the caller to explain. */
async function request<T>(meta: SandboxMeta, method: string, path: string, body?: unknown): Promise<{ ok: true; json: T } | { ok: false; status: number; code: string | undefined; message: string }> {
  const res = await fetch(`${meta.emulatorUrl}/_emulator${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  }).catch(() => fail(`The sandbox is not running at ${meta.emulatorUrl}. Start it with: npm start`));
  const json = (await res.json()) as T & { message?: string; errorCode?: string; code?: string };
  if (!res.ok) return { ok: false, status: res.status, code: json.errorCode ?? json.code, message: json.message ?? String(res.status) };
  return { ok: true, json };
}

async function call<T>(meta: SandboxMeta, method: string, path: string, body?: unknown): Promise<T> {
  const result = await request<T>(meta, method, path, body);
  if (!result.ok) fail(`The emulator refused: ${result.message}`);
  return result.json;
}

/** Names people and the bot by id, for mentions: `![:Person](id)` prints as `@Alice Archer`. */
export type NameOf = (id: string) => string | undefined;

/**
 * Chat markdown as a terminal shows it: mentions as @names, links as "text (address)", bold marks
 * and backslash escapes dropped (CommonMark 2.4), so `\*\*x\*\*` typed by someone prints as **x**.
 */
export function readable(markdown: string, nameOf: NameOf = () => undefined): string {
  return markdown
    .replace(/!\[:Person\]\(([^)\s]+)\)/g, (_, id: string) => `@${nameOf(id) ?? id}`)
    .replace(/!\[:Team\]\(([^)\s]+)\)/g, (_, id: string) => `#${nameOf(id) ?? id}`)
    .replace(/(^|[^\\])\[([^\]\\]*)\]\(([^)\s]+)\)/g, (_, before: string, text: string, url: string) => `${before}${text === url ? url : `${text} (${url})`}`)
    .replace(/(^|[^\\])\*\*(?=\S)(.+?)\*\*/g, '$1$2')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** A card as lines a person can read: its texts, facts, inputs and buttons (with the data to send). */
export function describeCard(card: Record<string, unknown>, cardId: string, as = 'alice', nameOf: NameOf = () => undefined): string[] {
  const lines: string[] = [];
  // Each button is named by its action (edit:basics for sections); where two share one, by title.
  const buttons = submitActions(card);
  const natural = (data: Record<string, unknown>) => `${String(data.action)}${data.section ? `:${String(data.section)}` : ''}`;
  const count = new Map<string, number>();
  for (const b of buttons) count.set(natural(b.data), (count.get(natural(b.data)) ?? 0) + 1);
  const who = as === 'alice' ? '' : `--as ${as} `;
  const walk = (node: unknown, depth: number) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth));
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const pad = '  '.repeat(depth);
    switch (n.type) {
      case 'TextBlock':
        lines.push(`${pad}${readable(String(n.text), nameOf)}`);
        return;
      case 'RichTextBlock':
        lines.push(`${pad}${readable((n.inlines as { text?: string }[]).map((i) => i.text ?? '').join(''), nameOf)}`);
        return;
      case 'FactSet':
        for (const f of n.facts as { title: string; value: string }[]) lines.push(`${pad}${readable(f.title, nameOf)}: ${readable(f.value, nameOf)}`);
        return;
      case 'Input.Text':
      case 'Input.Toggle':
      case 'Input.ChoiceSet': {
        const choices = Array.isArray(n.choices) ? ` [${(n.choices as { value: string }[]).map((c) => c.value).join(' | ')}]` : '';
        lines.push(`${pad}<${String(n.id)}> ${String(n.label ?? n.title ?? '')} = ${JSON.stringify(n.value ?? '')}${choices}`);
        return;
      }
      case 'Action.Submit': {
        const name = natural((n.data ?? {}) as Record<string, unknown>);
        const button = (count.get(name) ?? 0) > 1 ? `"${String(n.title)}"` : name;
        lines.push(`${pad}[${String(n.title)}] npm run click -- ${who}${cardId} ${button}`);
        return;
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'choices') walk(v, depth + (k === 'items' ? 0 : 0));
  };
  walk(card.body, 1);
  walk(card.actions, 1);
  return lines;
}

interface Found {
  chatId: string;
  card: { id: string; body: Record<string, unknown> };
  records: Record_[];
}

/** Finds a card the bot posted in one of the person's chats (direct, team or admin). */
async function findCard(meta: SandboxMeta, personId: string, cardId: string): Promise<Found | undefined> {
  const direct = (await call<{ id: string }>(meta, 'POST', '/direct', { personId, botId: meta.botId })).id;
  for (const chatId of [direct, meta.teamChatId, meta.adminChatId]) {
    const records = (await call<{ records: Record_[] }>(meta, 'GET', `/chats/${chatId}/posts`)).records;
    const found = records.find((r) => r.card?.id === cardId);
    if (found?.card) return { chatId, card: found.card, records };
  }
  return undefined;
}

/** The sandbox people (by their --as key) who are members of the chat holding `cardId`, when anyone's chat holds it. */
async function whoCanSee(meta: SandboxMeta, cardId: string, chatId?: string): Promise<string[]> {
  const chats = (await call<{ chats: { id: string; members: string[] }[] }>(meta, 'GET', '/state')).chats;
  for (const chat of chatId ? chats.filter((c) => c.id === chatId) : chats) {
    if (!chatId) {
      const records = (await call<{ records: Record_[] }>(meta, 'GET', `/chats/${chat.id}/posts`)).records;
      if (!records.some((r) => r.card?.id === cardId)) continue;
    }
    return Object.entries(meta.people).filter(([, p]) => chat.members.includes(p.id)).map(([key]) => key);
  }
  return [];
}

/** How to act as someone else: the same command line with `--as`. */
/**
 * What to do about a click on a replaced card: the same button on the card that replaced it (with
 * the values given, quoted for the shell), or that card's buttons when it has no such one.
 */
function replacedHint(cardId: string, newer: { id: string; body: Record<string, unknown> }, who: string, typed: { action: string; section: string | undefined; button: string; json: string | undefined }): string {
  const buttons = submitActions(newer.body);
  const same = buttons.find((b) => b.data.action === typed.action && (typed.section === undefined || b.data.section === typed.section)) ?? buttons.find((b) => b.title.toLowerCase() === typed.button.toLowerCase());
  const head = `Card ${cardId} was replaced by card ${newer.id}`;
  if (same) return `${head}; press its buttons instead, e.g. npm run click -- ${who}${newer.id} ${typed.button}${typed.json ? ` '${typed.json.replace(/'/g, `'\\''`)}'` : ''}`;
  const list = buttons.map((b) => `${String(b.data.action)}${b.data.section ? `:${String(b.data.section)}` : ''} (${b.title})`).join(', ');
  return `${head}, which has ${list ? `these buttons: ${list}` : 'no buttons'}.`;
}

function asHint(who: string[], mode: string, args: string[]): string {
  if (who.length === 0) return '';
  const rest = args.map((a) => (/^[\w:.-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
  return `\nOnly ${who.join(' or ')} can press it: npm run ${mode} -- --as ${who[0]} ${rest}`;
}

/**
 * The card that took over from `cardId` in its chat: a later card of the same form (same flowId on
 * its buttons), else the newest later card with buttons; undefined when the card is the latest.
 */
export function replacementOf(records: Record_[], cardId: string, botId: string): Record_ | undefined {
  const at = records.findIndex((r) => r.card?.id === cardId);
  if (at === -1) return undefined;
  const flowIdOf = (r: Record_) => (r.card ? submitActions(r.card.body).map((b) => b.data.flowId).find((id) => typeof id === 'string') : undefined);
  const own = flowIdOf(records[at]!);
  const later = records.slice(at + 1).filter((r) => r.creatorId === botId && r.card && submitActions(r.card.body).length > 0);
  const same = own === undefined ? [] : later.filter((r) => flowIdOf(r) === own);
  return (same.length > 0 ? same : later).at(-1);
}

function print(records: Record_[], as: string, nameOf: NameOf) {
  for (const r of records) {
    const who = r.creatorName || nameOf(r.creatorId) || r.creatorId;
    if (r.card) {
      process.stdout.write(`\n${who} [card ${r.card.id}, version ${r.card.version}]\n${describeCard(r.card.body, r.card.id, as, nameOf).join('\n')}\n`);
    } else {
      process.stdout.write(`\n${who}: ${readable(r.text ?? '', nameOf)}\n`);
    }
  }
}

async function main() {
  const args = process.argv.slice(2);
  const dataDir = process.env.DATA_DIR || './data';
  if (!existsSync(dataDir)) fail('No sandbox data found. Start the sandbox first: npm start');
  let found: SandboxMeta | undefined;
  try {
    found = readSandboxMeta(dataDir);
  } catch (err) {
    fail((err as Error).message);
  }
  const meta = found ?? fail('No sandbox found in DATA_DIR. Start it first: npm start');
  if (!meta.botId) fail('The bot is not installed in the sandbox yet; wait for npm start to finish.');
  const take = (flag: string) => {
    const i = args.indexOf(flag);
    if (i === -1) return undefined;
    const [value] = args.splice(i, 2).slice(1);
    return value ?? fail(`${flag} needs a value`);
  };
  const has = (flag: string) => {
    const i = args.indexOf(flag);
    if (i !== -1) args.splice(i, 1);
    return i !== -1;
  };
  const mode = process.env.REGISTRAR_CLI === 'click' ? 'click' : 'say';
  const as = take('--as') ?? 'alice';
  const person = meta.people[as] ?? fail(`Unknown person "${as}". Choose one of: ${Object.keys(meta.people).join(', ')}`);
  const inTeam = has('--team');
  const inAdmin = has('--admin');
  const show = has('--show');
  const nameOf: NameOf = (id) => (id === meta.botId ? 'Registrar' : Object.values(meta.people).find((p) => p.id === id)?.name ?? (id === meta.teamChatId ? 'Sandbox team' : id === meta.adminChatId ? 'Registrar admins' : undefined));
  const direct = (await call<{ id: string }>(meta, 'POST', '/direct', { personId: person.id, botId: meta.botId })).id;
  let chatId = inTeam ? meta.teamChatId : inAdmin ? meta.adminChatId : direct;
  const read = async (chat: string) => (await call<{ records: Record_[] }>(meta, 'GET', `/chats/${chat}/posts`)).records;

  if (show) return print(await read(chatId), as, nameOf);
  const clickArgs = [...args];
  // A click is watched in the chat of the card it presses.
  let target: Found | undefined;
  if (mode === 'click' && args[0]) {
    target = await findCard(meta, person.id, args[0]);
    if (!target) fail(`No card ${args[0]} in your chats.${asHint(await whoCanSee(meta, args[0]), 'click', clickArgs)}\nSee your chats' cards with: npm run say -- --show`);
    chatId = target.chatId;
  }
  // What the bot says here, and in the person's direct chat: a command typed in a team carries on there.
  const watched = chatId === direct ? [chatId] : [chatId, direct];
  const seen = new Map<string, number>();
  for (const chat of watched) for (const r of await read(chat)) seen.set(r.id, r.card?.version ?? 0);
  let answered = false;
  if (mode === 'click') {
    const [cardId, button, json] = args;
    if (!cardId || !button) fail("Usage: npm run click -- <cardId> <button> ['<json of input values>']   (see the buttons with: npm run say -- --show)");
    let values: Record<string, unknown> = {};
    try {
      values = JSON.parse(json ?? '{}') as Record<string, unknown>;
    } catch {
      fail('The input values must be JSON, e.g. \'{"appType":"bot"}\'');
    }
    const { card, records } = target!;
    const newer = replacementOf(records, cardId, meta.botId!);
    const who = as === 'alice' ? '' : `--as ${as} `;
    const [action, section] = button.split(':');
    const replaced = newer ? replacedHint(cardId, newer.card!, who, { action: action!, section, button, json }) : '';
    const buttons = submitActions(card.body);
    const chosen =
      buttons.find((b) => b.data.action === action && (section === undefined || b.data.section === section)) ??
      buttons.find((b) => b.title.toLowerCase() === button.toLowerCase());
    if (!chosen) fail(replaced || `No "${button}" button on card ${cardId}. Its buttons: ${buttons.map((b) => `${String(b.data.action)}${b.data.section ? `:${String(b.data.section)}` : ''} (${b.title})`).join(', ') || 'none'}`);
    const data = { ...cardInputs(card.body), ...chosen.data, ...values };
    const result = await request<{ status: number; body: unknown }>(meta, 'POST', `/cards/${cardId}/submit`, { personId: person.id, data });
    if (!result.ok) {
      // RingCentral lets only a chat's members press its cards: say who can.
      const hint = result.code === 'EMU_NOT_MEMBER' || result.status === 403 ? asHint((await whoCanSee(meta, cardId, chatId)).filter((k) => k !== as), 'click', clickArgs) : '';
      fail(`The emulator refused: ${result.message}${hint}`);
    }
    const dialog = result.json.body as { type?: string; dialog?: { title?: string; card?: Record<string, unknown> } } | null;
    if (dialog?.type === 'dialog') {
      answered = true;
      process.stdout.write(`\n(dialog for ${person.name}) ${dialog.dialog?.title ?? ''}\n${describeCard(dialog.dialog?.card ?? {}, cardId, as, nameOf).join('\n')}\n`);
      if (replaced) process.stdout.write(`${replaced}\n`);
    }
  } else {
    const text = args.join(' ').trim();
    if (!text) fail('Usage: npm run say -- <text>   (e.g. npm run say -- help)');
    await call(meta, 'POST', `/chats/${chatId}/posts`, { personId: person.id, text: inTeam || inAdmin ? `![:Person](${meta.botId}) ${text}` : text });
  }
  // Give the bot a moment, then show what is new or changed: once something came, wait until the
  // bot has been quiet for a second (an answer may come in parts: a reply here, a card in the direct
  // chat), at most 6 s in all.
  const started = Date.now();
  const changed = new Map<string, Record_[]>();
  let lastSignature = '';
  let quietSince = started;
  while (Date.now() - started < 6000) {
    await new Promise((r) => setTimeout(r, 250));
    for (const chat of watched) changed.set(chat, (await read(chat)).filter((r) => r.creatorId === meta.botId && seen.get(r.id) !== (r.card?.version ?? 0)));
    const signature = [...changed.values()].flat().map((r) => `${r.id}@${r.card?.version ?? 0}`).join(',');
    if (signature !== lastSignature) {
      lastSignature = signature;
      quietSince = Date.now();
    }
    if (signature && Date.now() - quietSince >= 1000) break;
    if (!signature && answered && Date.now() - started >= 2500) break; // a dialog was the whole answer
  }
  const any = [...changed.values()].some((c) => c.length > 0);
  // A dialog is an answer: only say nothing came when nothing did.
  if (!any && !answered) process.stdout.write('(no answer from the bot yet; try npm run say -- --show)\n');
  for (const chat of watched) {
    const posts = changed.get(chat) ?? [];
    if (posts.length === 0) continue;
    if (watched.length > 1) process.stdout.write(`\n--- ${chat === direct ? `in your direct chat with the bot (see it with: npm run say -- ${as === 'alice' ? '' : `--as ${as} `}--show)` : `in ${nameOf(chat) ?? 'the chat'}`} ---\n`);
    print(posts, as, nameOf);
  }
}

// Run as a script (npm run say / click); imported (tests), it only lends its printing helpers.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) void main();
