/**
 * The draft workspace: the edits managers have saved but not published, kept as an overlay
 * on the serving files. Publishing takes `merged()`; the serving bundle is never touched
 * here. One shared draft for the whole deployment (managers see each other's pending edits,
 * like a shared working copy): the store holds it, and this workspace is the instance's
 * copy of it, refreshed from the store with `replace` (see editor.ts).
 */
import type { ScriptDraft } from '../store/types';
import { scriptAppError, scriptError } from './errors';

/** Script file paths a manager may edit: one intent, template or story per file, plus the dictionary. */
const EDITABLE_PATH = /^(intents|templates|stories)\/[a-z0-9][a-z0-9_.-]{0,80}\.yaml$|^intents\/dictionary\.txt$/;

/** True for a path the editor may create or change (no directories, no traversal). */
export function isEditablePath(path: string): boolean {
  return EDITABLE_PATH.test(path) && !path.includes('..');
}

/** Throws INVALID_SCRIPT unless `path` is an editable script path. */
export function assertEditablePath(path: string): void {
  if (!isEditablePath(path)) {
    throw scriptAppError(
      'INVALID_SCRIPT',
      'PATH_NOT_EDITABLE',
      { path },
      {
        errors: [scriptError('PATH_NOT_EDITABLE', { path }, { file: path, line: 0 })],
      },
    );
  }
}

export interface DraftChange {
  path: string;
  kind: 'added' | 'changed' | 'deleted';
  author: string;
  at: string;
}

/** One draft edit; `text` null marks a deletion. */
type Entry = ScriptDraft;

export interface DraftWorkspace {
  /** The serving files with every draft edit applied. */
  merged(base: Record<string, string>): Record<string, string>;
  /** Files as they would be if `path` were set to `text` (for validation before accepting). */
  mergedWith(base: Record<string, string>, path: string, text: string | null): Record<string, string>;
  /** Draft edits that still differ from `base`. */
  changes(base: Record<string, string>): DraftChange[];
  /** Draft text of a file: string, null if deleted in the draft, undefined if not edited. */
  get(path: string): string | null | undefined;
  set(path: string, text: string, author: string): void;
  remove(path: string, author: string): void;
  /** Records an edit exactly as given (an entry already saved in the store). */
  put(path: string, entry: ScriptDraft): void;
  /** Drops the draft edit of one file, or of all files. */
  discard(path?: string): void;
  /** Replaces every edit with `entries` (the store's current draft); non-editable paths are ignored. */
  replace(entries: Record<string, ScriptDraft>): void;
}

export function createDraftWorkspace(clock: () => Date = () => new Date()): DraftWorkspace {
  const edits = new Map<string, Entry>();

  function apply(base: Record<string, string>, extra?: [string, string | null]): Record<string, string> {
    const files: Record<string, string> = { ...base };
    const all: [string, string | null][] = [...edits].map(([p, e]) => [p, e.text]);
    if (extra) all.push(extra);
    for (const [path, text] of all) {
      if (text === null) delete files[path];
      else files[path] = text;
    }
    return files;
  }

  return {
    merged: (base) => apply(base),
    mergedWith: (base, path, text) => apply(base, [path, text]),
    changes(base) {
      const out: DraftChange[] = [];
      for (const [path, e] of [...edits].sort(([a], [b]) => a.localeCompare(b))) {
        const before = base[path];
        if (e.text === before || (e.text === null && before === undefined)) continue;
        const kind = e.text === null ? 'deleted' : before === undefined ? 'added' : 'changed';
        out.push({ path, kind, author: e.author, at: e.at });
      }
      return out;
    },
    get: (path) => edits.get(path)?.text,
    set(path, text, author) {
      assertEditablePath(path);
      edits.set(path, { text, author, at: clock().toISOString() });
    },
    remove(path, author) {
      assertEditablePath(path);
      edits.set(path, { text: null, author, at: clock().toISOString() });
    },
    put(path, entry) {
      assertEditablePath(path);
      edits.set(path, { text: entry.text, author: entry.author, at: entry.at });
    },
    discard(path) {
      if (path === undefined) edits.clear();
      else edits.delete(path);
    },
    replace(entries) {
      edits.clear();
      for (const [path, e] of Object.entries(entries)) {
        if (isEditablePath(path)) edits.set(path, { text: e.text, author: e.author, at: e.at });
      }
    },
  };
}
