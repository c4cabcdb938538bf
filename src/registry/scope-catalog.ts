import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../lib/errors.js';

/** One RingCentral app permission ("scope") as the operator describes it in scopes.json. */
export interface ScopeDefinition {
  name: string;
  description: string;
  requiresApproval: boolean;
  /** Why approval is needed: only granted on request, or sensitive data or actions. */
  reason?: 'on-request' | 'sensitive' | undefined;
  /** Scopes this one already grants, so choosing both is redundant. */
  includes: string[];
}

/** A chosen scope that another chosen scope already grants. */
export interface ScopeOverlap {
  scope: string;
  includedIn: string;
}

/** The permissions catalog, read once and queried by the form, the cards and approvals. */
export interface ScopeCatalog {
  all(): readonly ScopeDefinition[];
  get(name: string): ScopeDefinition | undefined;
  /** The given names that need approval, in the order given. Unknown names are ignored. */
  requiresApproval(names: readonly string[]): string[];
  /** Chosen scopes already granted, directly or through a chain, by another chosen scope. */
  overlaps(names: readonly string[]): ScopeOverlap[];
  /** Known names split into those granted at once and those that wait for approval. */
  split(names: readonly string[]): { granted: string[]; needsApproval: string[] };
}

/** The catalog bundled with Registrar. */
export const DEFAULT_SCOPES_FILE = fileURLToPath(new URL('./scopes.json', import.meta.url));

const EntrySchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'name must be letters and digits, starting with a letter'),
  description: z.string().trim().min(1, 'description is empty').max(80, 'description is longer than 80 characters'),
  requiresApproval: z.boolean('requiresApproval must be true or false'),
  reason: z.enum(['on-request', 'sensitive'], 'reason must be "on-request" or "sensitive"').optional(),
  includes: z.array(z.string(), 'includes must be a list of scope names').optional(),
});

const CatalogSchema = z.array(EntrySchema, 'the file must contain a JSON array of scopes').min(1, 'the catalog is empty');

/**
 * Reads and checks a scope catalog file (default: the bundled scopes.json; the composition root
 * passes SCOPES_FILE when an operator sets one). Throws AppError `SCOPE_CATALOG_INVALID` naming the
 * file and the first problem, so a bad edit stops start-up instead of surfacing in a form.
 *
 * @example
 *   const catalog = loadScopeCatalog(config.scopesFile);
 *   catalog.split(['SMS', 'A2PSMS']) // { granted: ['SMS'], needsApproval: ['A2PSMS'] }
 */
export function loadScopeCatalog(path: string = DEFAULT_SCOPES_FILE): ScopeCatalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw invalid(path, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw invalid(path, `is not valid JSON: ${(cause as Error).message}`, cause);
  }
  return createScopeCatalog(json, path);
}

/** Builds a catalog from already-parsed data; `source` names it in error messages. */
export function createScopeCatalog(data: unknown, source = 'scope catalog'): ScopeCatalog {
  const parsed = CatalogSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const index = typeof issue?.path[0] === 'number' ? issue.path[0] : undefined;
    const entry = index === undefined ? undefined : (data as Array<{ name?: unknown }>)[index];
    const where = index === undefined ? '' : `entry ${index + 1}${typeof entry?.name === 'string' ? ` (${entry.name})` : ''}: `;
    throw invalid(source, `${where}${issue?.message ?? 'is not a valid scope catalog'}`);
  }
  const scopes: ScopeDefinition[] = parsed.data.map((e) => ({ ...e, includes: e.includes ?? [] }));
  const byName = new Map<string, ScopeDefinition>();
  for (const scope of scopes) {
    if (byName.has(scope.name)) throw invalid(source, `scope ${scope.name} is listed twice`);
    byName.set(scope.name, scope);
  }
  for (const scope of scopes) {
    if (scope.reason && !scope.requiresApproval) throw invalid(source, `scope ${scope.name} has a reason but does not require approval`);
    for (const included of scope.includes) {
      if (!byName.has(included)) throw invalid(source, `scope ${scope.name} includes unknown scope ${included}`);
      if (included === scope.name) throw invalid(source, `scope ${scope.name} includes itself`);
    }
  }
  const closure = new Map(scopes.map((s) => [s.name, reachable(s.name, byName, source)]));
  return catalogOver(scopes, byName, closure);
}

function catalogOver(
  scopes: readonly ScopeDefinition[],
  byName: ReadonlyMap<string, ScopeDefinition>,
  closure: ReadonlyMap<string, ReadonlySet<string>>,
): ScopeCatalog {
  const known = (names: readonly string[]) => [...new Set(names)].filter((n) => byName.has(n));
  return {
    all: () => scopes,
    get: (name) => byName.get(name),
    requiresApproval: (names) => known(names).filter((n) => byName.get(n)?.requiresApproval),
    overlaps(names) {
      const chosen = known(names);
      const includers = (name: string) => chosen.filter((other) => other !== name && closure.get(other)?.has(name));
      return chosen.flatMap((scope) => {
        const by = includers(scope);
        // Name the widest chosen scope (one nothing else chosen includes) so the hint points at what to keep.
        const top = by.find((other) => includers(other).length === 0) ?? by[0];
        return top === undefined ? [] : [{ scope, includedIn: top }];
      });
    },
    split(names) {
      const chosen = known(names);
      return {
        granted: chosen.filter((n) => !byName.get(n)?.requiresApproval),
        needsApproval: chosen.filter((n) => byName.get(n)?.requiresApproval),
      };
    },
  };
}

/** Every scope `name` grants through `includes`, refusing cycles (they would make overlaps meaningless). */
function reachable(name: string, byName: ReadonlyMap<string, ScopeDefinition>, source: string): Set<string> {
  const seen = new Set<string>();
  const visit = (current: string, trail: string[]) => {
    for (const next of byName.get(current)?.includes ?? []) {
      if (next === name) throw invalid(source, `scopes include each other in a loop: ${[...trail, next].join(' → ')}`);
      if (seen.has(next)) continue;
      seen.add(next);
      visit(next, [...trail, next]);
    }
  };
  visit(name, [name]);
  return seen;
}

function invalid(source: string, problem: string, cause?: unknown): AppError {
  return new AppError('SCOPE_CATALOG_INVALID', `Scope catalog ${source}: ${problem}`, { cause });
}
