/**
 * The script editor service: what the /api/scripts routes call. It composes the draft
 * workspace, validation, try-it (classify + reply with the draft), publishing, history and
 * rollback over the registry that serves buyers. Transport-free: the HTTP layer only turns
 * requests into these calls and results into JSON.
 *
 * The draft lives in the store (every instance behind the load balancer shares it, and it
 * survives restarts). The editor keeps a copy so its read methods stay synchronous:
 * `refresh()` reloads that copy (the HTTP layer calls it before every request), and the
 * async methods that write or act on the draft refresh it themselves first.
 *
 * Two managers editing one file: every read returns the file's `revision` (a hash of the
 * text the manager sees, draft or published). A write that names the revision it started
 * from is refused with STALE_REVISION when the file has changed since, with the other
 * version and a diff, so neither edit is lost; a write without a revision overwrites (older
 * API clients). The check and the write run under a per-file store lock, so two instances
 * cannot both pass it.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { parseIntentFile } from '../nlu/intents';
import type { HandoffInfo } from '../model/conversation';
import type { BotReply } from '../dialogue/types';
import type { IntentScore } from '../nlu/types';
import type { ShopData } from '../shop/types';
import type { Store } from '../store/types';
import { parseTemplateFile } from '../replies/templates';
import { templateVariables } from '../replies/variables';
import type { ScriptBundle } from './bundle';
import { assertEditablePath, createDraftWorkspace, type DraftChange } from './drafts';
import { diffVersions, listAudit, listVersions, requireVersion, type AuditEntry, type VersionSummary } from './history';
import { diffFileSets, type FileDiff } from './diff';
import { scriptAppError, scriptMessage, type ScriptMessage } from './errors';
import { parseDictionaryScript, parseIntentScript } from './intent-errors';
import { parseQuickPhrases, QUICK_PHRASES_PATH } from './quick-phrases';
import { publishScripts, type PublishOutcome, type StoryRunner } from './publish';
import type { ScriptRegistry } from './registry';
import { sampleContext, sampleForMove, shopSample } from './sample-context';
import { checkExamples, refineTemplateErrors, validateScripts, type ScriptError, type ValidationResult } from './validate';
import { templateLimitErrors } from './template-limits';
import { closenessWarning, newExamples, type ClosenessWarning } from './closeness';
import { applyForm, fieldAt, formKind, readForm, type ScriptForm } from './form';
import { storiesInFiles, STORY_PATH, storyFileErrors, storyFileText, storyTitle, type Story } from './story-format';
import { expectationWords } from './story-words';
import {
  demoBuyers,
  MAX_SESSION_TURNS,
  playSession,
  storyFromSession,
  tryTurn,
  type DemoBuyer,
  type TryEngine,
  type TrySession,
  type TryTurn,
} from './try-conversation';
import { moveWords } from './move-words';
import { variableWords } from './variable-words';

export type { TryEngine } from './try-conversation';

export interface ScriptEditorDeps {
  registry: ScriptRegistry<ScriptBundle>;
  store: Pick<
    Store,
    | 'saveScriptVersion'
    | 'getScriptVersion'
    | 'listScriptVersions'
    | 'setActiveScriptVersion'
    | 'getActiveScriptVersion'
    | 'appendAudit'
    | 'listAudit'
    | 'publish'
    | 'withLock'
    | 'saveDraft'
    | 'getDrafts'
    | 'deleteDraft'
    | 'health'
  >;
  /** Builds an engine that reads the given bundle (for try-it on the draft). */
  createEngine?: (getScripts: () => ScriptBundle) => TryEngine;
  /**
   * Builds an engine for a try-it conversation: the shop as it stands at `now`, the clock fixed
   * there and the first variant of every move, as stories run (so a session saved as a story
   * replays the same). Without it try-it conversations use `createEngine`.
   */
  createEngineAt?: (getScripts: () => ScriptBundle, now: Date) => TryEngine;
  /** The project's own conversation stories (test/conversations), for the story list. */
  listStories?: () => Story[];
  runStories?: StoryRunner;
  /** Embedded mode: publish also rewrites the files in this directory. */
  scriptsDir?: string;
  instanceId: string;
  shopId: string;
  /** The shop whose data fills the template preview's sample context. */
  shop?: ShopData;
  clock?: () => Date;
}

