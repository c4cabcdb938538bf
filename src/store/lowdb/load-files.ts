import type { Data } from '../store.js';
import type { JournaledFiles } from './journaled-files.js';
import type { TrackedEngine } from './tracked-engine.js';

/**
 * Start-up: reads every snapshot (each checked, a bad one stops start-up naming it), replays every
 * journal, and writes a snapshot wherever one was left half-compacted, outgrown, or out of place.
 *
 * A collection found in another set's snapshot (a store from before handled event ids had files of
 * their own kept everything in registrar.json) is carried over: it is loaded when its own set has no
 * snapshot yet, its own set's snapshot is written first, then the snapshot that held it is written
 * without it. A crash between the two leaves the owner's snapshot in place, which then wins over the
 * stray copy. `files` lists owners of moved collections before the files they move out of.
 *
 * @example
 *   await loadFiles([handledEvents, registrar], state);
 */
export async function loadFiles(files: readonly JournaledFiles[], state: TrackedEngine): Promise<void> {
  const snapshots = new Map<JournaledFiles, Data | null>();
  for (const f of files) snapshots.set(f, await f.readSnapshot());
  const rewrite = new Set<JournaledFiles>();
  for (const f of files) {
    const data = snapshots.get(f);
    if (!data) continue; // written before its journal's first line
    for (const [name, docs] of Object.entries(data)) {
      const owner = files.find((o) => o.owns(name)) ?? f;
      if (owner !== f) {
        rewrite.add(f);
        if (snapshots.get(owner)) continue; // the owner's own snapshot is the one that counts
        rewrite.add(owner);
      }
      state.apply(Object.entries(docs as Record<string, unknown>).map(([id, value]) => ({ name, id, text: JSON.stringify(value) })));
    }
  }
  for (const f of files) await f.replay();
  for (const f of files) if (rewrite.has(f) || f.needsCompaction()) await f.compactNow();
}
