/**
 * The script registry: holds the ScriptBundle that is serving buyers right now and swaps it
 * in one assignment, so a message in flight finishes on the bundle it started with and the
 * next message sees the new one. No socket is touched by a swap.
 *
 * The engine is created with `getScripts: registry.getScripts`; publishing, rollback and the
 * cross-instance sync (see sync.ts) call `activate`.
 */

/** What the registry needs to know about a bundle: its files and a content hash. */
export interface BundleLike {
  hash: string;
  files: Record<string, string>;
}

export interface ActiveScripts<B extends BundleLike> {
  bundle: B;
  /** Store version this bundle came from; null before anything was saved (tests, first boot). */
  version: number | null;
  activatedAt: string;
}

export interface ScriptRegistry<B extends BundleLike> {
  /** The serving bundle. Bound, so it can be passed around as a plain function. */
  readonly getScripts: () => B;
  /** The serving bundle with its version and activation time. */
  current(): ActiveScripts<B>;
  /** Makes `bundle` serve every message that starts after this call. */
  activate(bundle: B, version: number | null): void;
  /** Called after every activation; returns an unsubscribe function. */
  onActivate(listener: (active: ActiveScripts<B>) => void): () => void;
}

/** Creates a registry serving `initial` (a bundle that already built without errors). */
export function createScriptRegistry<B extends BundleLike>(
  initial: B,
  version: number | null = null,
  clock: () => Date = () => new Date(),
): ScriptRegistry<B> {
  let active: ActiveScripts<B> = { bundle: initial, version, activatedAt: clock().toISOString() };
  const listeners = new Set<(a: ActiveScripts<B>) => void>();
  return {
    getScripts: () => active.bundle,
    current: () => active,
    activate(bundle, v) {
      // One assignment: readers see either the old or the new bundle, never a mix.
      active = { bundle, version: v, activatedAt: clock().toISOString() };
      for (const l of listeners) l(active);
    },
    onActivate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
