/**
 * Start-up wiring for the scripts: decide which version serves, build it, create the
 * registry the engine reads, start the cross-instance sync and the editor service.
 *
 * Which version serves at start:
 *   - embedded store (one process, files on disk are the managers' copy): the files on disk;
 *     when they differ from the store's active version (edited by hand while stopped) they
 *     are recorded as a new version by "disk";
 *   - Redis (several instances): the store's active version, so every instance agrees; the
 *     disk only seeds version 1 of a fresh deployment.
 * A version that does not build never serves; the other source is tried, and if neither
 * builds the server refuses to start with the errors.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors';
import { createEngine } from '../dialogue/engine';
import type { ShopData } from '../shop/types';
import type { Store } from '../store/types';
import { buildScriptBundle, loadScriptFiles, type ScriptBundle } from './bundle';
import { createScriptEditor, type ScriptEditor } from './editor';
import type { StoryRunner } from './publish';
import { createScriptRegistry, type ScriptRegistry } from './registry';
import { startScriptSync, type ScriptSync } from './sync';
import { loadDemoShop } from '../shop';
import { loadStories, storyRunner, type ShopAt } from './stories';
import { checkExamples } from './validate';

export interface BootScriptsOptions {
  store: Store;
  /** Directory holding intents/ and templates/. */
  scriptsDir: string;
  shop: ShopData;
  shopId: string;
  instanceId: string;
  /** Conversation stories run before every publish (default: a runner over `storiesDir`). */
  runStories?: StoryRunner;
  /** Story files (default <scriptsDir>/test/conversations, used when it exists). */
  storiesDir?: string;
  /**
   * Demo shop directory, reloaded at each story's clock (demo orders are relative to "now").
   * Default <scriptsDir>/demo/shop when it exists, else stories use `shop` as is.
   */
  shopDir?: string;
  clock?: () => Date;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface BootedScripts {
  registry: ScriptRegistry<ScriptBundle>;
  editor: ScriptEditor;
  sync: ScriptSync;
}

function sameFiles(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Loads the serving scripts and wires registry, sync and editor. */
export async function bootScripts(opts: BootScriptsOptions): Promise<BootedScripts> {
  const { store, log } = opts;
  const clock = opts.clock ?? (() => new Date());
  const embedded = !store.capabilities.sharedAcrossInstances;

  const chosen = await store.withLock('scripts:publish', 30_000, async () => {
    const disk = loadScriptFiles(opts.scriptsDir);
    const activeVersion = await store.getActiveScriptVersion();
    const saved = activeVersion !== null ? await store.getScriptVersion(activeVersion) : null;
    const record = async (files: Record<string, string>, author: string, message: string): Promise<number> => {
      const at = clock().toISOString();
      const v = await store.saveScriptVersion({ author, at, message, files });
      await store.setActiveScriptVersion(v.version);
      await store.appendAudit({ at, who: author, action: 'load', detail: `v${v.version}: ${message}` });
      return v.version;
    };

    const preferDisk = !saved || embedded;
    const first = preferDisk ? disk : saved.files;
    const built = buildScriptBundle(first);
    if (built.bundle) {
      if (saved && preferDisk && sameFiles(saved.files, disk)) return { bundle: built.bundle, version: saved.version };
      if (!preferDisk && saved) return { bundle: built.bundle, version: saved.version };
      const version = await record(disk, 'disk', saved ? '磁盘上的文件有改动，启动时载入' : '初始版本（从磁盘载入）');
      return { bundle: built.bundle, version };
    }
    log?.error({ errors: built.errors.slice(0, 10) }, preferDisk ? 'script files on disk do not build' : 'active script version does not build');
    const fallback = preferDisk ? saved : { files: disk, version: null };
    const other = fallback ? buildScriptBundle(fallback.files) : { errors: built.errors };
    if (fallback && other.bundle) {
      log?.warn({ version: fallback.version }, 'serving the other script source instead');
      return { bundle: other.bundle, version: fallback.version };
    }
    throw new AppError(
      'INVALID_SCRIPT',
      `scripts do not build: ${built.errors
        .slice(0, 5)
        .map((e) => `${e.file}:${e.line} ${e.reason}`)
        .join('; ')}`,
      {
        errors: built.errors,
      },
    );
  });

  // Warn (not fail) about example problems in the serving files: they were accepted before
  // these checks existed or were edited by hand; the editor will insist on fixing them.
  const warnings = checkExamples(chosen.bundle.files);
  if (warnings.length > 0) log?.warn({ count: warnings.length, first: warnings.slice(0, 3) }, 'intent examples need attention');

  const storiesDir = opts.storiesDir ?? join(opts.scriptsDir, 'test', 'conversations');
  const shopDir = opts.shopDir ?? join(opts.scriptsDir, 'demo', 'shop');
  const shops = new Map<number, ShopData>();
  const shopAt: ShopAt = existsSync(shopDir)
    ? (now) => {
        let shop = shops.get(now.getTime());
        if (!shop) shops.set(now.getTime(), (shop = loadDemoShop(shopDir, { now })));
        return shop;
      }
    : () => opts.shop;
  const runStories = opts.runStories ?? (existsSync(storiesDir) ? storyRunner(storiesDir, shopAt) : undefined);
  if (!runStories) log?.warn({ storiesDir }, 'no conversation stories found; publishing will not run them');

  const registry = createScriptRegistry(chosen.bundle, chosen.version, clock);
  const sync = await startScriptSync({
    registry,
    store,
    build: buildScriptBundle,
    ...(log ? { log } : {}),
  });
  const editor = createScriptEditor({
    registry,
    store,
    createEngine: (getScripts) => createEngine({ shop: opts.shop, getScripts, clock }),
    // Try-it conversations run like stories: the shop at the session's clock, first variants.
    createEngineAt: (getScripts, now) => createEngine({ shop: shopAt(now), getScripts, clock: () => now, random: () => 0 }),
    ...(existsSync(storiesDir) ? { listStories: () => loadStories(storiesDir) } : {}),
    ...(runStories ? { runStories } : {}),
    ...(embedded ? { scriptsDir: opts.scriptsDir } : {}),
    instanceId: opts.instanceId,
    shopId: opts.shopId,
    shop: opts.shop,
    clock,
  });
  return { registry, editor, sync };
}
