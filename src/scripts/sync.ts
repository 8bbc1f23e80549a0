/**
 * Keeps every instance serving the same script version. The instance that publishes (or
 * rolls back) saves the version in the store, sets it active and announces it on the Bus;
 * every instance, on that event, reads the store's active version and, if it differs from
 * what it serves, builds it and swaps it in. Reading the active version (rather than trusting
 * the event's number) makes the instances converge even when events arrive out of order.
 */
import type { Bus, ScriptStore } from '../store/types';
import type { BundleLike, ScriptRegistry } from './registry';

/** Bus channel for script activation events. */
export const SCRIPTS_CHANNEL = 'scripts:activated';

/** The event published on SCRIPTS_CHANNEL. */
export interface ScriptsActivatedEvent {
  type: 'scripts.activated';
  version: number;
  hash: string;
  /** Instance that published, for logs. */
  origin: string;
}

export function isScriptsActivatedEvent(value: unknown): value is ScriptsActivatedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.type === 'scripts.activated' && typeof v.version === 'number' && typeof v.hash === 'string';
}

export type BuildScripts<B> = (files: Record<string, string>) => {
  bundle?: B;
  errors: { file: string; line: number; column?: number; reason: string }[];
};

export interface ScriptSyncOptions<B extends BundleLike> {
  registry: ScriptRegistry<B>;
  store: Pick<Bus, 'subscribe'> & Pick<ScriptStore, 'getActiveScriptVersion' | 'getScriptVersion'>;
  build: BuildScripts<B>;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface ScriptSync {
  /** Re-reads the store's active version and swaps it in if it differs. Serialised. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/** Subscribes to activation events; resolves once subscribed. */
export async function startScriptSync<B extends BundleLike>(opts: ScriptSyncOptions<B>): Promise<ScriptSync> {
  const { registry, store, build, log } = opts;
  let chain: Promise<void> = Promise.resolve();

  async function load(): Promise<void> {
    const version = await store.getActiveScriptVersion();
    if (version === null || version === registry.current().version) return;
    const saved = await store.getScriptVersion(version);
    if (!saved) {
      log?.error({ version }, 'active script version missing from the store; keeping the current one');
      return;
    }
    const { bundle, errors } = build(saved.files);
    if (!bundle) {
      // Only validated versions are ever activated, so this means code and scripts disagree
      // (e.g. a newer build rule); keep serving what works.
      log?.error({ version, errors: errors.slice(0, 5) }, 'active script version does not build; keeping the current one');
      return;
    }
    registry.activate(bundle, version);
    log?.info({ version, hash: bundle.hash }, 'scripts reloaded');
  }

  const refresh = (): Promise<void> => {
    chain = chain.then(load).catch((err: unknown) => {
      log?.error({ err }, 'script reload failed');
    });
    return chain;
  };

  const unsubscribe = await store.subscribe(SCRIPTS_CHANNEL, (message) => {
    if (isScriptsActivatedEvent(message)) void refresh();
  });
  return {
    refresh,
    async stop() {
      await unsubscribe();
      await chain;
    },
  };
}
