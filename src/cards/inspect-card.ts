/**
 * Reading an Adaptive Card the way a person (or a client) does: its buttons, its inputs and
 * their current values, and the text it shows. Used by the sandbox's command line and the tests.
 */
type Node = Record<string, unknown>;

function walk(node: unknown, visit: (n: Node) => boolean | void): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit));
  if (!node || typeof node !== 'object') return;
  if (visit(node as Node) === false) return; // the visitor took this node whole
  for (const v of Object.values(node)) walk(v, visit);
}

/** Every Action.Submit (body and actions), in order, with its title and data. */
export function submitActions(card: unknown): { title: string; data: Record<string, unknown> }[] {
  const out: { title: string; data: Record<string, unknown> }[] = [];
  walk(card, (n) => {
    if (n.type === 'Action.Submit') out.push({ title: String(n.title), data: (n.data ?? {}) as Record<string, unknown> });
  });
  return out;
}

/** Every input by id with its current value, as a client sends them with a click. */
export function cardInputs(card: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  walk(card, (n) => {
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string') out[n.id] = n.value ?? '';
  });
  return out;
}

/** The text a card shows: TextBlocks, rich text runs and facts, one per line. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  walk(card, (n) => {
    if ((n.type === 'TextBlock' || n.type === 'TextRun') && typeof n.text === 'string') out.push(n.text);
    if (n.type === 'FactSet' && Array.isArray(n.facts)) {
      for (const f of n.facts as { title: string; value: string }[]) out.push(`${f.title}: ${f.value}`);
      return false;
    }
  });
  return out.join('\n');
}
