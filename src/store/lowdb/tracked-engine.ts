import { MemoryEngine, type Change } from '../memory-engine.js';

/**
 * The committed state of the lowdb store: a MemoryEngine (documents as JSON text, indexes), plus the
 * ids each collection holds, so a snapshot can be taken as (id, text) pairs that share the engine's
 * strings instead of a parsed copy of everything (`MemoryEngine.toData` parses every document).
 *
 * @example
 *   const state = new TrackedEngine();
 *   state.apply([{ name: 'apps', id: 'c1', text: '{"appName":"A"}' }]);
 *   state.capture(['apps']); // [['apps', [['c1', '{"appName":"A"}']]]]
 */
export type Captured = Array<[name: string, entries: Array<[id: string, text: string]>]>;

export class TrackedEngine {
  readonly engine = new MemoryEngine();
  private readonly ids = new Map<string, Set<string>>();

  apply(changes: readonly Change[]): void {
    this.engine.apply(changes);
    for (const { name, id, text } of changes) {
      let ids = this.ids.get(name);
      if (text === undefined) ids?.delete(id);
      else {
        if (!ids) this.ids.set(name, (ids = new Set()));
        ids.add(id);
      }
    }
  }

  /** Collection names that have held documents (some may be empty now). */
  names(): string[] {
    return [...this.ids.keys()];
  }

  /**
   * The documents of the collections `keep` accepts, as they are now. Only references: the texts
   * are the engine's own immutable strings, so this costs two pointers a document, not a copy.
   */
  capture(keep: (name: string) => boolean): Captured {
    const out: Captured = [];
    for (const [name, ids] of this.ids) {
      if (!keep(name) || ids.size === 0) continue;
      out.push([name, [...ids].map((id) => [id, this.engine.get(name, id)!])]);
    }
    return out;
  }
}
