import { keysOf, schemaOf, type CollectionSchema } from './schema.js';
import { decodeDoc, type Data } from './store.js';

/**
 * Documents and their indexes in memory: the engine under the memory and lowdb adapters. Documents
 * are kept as JSON text in Maps (own keys only); equality indexes as key → ids; ordered indexes as
 * arrays sorted by (number, id), so `due` reads the lowest entries without looking at the rest.
 *
 * The engine only ever holds committed state: adapters apply a change after it was persisted.
 *
 * @example
 *   const engine = new MemoryEngine();
 *   engine.apply([{ name: 'reveals', id: 'c1:a1', text: JSON.stringify(reveal) }]);
 *   engine.due('reveals', 'hideAt', Date.now(), 10);
 */
export interface Change {
  name: string;
  id: string;
  /** The document's new JSON text, or undefined for a delete. */
  text: string | undefined;
}

interface Entry {
  n: number;
  id: string;
}

class Ordered {
  private readonly entries: Entry[] = [];
  private static compare(a: Entry, b: Entry): number {
    return a.n - b.n || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }
  private search(e: Entry): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Ordered.compare(this.entries[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  add(e: Entry): void {
    this.entries.splice(this.search(e), 0, e);
  }
  remove(e: Entry): void {
    const at = this.search(e);
    if (at < this.entries.length && Ordered.compare(this.entries[at]!, e) === 0) this.entries.splice(at, 1);
  }
  upTo(n: number, limit: number): string[] {
    const out: string[] = [];
    for (const e of this.entries) {
      if (e.n > n || out.length >= limit) break;
      out.push(e.id);
    }
    return out;
  }
}

interface Table {
  docs: Map<string, string>;
  schema: CollectionSchema<unknown>;
  /** Index key → the id filed under it, or a Set when several are (most keys hold one: a Set each would cost tens of MB at 10,000 apps). */
  eq: Map<string, Map<string, string | Set<string>>>;
  ord: Map<string, Ordered>;
}

/** Index functions see documents as stored; one that throws on an odd document files it nowhere. */
function safely<R>(fn: () => R, fallback: R): R {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export class MemoryEngine {
  private readonly tables = new Map<string, Table>();

  private table(name: string): Table {
    let t = this.tables.get(name);
    if (!t) {
      const schema = schemaOf(name);
      t = { docs: new Map(), schema, eq: new Map(), ord: new Map() };
      for (const index of Object.keys(schema.indexes ?? {})) t.eq.set(index, new Map());
      for (const index of Object.keys(schema.ordered ?? {})) t.ord.set(index, new Ordered());
      this.tables.set(name, t);
    }
    return t;
  }

  private index(t: Table, id: string, value: unknown, add: boolean): void {
    for (const [index, fn] of Object.entries(t.schema.indexes ?? {})) {
      const byKey = t.eq.get(index)!;
      for (const key of safely(() => keysOf(fn, value), [])) {
        const ids = byKey.get(key);
        if (add) {
          if (ids === undefined) byKey.set(key, id);
          else if (typeof ids === 'string') {
            if (ids !== id) byKey.set(key, new Set([ids, id]));
          } else ids.add(id);
        } else if (ids !== undefined) {
          if (typeof ids === 'string') {
            if (ids === id) byKey.delete(key);
          } else {
            ids.delete(id);
            if (ids.size === 1) byKey.set(key, ids.values().next().value!);
            else if (ids.size === 0) byKey.delete(key);
          }
        }
      }
    }
    for (const [index, fn] of Object.entries(t.schema.ordered ?? {})) {
      const n = value === undefined ? undefined : safely(() => fn(value), undefined);
      if (typeof n !== 'number' || Number.isNaN(n)) continue;
      if (add) t.ord.get(index)!.add({ n, id });
      else t.ord.get(index)!.remove({ n, id });
    }
  }

  get(name: string, id: string): string | undefined {
    return this.tables.get(name)?.docs.get(id);
  }

  /** Applies committed changes to the documents and every index. */
  apply(changes: readonly Change[]): void {
    for (const { name, id, text } of changes) {
      const t = this.table(name);
      const old = t.docs.get(id);
      if (old !== undefined) this.index(t, id, JSON.parse(old), false);
      if (text === undefined) t.docs.delete(id);
      else {
        t.docs.set(id, text);
        this.index(t, id, JSON.parse(text), true);
      }
    }
  }

  find(name: string, index: string, key: string): string[] {
    const t = this.table(name);
    const byKey = t.eq.get(index);
    if (!byKey) throw new Error(`collection ${name} has no index ${index}`);
    const ids = byKey.get(key);
    if (ids === undefined) return [];
    return (typeof ids === 'string' ? [ids] : [...ids]).map((id) => t.docs.get(id)!);
  }

  dueIds(name: string, index: string, upTo: number, limit = Infinity): string[] {
    const ordered = this.table(name).ord.get(index);
    if (!ordered) throw new Error(`collection ${name} has no ordered index ${index}`);
    return ordered.upTo(upTo, limit);
  }

  all(name: string): string[] {
    return [...(this.tables.get(name)?.docs.values() ?? [])];
  }

  count(name: string): number {
    return this.tables.get(name)?.docs.size ?? 0;
  }

  /** A collection's documents with their ids, as stored. */
  entries(name: string): Array<[id: string, text: string]> {
    return [...(this.tables.get(name)?.docs ?? [])];
  }

  names(): string[] {
    return [...this.tables.keys()];
  }

  /** The whole state as one object (snapshots); `__proto__` and friends stay own keys. */
  toData(): Data {
    const data: Data = {};
    for (const [name, t] of this.tables) {
      if (t.docs.size === 0) continue;
      const docs: Record<string, unknown> = {};
      for (const [id, text] of t.docs) Object.defineProperty(docs, id, { value: JSON.parse(text), enumerable: true, writable: true, configurable: true });
      Object.defineProperty(data, name, { value: docs, enumerable: true, writable: true, configurable: true });
    }
    return data;
  }

  static fromData(data: Data): MemoryEngine {
    const engine = new MemoryEngine();
    const changes: Change[] = [];
    for (const [name, docs] of Object.entries(data)) for (const [id, value] of Object.entries(docs)) changes.push({ name, id, text: JSON.stringify(value) });
    engine.apply(changes);
    return engine;
  }

  decode<T>(text: string | undefined): T | undefined {
    return decodeDoc<T>(text);
  }
}