export interface IntentSummary {
  id: string;
  /** Chinese name (the intent file's `name`; '' when it has none). */
  name: string;
  path: string;
  category: string;
  description: string;
  examples: number;
  handoff?: { always: boolean; priority: string };
  draft: DraftChange['kind'] | null;
}

export interface TemplateSummary {
  id: string;
  /** Chinese name of the intent it answers ('' when none). */
  name: string;
  path: string;
  variants: number;
  moves: string[];
  draft: DraftChange['kind'] | null;
}

export interface Overview {
  version: number | null;
  hash: string;
  activatedAt: string;
  intents: IntentSummary[];
  templates: TemplateSummary[];
  dictionary: { path: string; words: number; draft: DraftChange['kind'] | null };
  draft: DraftChange[];
}

export interface FileView {
  path: string;
  /** Draft text if edited, else the serving text. */
  text: string;
  /** Serving text, null when the file exists only in the draft. */
  served: string | null;
  draft: boolean;
  /** Hash of `text`: send it back when saving, so a save over someone else's newer edit is refused. */
  revision: string;
  errors: ScriptError[];
}

/** What a stale write is told about the file as it is now (STALE_REVISION, HTTP 409). */
export interface RevisionConflict {
  path: string;
  /** The file's revision now: save with it to overwrite deliberately. */
  revision: string;
  /** The file's text now; null when it has been deleted in the draft. */
  text: string | null;
  /** Who saved the draft now in place and when; absent when the text is the published one. */
  author?: string;
  at?: string;
  /** From the text now (−) to the text that was refused (+). */
  diff: FileDiff | null;
}

/** A validation error with the form field it belongs to (absent: the file as a whole). */
export type FieldError = ScriptError & { field?: string };

export interface FormView {
  path: string;
  /** The text the form was read from (after `applyForm`: the text with the form written in). */
  text: string;
  /** Undefined when the text does not parse: only the YAML view can fix it. */
  form?: ScriptForm;
  /** Chinese names of the template's moves (the situations its replies are for), where known. */
  moveNames?: Record<string, string>;
  errors: FieldError[];
}

/** A closeness warning with both intents' Chinese names. */
export interface NamedClosenessWarning extends ClosenessWarning {
  intentName: string;
  rivalName: string;
}

export interface TryConversationResult {
  session: TrySession;
  turns: (TryTurn & { intentName: string })[];
}

export interface StoryView {
  /** The file it is in: a project story file name, or stories/….yaml (saved with the scripts). */
  file: string;
  title: string;
  name: string;
  buyer: string;
  product?: string;
  now?: string;
  /** Saved by a manager with the scripts (editable in the draft), not part of the project. */
  editable: boolean;
  draft: DraftChange['kind'] | null;
  turns: { say: string; expected: string }[];
}

export interface TryResult {
  intent: string;
  category: string;
  confidence: number;
  ranking: IntentScore[];
  replies: BotReply[];
  handoff?: HandoffInfo;
}

export interface RenderRequest {
  /** The intent whose templates to preview (or give `path`). */
  intent?: string;
  /** The template file to preview; `templates/<intent>.yaml` by default. */
  path?: string;
  /** Unsaved text of that file to preview instead of the draft (what the manager is typing). */
  text?: string;
  /** Only this move. */
  move?: string;
  /** Values that replace the sample context's. */
  context?: Record<string, unknown>;
}

export interface RenderResult {
  intent: string;
  path: string;
  context: Record<string, unknown>;
  /** One entry per variant; `error` (English) and `localized` when it cannot render with the sample. */
  variants: { templateId: string; move: string; text?: string; error?: string; localized?: string }[];
  /** Problems in the previewed text (unsaved text is not validated otherwise); no variants when any. */
  errors: ScriptError[];
}

const DICTIONARY = 'intents/dictionary.txt';

