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
  async run({ client }, { chatId }) {
    await client.postText(chatId, helpText(all()));
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

/** The answer to a message that is no command: what was typed is echoed, shortened and as text (a link stays a link's text). */
export function unknownCommandText(text: string): string {
  return `Sorry, I don't know "${plainText(text, { max: 60 })}". Type **help** to see what I can do.`;
}
