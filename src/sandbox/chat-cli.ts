import { existsSync } from 'node:fs';
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

async function call<T>(meta: SandboxMeta, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${meta.emulatorUrl}/_emulator${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  }).catch(() => fail(`The sandbox is not running at ${meta.emulatorUrl}. Start it with: npm start`));
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok) fail(`The emulator refused: ${json.message ?? res.status}`);
  return json;
}

/** A card as lines a person can read: its texts, facts, inputs and buttons (with the data to send). */
export function describeCard(card: Record<string, unknown>, cardId: string, as = 'alice'): string[] {
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
        lines.push(`${pad}${String(n.text)}`);
        return;
      case 'RichTextBlock':
        lines.push(`${pad}${(n.inlines as { text?: string }[]).map((i) => i.text ?? '').join('')}`);
        return;
      case 'FactSet':
        for (const f of n.facts as { title: string; value: string }[]) lines.push(`${pad}${f.title}: ${f.value}`);
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

/** Finds a card the bot posted in one of the person's chats (direct, team or admin). */
async function findCard(meta: SandboxMeta, personId: string, cardId: string): Promise<{ chatId: string; card: { body: Record<string, unknown> } }> {
  const direct = (await call<{ id: string }>(meta, 'POST', '/direct', { personId, botId: meta.botId })).id;
  for (const chatId of [direct, meta.teamChatId, meta.adminChatId]) {
    const records = (await call<{ records: Record_[] }>(meta, 'GET', `/chats/${chatId}/posts`)).records;
    const found = records.find((r) => r.card?.id === cardId);
    if (found?.card) return { chatId, card: found.card };
  }
  return fail(`No card ${cardId} in your chats. See them with: npm run say -- --show`);
}

function print(records: Record_[], as: string) {
  for (const r of records) {
    if (r.card) {
      process.stdout.write(`\n${r.creatorName || r.creatorId} [card ${r.card.id}, version ${r.card.version}]\n${describeCard(r.card.body, r.card.id, as).join('\n')}\n`);
    } else {
      process.stdout.write(`\n${r.creatorName || r.creatorId}: ${r.text ?? ''}\n`);
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
  let chatId = inTeam ? meta.teamChatId : inAdmin ? meta.adminChatId : (await call<{ id: string }>(meta, 'POST', '/direct', { personId: person.id, botId: meta.botId })).id;
  const read = async () => (await call<{ records: Record_[] }>(meta, 'GET', `/chats/${chatId}/posts`)).records;

  if (show) return print(await read(), as);
  // A click is watched in the chat of the card it presses.
  const target = mode === 'click' && args[0] ? await findCard(meta, person.id, args[0]) : undefined;
  if (target) chatId = target.chatId;
  const before = await read();
  const seen = new Map(before.map((r) => [r.id, r.card?.version ?? 0]));
  if (mode === 'click') {
    const [cardId, button, json] = args;
    if (!cardId || !button) fail("Usage: npm run click -- <cardId> <button> ['<json of input values>']   (see the buttons with: npm run say -- --show)");
    let values: Record<string, unknown> = {};
    try {
      values = JSON.parse(json ?? '{}') as Record<string, unknown>;
    } catch {
      fail('The input values must be JSON, e.g. \'{"appType":"bot"}\'');
    }
    const { card } = target!;
    const [action, section] = button.split(':');
    const buttons = submitActions(card.body);
    const chosen =
      buttons.find((b) => b.data.action === action && (section === undefined || b.data.section === section)) ??
      buttons.find((b) => b.title.toLowerCase() === button.toLowerCase());
    if (!chosen) fail(`No "${button}" button on card ${cardId}. Its buttons: ${buttons.map((b) => `${String(b.data.action)}${b.data.section ? `:${String(b.data.section)}` : ''} (${b.title})`).join(', ')}`);
    const data = { ...cardInputs(card.body), ...chosen.data, ...values };
    const result = await call<{ status: number; body: unknown }>(meta, 'POST', `/cards/${cardId}/submit`, { personId: person.id, data });
    const dialog = result.body as { type?: string; dialog?: { title?: string; card?: Record<string, unknown> } } | null;
    if (dialog?.type === 'dialog') process.stdout.write(`\n(dialog for ${person.name}) ${dialog.dialog?.title ?? ''}\n${describeCard(dialog.dialog?.card ?? {}, cardId, as).join('\n')}\n`);
  } else {
    const text = args.join(' ').trim();
    if (!text) fail('Usage: npm run say -- <text>   (e.g. npm run say -- help)');
    await call(meta, 'POST', `/chats/${chatId}/posts`, { personId: person.id, text: inTeam || inAdmin ? `![:Person](${meta.botId}) ${text}` : text });
  }
  // Give the bot a moment, then show what is new or changed.
  const deadline = Date.now() + 2500;
  let changed: Record_[] = [];
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    changed = (await read()).filter((r) => r.creatorId === meta.botId && seen.get(r.id) !== (r.card?.version ?? 0));
    if (changed.length && Date.now() > deadline - 1500) break;
  }
  if (!changed.length) process.stdout.write('(no answer from the bot yet; try npm run say -- --show)\n');
  print(changed, as);
}

void main();