/** Revision of a file's text as a manager sees it; "absent" when there is no such file. */
export function revisionOf(text: string | null | undefined): string {
  if (text === null || text === undefined) return 'absent';
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export interface ScriptEditor {
  /**
   * Reloads the shared draft from the store. The synchronous reads below (overview, readFile,
   * validate, intents …) see what the last refresh or this editor's own writes left.
   */
  refresh(): Promise<void>;
  overview(): Overview;
  readFile(path: string): FileView;
  /** Validates the draft (optionally with one file replaced by `text`) without saving. */
  validate(path?: string, text?: string): ScriptError[];
  /**
   * Saves one file into the draft if the whole draft then validates; else throws
   * INVALID_SCRIPT. With `revision` (from readFile) it throws CONFLICT / STALE_REVISION when
   * the file changed since; without, it overwrites.
   */
  saveDraft(path: string, text: string, author: string, revision?: string): Promise<{ errors: ScriptError[]; revision: string }>;
  /** Deletes a file in the draft (validated like a save; `revision` checked like a save). */
  deleteFile(path: string, author: string, revision?: string): Promise<void>;
  /** Drops the draft of one file (or all); with `revision`, only if that file has not changed since. */
  discardDraft(path: string | undefined, author: string, revision?: string): Promise<void>;
  intents(): IntentSummary[];
  intent(id: string): { path: string; text: string; revision: string; definition: unknown };
  templates(): TemplateSummary[];
  template(id: string): {
    path: string;
    text: string;
    revision: string;
    moves: Record<string, { variants: string[]; quickReplies: string[] }>;
  };
  dictionary(): { path: string; text: string; revision: string; words: { word: string; freq?: number; tag?: string }[] };
  tryPhrase(text: string): Promise<TryResult>;
  /** The form view of a file (the draft's text, or `text` being typed), errors placed on fields. */
  form(path: string, text?: string): FormView;
  /** `text` with `form` written in, and the errors of the result placed on fields (nothing saved). */
  applyForm(path: string, text: string, form: ScriptForm): FormView;
  /** Warnings for examples in `text` that are new and that the serving model reads as another intent. */
  closeness(path: string, text: string): NamedClosenessWarning[];
  /** Template variables for an intent, with their Chinese descriptions. */
  variables(intent: string): { name: string; description: string; optional: boolean }[];
  /** Demo buyers (with orders) and products to try a conversation as. */
  tryCast(): { buyers: DemoBuyer[]; products: { id: string; name: string; price: number }[] };
  /** Replays a try-it session on the draft; `now` is set on a new session. */
  tryConversation(session: Omit<TrySession, 'now'> & { now?: string }): Promise<TryConversationResult>;
  /** Every conversation story: the project's and the ones saved with the (draft) scripts. */
  stories(): StoryView[];
  /** Saves a try-it session as a new story in the draft (it then gates publishing). */
  addStory(session: TrySession, title: string, author: string): Promise<{ path: string; story: StoryView }>;
  /** Every variant of a template file rendered with a sample context; `text` previews unsaved text. */
  render(request: RenderRequest): RenderResult;
  publish(author: string, message?: string): Promise<PublishOutcome>;
  versions(): Promise<VersionSummary[]>;
  version(n: number): Promise<{ version: number; author: string; at: string; message?: string; files: Record<string, string> }>;
  diff(from: number | null, to: number | 'draft'): Promise<{ from: number | null; to: number | string; files: FileDiff[] }>;
  rollback(version: number, author: string): Promise<PublishOutcome>;
  audit(limit?: number): Promise<AuditEntry[]>;
}

export function createScriptEditor(deps: ScriptEditorDeps): ScriptEditor {
  const clock = deps.clock ?? (() => new Date());
  const drafts = createDraftWorkspace(clock);
  const served = (): Record<string, string> => deps.registry.current().bundle.files;
  const merged = (): Record<string, string> => drafts.merged(served());
  const draftKind = (path: string): DraftChange['kind'] | null => drafts.changes(served()).find((c) => c.path === path)?.kind ?? null;

  // Bumped by every local draft write, so a refresh whose read started before the write
  // does not put back the older draft over it.
  let writes = 0;
  async function refresh(): Promise<void> {
    // While Redis is away the store would hold the read until it returns; the local copy
    // (this instance's own edits included) is the better answer meanwhile.
    if (deps.store.health().status === 'degraded') return;
    const before = writes;
    const entries = await deps.store.getDrafts();
    if (writes === before) drafts.replace(entries);
  }
  async function storeDraft(path: string, text: string | null, author: string): Promise<void> {
    const entry = { text, author, at: clock().toISOString() };
    await deps.store.saveDraft(path, entry);
    writes++;
    drafts.put(path, entry);
  }
  async function dropDraft(path?: string): Promise<void> {
    await deps.store.deleteDraft(path);
    writes++;
    drafts.discard(path);
  }

  // Building a bundle trains a model; keep the last draft build keyed by its files.
  let cache: { key: string; result: ValidationResult } | undefined;
  function build(files: Record<string, string>, focus: ReadonlySet<string>): ValidationResult {
    const h = createHash('sha256');
    for (const p of Object.keys(files).sort())
      h.update(p)
        .update('\0')
        .update(files[p] ?? '')
        .update('\0');
    h.update([...focus].sort().join('\0'));
    const key = h.digest('hex');
    if (cache?.key !== key) cache = { key, result: validateScripts(files, focus) };
    return cache.result;
  }
  function draftBundle(): ScriptBundle {
    const files = merged();
    const result = build(files, new Set(drafts.changes(served()).map((c) => c.path)));
    if (!result.bundle) {
      throw scriptAppError('INVALID_SCRIPT', 'DRAFT_HAS_ERRORS', { count: result.errors.length }, { errors: result.errors });
    }
    return result.bundle;
  }

  /** Intent ids defined in a file set (a template for any other intent is an error). */
  function knownIntents(files: Record<string, string>): Set<string> {
    const known = new Set<string>();
    for (const [p, t] of Object.entries(files)) {
      if (!p.startsWith('intents/') || p === DICTIONARY) continue;
      const parsed = parseIntentFile(p, t);
      if (parsed.intent) known.add(parsed.intent.id);
    }
    return known;
  }

  /**
   * Fast check of one file while a manager types: parse that file alone (plus the
   * cross-intent example checks) without training a model.
   */
  function quickCheck(path: string, text: string): ScriptError[] {
    if (path === DICTIONARY) return parseDictionaryScript(text, DICTIONARY).errors;
    if (path.startsWith('intents/')) {
      const own = parseIntentScript(path, text).errors;
      if (own.length > 0) return own;
      const files = drafts.mergedWith(served(), path, text);
      return checkExamples(files, new Set([path])).filter((e) => e.file === path);
    }
    if (STORY_PATH.test(path)) return storyFileErrors(path, text);
    const tooBig = templateLimitErrors(path, text); // issue 15: refuse before parsing
    if (tooBig.length > 0) return tooBig;
    if (path === QUICK_PHRASES_PATH) return parseQuickPhrases(path, text).errors;
    const known = knownIntents(drafts.mergedWith(served(), path, text));
    return refineTemplateErrors({ [path]: text }, parseTemplateFile(path, text, known).errors);
  }

  /**
   * Throws STALE_REVISION unless `path` is still at `revision` (no revision: no check).
   * `attempted` is the text the writer wanted (null: a deletion), for the diff it is shown.
   */
  function assertRevision(path: string, revision: string | undefined, attempted: string | null): void {
    if (revision === undefined) return;
    const now = merged()[path];
    if (revisionOf(now) === revision) return;
    const entry = drafts.changes(served()).find((c) => c.path === path);
    const diff = diffFileSets(now === undefined ? {} : { [path]: now }, attempted === null ? {} : { [path]: attempted })[0] ?? null;
    const conflict: RevisionConflict = {
      path,
      revision: revisionOf(now),
      text: now ?? null,
      ...(entry ? { author: entry.author, at: entry.at } : {}),
      diff,
    };
    throw scriptAppError('CONFLICT', 'STALE_REVISION', { path, author: entry?.author ?? '' }, { conflict });
  }

  /** Runs a read-check-write on one file under its store lock, on a fresh copy of the draft. */
  function underFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
    return deps.store.withLock(`scripts:draft:${path}`, 30_000, async () => {
      await refresh();
      return fn();
    });
  }

  /**
   * After a publish: drops the draft entries that went out with it. An entry saved while
   * the publish ran (different text) stays, so that edit is not lost.
   */
  async function dropPublished(published: Record<string, string>): Promise<void> {
    const entries = await deps.store.getDrafts();
    for (const [path, entry] of Object.entries(entries)) {
      const out = entry.text === null ? !(path in published) : published[path] === entry.text;
      if (out) await dropDraft(path);
    }
    await refresh();
  }

  async function audit(who: string, action: string, detail?: string): Promise<void> {
    await deps.store.appendAudit({ at: clock().toISOString(), who, action, ...(detail ? { detail } : {}) });
  }

  function intentSummaries(): IntentSummary[] {
    const files = merged();
    const out: IntentSummary[] = [];
    for (const path of Object.keys(files).sort()) {
      if (!path.startsWith('intents/') || path === DICTIONARY) continue;
      const parsed = parseIntentFile(path, files[path] ?? '');
      const id = parsed.intent?.id ?? path.slice('intents/'.length).replace(/\.ya?ml$/, '');
      out.push({
        id,
        name: parsed.intent?.name ?? '',
        path,
        category: parsed.intent?.category ?? id.split('.')[0] ?? '',
        description: parsed.intent?.description ?? '',
        examples: parsed.intent?.examples.length ?? 0,
        ...(parsed.intent?.handoff ? { handoff: parsed.intent.handoff } : {}),
        draft: draftKind(path),
      });
    }
    return out;
  }

  function templateSummaries(): TemplateSummary[] {
    const files = merged();
    const names = intentNames();
    const out: TemplateSummary[] = [];
    for (const path of Object.keys(files).sort()) {
      if (!path.startsWith('templates/')) continue;
      if (path === QUICK_PHRASES_PATH) {
        out.push(quickPhrasesSummary(path, files[path] ?? '', draftKind(path)));
        continue;
      }
      const parsed = parseTemplateFile(path, files[path] ?? '');
      const moves = parsed.template ? Object.entries(parsed.template.moves) : [];
      const id = parsed.template?.intent ?? path.slice('templates/'.length).replace(/\.ya?ml$/, '');
      out.push({
        id,
        name: names.get(id) ?? '',
        path,
        variants: moves.reduce((n, [, m]) => n + m.variants.length, 0),
        moves: moves.map(([name]) => name),
        draft: draftKind(path),
      });
    }
    return out;
  }

  /** Intent id → Chinese name, from the draft's intent files. */
  function intentNames(): Map<string, string> {
    const names = new Map<string, string>();
    const files = merged();
    for (const path of Object.keys(files)) {
      if (!path.startsWith('intents/') || path === DICTIONARY) continue;
      const intent = parseIntentFile(path, files[path] ?? '').intent;
      if (intent?.name) names.set(intent.id, intent.name);
    }
    return names;
  }
  const namer = (names: Map<string, string>) => (id: string) => names.get(id) ?? (id === 'system' ? '系统回复' : id);

  function formView(path: string, text: string): FormView {
    if (!formKind(path)) throw new AppError('BAD_FRAME', `${path} has no form view`);
    const form = readForm(path, text);
    const errors = quickCheck(path, text).map((e): FieldError => {
      const field = fieldAt(path, text, e.line);
      return field === undefined ? e : { ...e, field };
    });
    const moveNames: Record<string, string> = {};
    if (form?.kind === 'template') {
      for (const m of form.moves) {
        const words = moveWords(m.move);
        if (words !== undefined) moveNames[m.move] = words;
      }
    }
    return { path, text, ...(form ? { form } : {}), ...(form?.kind === 'template' ? { moveNames } : {}), errors };
  }

  function tryEngine(bundle: ScriptBundle, now: Date): TryEngine {
    if (deps.createEngineAt) return deps.createEngineAt(() => bundle, now);
    if (deps.createEngine) return deps.createEngine(() => bundle);
    throw new AppError('INTERNAL', 'try-it has no engine');
  }

  function storyView(story: Story, editable: boolean, name: (id: string) => string): StoryView {
    return {
      file: story.file,
      title: storyTitle(story),
      name: story.name,
      buyer: story.buyer,
      ...(story.product ? { product: story.product } : {}),
      ...(story.now ? { now: story.now } : {}),
      editable,
      draft: editable ? draftKind(story.file) : null,
      turns: story.turns.map((t) => ({ say: t.say, expected: expectationWords(t, name) })),
    };
  }

  function requireFile(path: string): string {
    const text = merged()[path];
    if (text === undefined) throw scriptAppError('NOT_FOUND', 'FILE_NOT_FOUND', { path });
    return text;
  }

  function renderTemplates(request: RenderRequest): RenderResult {
    const files = merged();
    const intentArg = request.intent;
    const path =
      request.path ??
      (intentArg === undefined ? undefined : (templateSummaries().find((t) => t.id === intentArg)?.path ?? `templates/${intentArg}.yaml`));
    if (path === undefined) throw new AppError('BAD_FRAME', 'intent or path is required');
    assertEditablePath(path);
    const text = request.text ?? files[path];
    if (text === undefined || !path.startsWith('templates/')) {
      throw scriptAppError('NOT_FOUND', 'TEMPLATES_NOT_FOUND', { intent: intentArg ?? path });
    }
    const parsed = parseTemplateFile(path, text, knownIntents(drafts.mergedWith(served(), path, text)));
    const errors = refineTemplateErrors({ [path]: text }, parsed.errors);
    const intent = parsed.template?.intent ?? intentArg ?? path.slice('templates/'.length).replace(/\.yaml$/, '');
    const now = clock();
    const vars = templateVariables(intent);
    const sample = shopSample(deps.shop, now);
    const ctx = sampleContext(vars, now, sample, request.context ?? {});
    const variants: RenderResult['variants'] = [];
    if (parsed.template) {
      const data = { now, utcOffsetMinutes: deps.shop?.policy.utcOffsetMinutes ?? 480 };
      for (const [name, m] of Object.entries(parsed.template.moves)) {
        if (request.move !== undefined && name !== request.move) continue;
        const moveCtx = sampleContext(vars, now, sampleForMove(sample, name, now, deps.shop?.policy), request.context ?? {});
        for (const v of m.variants) {
          try {
            variants.push({ templateId: v.id, move: name, text: v.render(moveCtx, { data }) });
          } catch (e) {
            const failed: ScriptMessage = scriptMessage('TEMPLATE_RENDER_FAILED', { detail: (e as Error).message });
            variants.push({ templateId: v.id, move: name, error: failed.reason, localized: failed.localized });
          }
        }
      }
    }
    return { intent, path, context: ctx, variants, errors };
  }

  const editor: ScriptEditor = {
    refresh,

    overview() {
      const current = deps.registry.current();
      const dictText = merged()[DICTIONARY] ?? '';
      return {
        version: current.version,
        hash: current.bundle.hash,
        activatedAt: current.activatedAt,
        intents: intentSummaries(),
        templates: templateSummaries(),
        dictionary: { path: DICTIONARY, words: parseDictionaryScript(dictText, DICTIONARY).words.length, draft: draftKind(DICTIONARY) },
        draft: drafts.changes(served()),
      };
    },

    readFile(path) {
      assertEditablePath(path);
      const text = requireFile(path);
      const live = served()[path];
      return { path, text, served: live ?? null, draft: text !== live, revision: revisionOf(text), errors: quickCheck(path, text) };
    },

    validate(path, text) {
      if (path !== undefined && text !== undefined) {
        assertEditablePath(path);
        return quickCheck(path, text);
      }
      return build(merged(), new Set(drafts.changes(served()).map((c) => c.path))).errors;
    },

    async saveDraft(path, text, author, revision) {
      assertEditablePath(path);
      return underFileLock(path, async () => {
        assertRevision(path, revision, text);
        const files = drafts.mergedWith(served(), path, text);
        const { errors } = build(files, new Set([path]));
        if (errors.length > 0) throw scriptAppError('INVALID_SCRIPT', 'FILE_HAS_ERRORS', { path, count: errors.length }, { errors });
        await storeDraft(path, text, author);
        await audit(author, 'draft.save', path);
        return { errors: [], revision: revisionOf(text) };
      });
    },

    async deleteFile(path, author, revision) {
      assertEditablePath(path);
      await underFileLock(path, async () => {
        requireFile(path);
        assertRevision(path, revision, null);
        const files = drafts.mergedWith(served(), path, null);
        const { errors } = build(files, new Set([path]));
        if (errors.length > 0) throw scriptAppError('INVALID_SCRIPT', 'DELETE_LEAVES_ERRORS', { path, count: errors.length }, { errors });
        await storeDraft(path, null, author);
        await audit(author, 'draft.delete', path);
      });
    },

    async discardDraft(path, author, revision) {
      if (path === undefined) {
        await dropDraft();
      } else {
        assertEditablePath(path);
        await underFileLock(path, async () => {
          assertRevision(path, revision, served()[path] ?? null);
          await dropDraft(path);
        });
      }
      await audit(author, 'draft.discard', path ?? 'all files');
    },

    intents: intentSummaries,

    intent(id) {
      const summary = intentSummaries().find((i) => i.id === id);
      if (!summary) throw scriptAppError('NOT_FOUND', 'INTENT_NOT_FOUND', { intent: id });
      const text = requireFile(summary.path);
      return { path: summary.path, text, revision: revisionOf(text), definition: parseIntentFile(summary.path, text).intent ?? null };
    },

    templates: templateSummaries,

    template(id) {
      const summary = templateSummaries().find((t) => t.id === id);
      if (!summary) throw scriptAppError('NOT_FOUND', 'TEMPLATES_NOT_FOUND', { intent: id });
      const text = requireFile(summary.path);
      const parsed = parseTemplateFile(summary.path, text);
      const moves: Record<string, { variants: string[]; quickReplies: string[] }> = {};
      for (const [name, m] of Object.entries(parsed.template?.moves ?? {})) {
        moves[name] = { variants: m.variants.map((v) => v.source), quickReplies: m.quickReplies };
      }
      return { path: summary.path, text, revision: revisionOf(text), moves };
    },

    dictionary() {
      const text = merged()[DICTIONARY] ?? '';
      return { path: DICTIONARY, text, revision: revisionOf(merged()[DICTIONARY]), words: parseDictionaryScript(text, DICTIONARY).words };
    },

    async tryPhrase(text) {
      await refresh();
      const bundle = draftBundle();
      const u = bundle.understand(text);
      const base: TryResult = { intent: u.intent, category: u.category, confidence: u.confidence, ranking: u.ranking, replies: [] };
      if (!deps.createEngine) return base;
      // A fresh conversation on a throwaway engine: nothing is stored, nobody is messaged.
      const engine = deps.createEngine(() => bundle);
      const conv = engine.openConversation({ id: `try-${Date.now()}`, buyerId: 'try-it', shopId: deps.shopId });
      const turn = await engine.handleMessage(conv, text);
      return { ...base, replies: turn.replies, ...(turn.handoff ? { handoff: turn.handoff } : {}) };
    },

    render: renderTemplates,

    form(path, text) {
      assertEditablePath(path);
      return formView(path, text ?? requireFile(path));
    },

    applyForm(path, text, form) {
      assertEditablePath(path);
      let next: string;
      try {
        next = applyForm(path, text, form);
      } catch (e) {
        throw new AppError('BAD_FRAME', (e as Error).message);
      }
      return formView(path, next);
    },

    closeness(path, text) {
      assertEditablePath(path);
      if (formKind(path) !== 'intent') return [];
      const after = readForm(path, text);
      if (after?.kind !== 'intent') return [];
      const savedText = merged()[path];
      const before = savedText === undefined ? undefined : readForm(path, savedText);
      const fresh = newExamples(before?.kind === 'intent' ? before.examples : [], after.examples).slice(0, 50);
      const serving = deps.registry.current().bundle;
      const name = namer(intentNames());
      const out: NamedClosenessWarning[] = [];
      for (const example of fresh) {
        const w = closenessWarning(example, after.id, serving.understand(example));
        if (w) out.push({ ...w, intentName: after.name || name(w.intent), rivalName: name(w.rival) });
      }
      return out;
    },

    variables(intent) {
      return Object.entries(templateVariables(intent)).map(([key, doc]) => ({
        name: key,
        description: variableWords(key, doc.description),
        optional: doc.optional === true,
      }));
    },

    tryCast() {
      const products = (deps.shop?.products() ?? []).map((p) => ({ id: p.id, name: p.name, price: p.listPrice }));
      return { buyers: demoBuyers(deps.shop), products };
    },

    async tryConversation(input) {
      await refresh();
      if (input.turns.length > MAX_SESSION_TURNS) throw new AppError('BAD_FRAME', `a try-it session has at most ${MAX_SESSION_TURNS} turns`);
      const now = input.now ?? new Date(Math.floor(clock().getTime() / 60_000) * 60_000).toISOString();
      const at = new Date(now);
      if (Number.isNaN(at.getTime())) throw new AppError('BAD_FRAME', 'now is not a time');
      const session: TrySession = { ...input, now };
      const bundle = draftBundle();
      const results = await playSession(tryEngine(bundle, at), session, deps.shopId);
      const name = namer(intentNames());
      return {
        session,
        turns: results.map((r, i) => ({ ...tryTurn(session.turns[i] ?? '', r), intentName: name(r.replies[0]?.intent ?? r.understanding.intent) })),
      };
    },

    stories() {
      const name = namer(intentNames());
      const project = (deps.listStories?.() ?? []).map((s) => storyView(s, false, name));
      const saved = storiesInFiles(merged()).map((s) => storyView(s, true, name));
      return [...saved, ...project];
    },

    async addStory(session, title, author) {
      await refresh();
      if (session.turns.length === 0) throw new AppError('BAD_FRAME', 'the session has no turns');
      const at = new Date(session.now);
      if (Number.isNaN(at.getTime())) throw new AppError('BAD_FRAME', 'now is not a time');
      const bundle = draftBundle();
      const results = await playSession(tryEngine(bundle, at), session, deps.shopId);
      const story = storyFromSession(session, results, title.trim());
      const stamp = at.toISOString().slice(0, 10).replace(/-/g, '');
      const path = `stories/try-${stamp}-${createHash('sha256')
        .update(`${title}\0${JSON.stringify(session)}\0${clock().getTime()}`)
        .digest('hex')
        .slice(0, 8)}.yaml`;
      await editor.saveDraft(path, storyFileText(story), author);
      return { path, story: storyView({ ...story, file: path }, true, namer(intentNames())) };
    },

    async publish(author, message) {
      await refresh();
      const published = merged();
      const outcome = await publishScripts(
        {
          registry: deps.registry,
          store: deps.store,
          instanceId: deps.instanceId,
          clock,
          ...(deps.runStories ? { runStories: deps.runStories } : {}),
          ...(deps.scriptsDir !== undefined ? { scriptsDir: deps.scriptsDir } : {}),
        },
        { files: published, author, ...(message ? { message } : {}), action: 'publish' },
      );
      if (outcome.ok) await dropPublished(published);
      else if (outcome.reason !== 'unchanged') {
        await audit(
          author,
          'publish.refused',
          outcome.reason === 'invalid' ? `${outcome.errors.length} error(s)` : `${outcome.stories.length} broken stor(ies)`,
        );
      }
      return outcome;
    },

    versions: () => listVersions(deps.store),

    async version(n) {
      return requireVersion(deps.store, n);
    },

    async diff(from, to) {
      if (to === 'draft') {
        await refresh();
        if (from !== null) return diffVersions(deps.store, from, { label: 'draft', files: merged() });
        // The draft against what is serving right now.
        const active = deps.registry.current().version;
        return { from: active, to: 'draft', files: diffFileSets(served(), merged()) };
      }
      return diffVersions(deps.store, from, to);
    },

    async rollback(version, author) {
      const target = await requireVersion(deps.store, version);
      return publishScripts(
        {
          registry: deps.registry,
          store: deps.store,
          instanceId: deps.instanceId,
          clock,
          ...(deps.scriptsDir !== undefined ? { scriptsDir: deps.scriptsDir } : {}),
        },
        { files: target.files, author, message: `回滚到 v${version}`, action: 'rollback', skipStories: true },
      );
    },

    audit: (limit) => listAudit(deps.store, limit),
  };
  return editor;
}

/** The quick phrase file in the template list: one "variant" per phrase, its codes as moves. */
function quickPhrasesSummary(path: string, text: string, draft: DraftChange['kind'] | null): TemplateSummary {
  const { phrases } = parseQuickPhrases(path, text);
  return { id: 'quick_phrases', name: '快捷短语', path, variants: phrases.length, moves: phrases.map((p) => p.code), draft };
}
