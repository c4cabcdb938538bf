import { plainText } from '../cards/plain-text.js';
import type { IncomingMessage, TurnContext } from './context.js';

/**
 * The command table. Each entry names its words, says what it does (the help text is built from
 * these lines) and runs. Matching is on the whole message, case-insensitive, spacing forgiven.
 */
export interface Command {
  words: string[];
  /** When true, the words may be followed by an argument (`audit Expense Sync`). */
  takesArgument?: boolean;
  /** Shown in help as the usage, e.g. "audit <app>"; defaults to the first word. */
  usage?: string;
  summary: string;
  /** Works in the admins' channel only: never suggested anywhere else. */
  adminChat?: boolean;
  run(ctx: TurnContext, message: IncomingMessage): Promise<void>;
}

export function normalise(text: string): string {
  return text.toLowerCase().replace(/[\s\u00a0]+/g, ' ').replace(/[.!?]+$/, '').trim();
}

export function helpText(commands: Command[]): string {
  const lines = commands.map((c) => `• **${c.usage ?? c.words[0]}**: ${c.summary}`);
  return ['I am Registrar: I register RingCentral apps and hand out their credentials, right here in chat.', '', ...lines].join('\n');
}

export const helpCommand = (all: () => Command[]): Command => ({
  words: ['help', '?', 'commands'],
  summary: 'show this list.',
  async run({ client }, { chatId, direct }) {
    const text = helpText(all());
    // Outside a direct chat the bot hears only what mentions it: say so, or the list reads as if typing were enough.
    await client.postText(chatId, direct ? text : `${text}\n\nHere, mention me before each command, for example **@Registrar create app**; in a direct message with me, just type it.`);
  },
});

/** Finds the command for a message; `undefined` means we did not understand it. */
export function findCommand(commands: Command[], text: string): Command | undefined {
  const said = normalise(text);
  return commands.find((c) => c.words.some((w) => said === w || (c.takesArgument === true && said.startsWith(`${w} `))));
}

/** The text after a command's words, as typed (case kept): `audit Expense Sync` gives "Expense Sync". */
export function argumentOf(command: Command, text: string): string {
  const said = text.replace(/[\s\u00a0]+/g, ' ').trim();
  const word = command.words.find((w) => said.toLowerCase() === w || said.toLowerCase().startsWith(`${w} `));
  return word ? said.slice(word.length).trim() : '';
}

/** Where a message was typed: a team or group needs the bot mentioned, the admins' channel has its own commands. */
export interface Place {
  direct: boolean;
  adminChat?: boolean;
}

/** How to say a command here: typed in a direct chat, with a mention of the bot anywhere else. */
export function sayHint(words: string, { direct }: Place): string {
  return direct ? `type **${words}**` : `mention me with **${words}**`;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "hi", "Hello there!", "good morning, Registrar": a greeting, not a command. */
const GREETING = /^(hi|hii|hello|hallo|hey|hey there|hi there|hello there|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day)|morning)( registrar)?$/;

export function isGreeting(text: string): boolean {
  return GREETING.test(normalise(text).replace(/[,!.?]+/g, '').replace(/ +/g, ' ').trim());
}

/** A short welcome: what the bot is for, and the first thing to say here. */
export function welcomeText(place: Place): string {
  if (place.adminChat) {
    return `Hello! I am Registrar. Approval requests for scopes come to this channel as cards. ${capitalised(sayHint('pending', place))} to list those waiting, **audit <app>** for an app's approval history, or **help** for everything I can do.`;
  }
  return `Hello! I am Registrar: I register RingCentral apps and hand out their credentials. ${capitalised(sayHint('create app', place))} to start, or **help** to see everything I can do.`;
}

/**
 * Edit distance (insertions, deletions, substitutions, swaps of neighbours), stopping early past
 * `max`. Without `substitutions`, a changed letter costs two: "stop" is not a slip of "step".
 */
function distance(a: string, b: string, max: number, substitutions = true): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : substitutions ? 1 : 2));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The command a slip of the keyboard most likely meant ("creat app", "resum", "hlep"), as its
 * words; undefined when nothing is close. A command with an argument is matched on its words only.
 */
export function nearestCommand(commands: Command[], text: string, place: Place = { direct: true }): string | undefined {
  const said = normalise(text);
  // Three letters or fewer are ordinary words ("top", "can", "pen") more often than slips.
  if (said.length < 4) return undefined;
  let best: { words: string; d: number } | undefined;
  for (const command of commands) {
    if (command.adminChat && !place.adminChat) continue;
    for (const w of command.words) {
      if (w.length < 3) continue; // "?" and the like: anything is near them
      // Its first words: "cancel my registration" is near "cancel", "audit Expense Sync" near "audit".
      const head = said.split(' ').slice(0, w.split(' ').length).join(' ');
      if (head.length < 4) continue;
      // One slip in a short command, two in a long one. A letter typed in place of another counts
      // only in long words: short ones are too often other words ("step", "cancer", "audio").
      const max = w.length >= 10 ? 2 : 1;
      // A word cut short by a letter or two ("resum", "pend") is a slip too.
      const d = w.startsWith(head) && w.length - head.length <= 3 ? 1 : distance(head, w, max, w.length >= 7);
      if (d <= max && (!best || d < best.d)) best = { words: command.usage && command.takesArgument ? (command.usage.split(' [')[0] ?? w) : w, d };
    }
  }
  return best?.words;
}

/**
 * The answer to a message that is no command: a welcome for a greeting, a "did you mean" for a
 * near miss, else a pointer to help. What was typed is echoed shortened and as text (a link stays a link's text).
 */
export function unknownCommandText(text: string, place: Place = { direct: true }, commands: Command[] = []): string {
  if (isGreeting(text)) return welcomeText(place);
  const near = nearestCommand(commands, text, place);
  if (near) return `Sorry, I don't know "${plainText(text, { max: 60 })}". Did you mean **${near}**? ${capitalised(sayHint('help', place))} to see what I can do.`;
  return `Sorry, I don't know "${plainText(text, { max: 60 })}". ${capitalised(sayHint('help', place))} to see what I can do.`;
}
