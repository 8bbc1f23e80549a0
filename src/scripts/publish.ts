/**
 * Publishing a draft (and rolling back to an old version, which is publishing its files):
 *   validate → run the conversation stories against the new bundle → write files to disk
 *   (embedded mode; temp file + rename) → save the version in the store → set it active →
 *   swap it into the registry → announce it on the Bus so every other instance reloads.
 * Any failure before the swap leaves the serving version untouched. The steps run under a
 * store lock so two managers publishing at once (on two instances) get two clean versions.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Bus, Locks, ScriptStore } from '../store/types';
import { trainBundleModelInWorker, type ScriptBundle } from './bundle';
import type { ScriptRegistry } from './registry';
import { SCRIPTS_CHANNEL, type ScriptsActivatedEvent } from './sync';
import type { ScriptMessage } from './errors';
import { validateScripts, type ScriptError } from './validate';

/** A conversation story that did not hold against the new scripts. */
export interface StoryFailure {
  /** Story name (file and title). */
  story: string;
  /** The story's Chinese name (its title, else its name). */
  title?: string;
  /** The story's file (a project story file name, or stories/….yaml saved with the scripts). */
  file?: string;
  /** What the buyer said on the step that broke. */
  say?: string;
  /** What that step asks of the bot, in Chinese words. */
  expected?: string;
  /** What the bot did instead, in Chinese words. */
  got?: string;
  /** 1-based step (buyer turn) that broke; absent when the story failed as a whole. */
  step?: number;
  /** What broke, in English (logs, API clients). */
  reason: string;
  /** The catalogue code of the first problem (absent from a runner that gives only a reason). */
  code?: string;
  /** What broke, in Chinese, for the manager. */
  localized?: string;
  /** Every problem of that step, coded. */
  problems?: ScriptMessage[];
}

/** Runs every conversation story against a bundle and returns the failures (empty = all pass). */
export type StoryRunner = (bundle: ScriptBundle) => Promise<StoryFailure[]>;

export interface PublishDeps {
  registry: ScriptRegistry<ScriptBundle>;
  store: Pick<ScriptStore, 'saveScriptVersion' | 'setActiveScriptVersion' | 'appendAudit'> & Pick<Bus, 'publish'> & Locks;
  runStories?: StoryRunner;
  /** Embedded mode: the directory holding intents/ and templates/, rewritten on publish. */
  scriptsDir?: string;
  instanceId: string;
  clock?: () => Date;
}

export type PublishOutcome =
  | { ok: true; version: number; hash: string; changed: string[] }
  | { ok: false; reason: 'invalid'; errors: ScriptError[] }
  | { ok: false; reason: 'stories'; stories: StoryFailure[] }
  | { ok: false; reason: 'unchanged' };

export interface PublishRequest {
  files: Record<string, string>;
  author: string;
  message?: string;
  /** Audit action name: 'publish' or 'rollback'. */
  action?: 'publish' | 'rollback';
  /** Skip the stories (rollback restores a version that already passed them once). */
  skipStories?: boolean;
}

const PUBLISH_LOCK = 'scripts:publish';

/** Validates, tests and activates `files`; the serving version changes only on success. */
export async function publishScripts(deps: PublishDeps, req: PublishRequest): Promise<PublishOutcome> {
  const clock = deps.clock ?? (() => new Date());
  return deps.store.withLock(PUBLISH_LOCK, 30_000, async () => {
    const current = deps.registry.current();
    const changed = changedPaths(current.bundle.files, req.files);
    if (changed.length === 0) return { ok: false, reason: 'unchanged' } as const;

    const model = await trainBundleModelInWorker(req.files);
    const { bundle, errors } = validateScripts(req.files, new Set(changed), model ? { model } : {});
    if (!bundle) return { ok: false, reason: 'invalid', errors } as const;

    if (!req.skipStories && deps.runStories) {
      const stories = await deps.runStories(bundle);
      if (stories.length > 0) return { ok: false, reason: 'stories', stories } as const;
    }

    if (deps.scriptsDir !== undefined) await writeScriptFiles(deps.scriptsDir, current.bundle.files, req.files);

    const at = clock().toISOString();
    const saved = await deps.store.saveScriptVersion({
      author: req.author,
      at,
      ...(req.message ? { message: req.message } : {}),
      files: req.files,
    });
    await deps.store.setActiveScriptVersion(saved.version);
    deps.registry.activate(bundle, saved.version);
    await deps.store.appendAudit({
      at,
      who: req.author,
      action: req.action ?? 'publish',
      detail: `v${saved.version}${req.message ? `: ${req.message}` : ''} (${changed.join(', ')})`,
    });
    const event: ScriptsActivatedEvent = {
      type: 'scripts.activated',
      version: saved.version,
      hash: bundle.hash,
      origin: deps.instanceId,
    };
    await deps.store.publish(SCRIPTS_CHANNEL, event);
    return { ok: true, version: saved.version, hash: bundle.hash, changed } as const;
  });
}

function changedPaths(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((p) => a[p] !== b[p]).sort();
}

/** Resolves a script path inside `root`, refusing anything that would escape it. */
function inside(root: string, path: string): string {
  const base = resolve(root);
  const full = resolve(base, path);
  if (!full.startsWith(base + sep)) throw new Error(`script path escapes the scripts directory: ${path}`);
  return full;
}

/**
 * Writes the changed files: every new text goes to a temp file beside its target (fsynced),
 * then all are renamed into place, then removed files are deleted. A crash leaves each file
 * either old or new, never half-written.
 */
export async function writeScriptFiles(root: string, before: Record<string, string>, after: Record<string, string>): Promise<void> {
  const renames: { tmp: string; target: string }[] = [];
  try {
    for (const [path, text] of Object.entries(after)) {
      if (before[path] === text) continue;
      const target = inside(root, path);
      await mkdir(dirname(target), { recursive: true });
      const tmp = join(dirname(target), `.${randomBytes(6).toString('hex')}.tmp`);
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      renames.push({ tmp, target });
    }
  } catch (err) {
    await Promise.all(renames.map((r) => unlink(r.tmp).catch(() => undefined)));
    throw err;
  }
  for (const r of renames) await rename(r.tmp, r.target);
  for (const path of Object.keys(before)) {
    if (!(path in after)) await unlink(inside(root, path)).catch(() => undefined);
  }
}
