/**
 * The script bundle: everything managers edit (intents, shop dictionary, reply templates, and
 * the conversation stories they saved from try-it, which gate publishing),
 * validated and compiled into what the engine serves from. Building never throws on bad
 * files: every problem comes back as a coded ScriptError {file, line, column?, code, params,
 * reason, localized} (errors.ts) so the script editor can show it, and a bundle exists only
 * when there are no errors.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { trainModel, understand, type IntentDef } from '../nlu';
import { shippedTraining } from '../nlu/load';
import { trainModelInWorker } from '../nlu/train-worker';
import type { Understanding, UnderstandContext } from '../nlu/types';
import { parseTemplateFile, type TemplateSet } from '../replies/templates';
import { REQUIRED_MOVES } from '../replies/variables';
import { scriptError, type ScriptError } from './errors';
import { parseDictionaryScript, parseIntentScript } from './intent-errors';
import { parseQuickPhrases, QUICK_PHRASES_PATH, type QuickPhrase } from './quick-phrases';
import { STORY_PATH, storyFileErrors } from './story-format';

export type { ScriptError } from './errors';

/** The trained NLU model (opaque outside src/nlu). */
export type NluModel = ReturnType<typeof trainModel>;

/** Everything the engine needs to serve one version of the scripts. */
export interface ScriptBundle {
  model: NluModel;
  /** Intent definitions by id. */
  intents: Record<string, IntentDef>;
  /** Reply templates by intent id ('system' holds the engine's own moves). */
  templates: TemplateSet;
  /** The source files the bundle was built from (path → text). */
  files: Record<string, string>;
  /** sha256 over the sorted files: equal hash, equal behaviour. */
  hash: string;
  /** understand(model, text, context?) bound to this bundle's model. */
  understand(text: string, context?: UnderstandContext): Understanding;
  /** The shop's quick phrases for agents (templates/quick_phrases.yaml; none without the file). */
  quickPhrases?: QuickPhrase[];
}

/**
 * How a bundle gets its model: `model` trained elsewhere (a worker thread, on publish); `draft`
 * for the script editor's validation of a draft: the intent files alone, no corpus and no
 * calibration, fast enough for the event loop (the published model is trained in full);
 * neither: the full model, in-process (start-up; cached on disk by its inputs).
 */
export interface BundleTraining {
  model?: NluModel;
  draft?: boolean;
}

const DICTIONARY = 'intents/dictionary.txt';
const SCRIPT_PATH = /^(intents|templates)\/[^/]+\.(ya?ml|txt)$|^stories\/[^/]+\.yaml$/;

/**
 * Validates and compiles script files ('intents/x.yaml' | 'intents/dictionary.txt' |
 * 'templates/x.yaml' → text). Returns the bundle only when there are no errors.
 */
export function buildScriptBundle(files: Record<string, string>, prebuilt: BundleTraining = {}): { bundle?: ScriptBundle; errors: ScriptError[] } {
  const errors: ScriptError[] = [];
  const intents: Record<string, IntentDef> = {};
  const paths = Object.keys(files).sort();
  for (const path of paths) {
    if (!SCRIPT_PATH.test(path)) {
      errors.push(scriptError('NOT_A_SCRIPT_FILE', {}, { file: path, line: 1 }));
    }
  }
  for (const path of paths.filter((p) => p.startsWith('intents/') && /\.ya?ml$/.test(p))) {
    const parsed = parseIntentScript(path, files[path] ?? '');
    errors.push(...parsed.errors);
    if (parsed.intent) {
      if (intents[parsed.intent.id]) {
        errors.push(scriptError('INTENT_DEFINED_TWICE', { intent: parsed.intent.id }, { file: path, line: 1 }));
      }
      intents[parsed.intent.id] = parsed.intent;
    }
  }
  const dictionaryText = files[DICTIONARY] ?? '';
  errors.push(...parseDictionaryScript(dictionaryText, DICTIONARY).errors);
  if (Object.keys(intents).length === 0 && !errors.some((e) => e.file.startsWith('intents/'))) {
    errors.push(scriptError('NO_INTENTS', {}, { file: 'intents/', line: 1 }));
  }

  const known = new Set(Object.keys(intents));
  const templates: TemplateSet = {};
  const quick =
    files[QUICK_PHRASES_PATH] === undefined ? { phrases: [], errors: [] } : parseQuickPhrases(QUICK_PHRASES_PATH, files[QUICK_PHRASES_PATH] ?? '');
  errors.push(...quick.errors);
  for (const path of paths.filter((p) => p.startsWith('templates/') && /\.ya?ml$/.test(p) && p !== QUICK_PHRASES_PATH)) {
    const parsed = parseTemplateFile(path, files[path] ?? '', known);
    errors.push(...parsed.errors);
    const t = parsed.template;
    if (!t) continue;
    if (templates[t.intent]) {
      errors.push(scriptError('TEMPLATES_DEFINED_TWICE', { intent: t.intent, other: templates[t.intent]?.file ?? '' }, { file: path, line: 1 }));
    }
    templates[t.intent] = t;
  }
  // A manager's conversation stories (run before each publish) must at least read as stories.
  for (const path of paths.filter((p) => STORY_PATH.test(p))) errors.push(...storyFileErrors(path, files[path] ?? ''));
  // Every reachable intent needs replies, and the engine needs its own moves.
  for (const id of [...known, 'system']) {
    if (!templates[id] && !errors.some((e) => e.file === `templates/${id}.yaml`)) {
      const needs = (REQUIRED_MOVES[id] ?? ['reply']).join(', ');
      errors.push(scriptError('TEMPLATES_MISSING', { intent: id, moves: needs }, { file: `templates/${id}.yaml`, line: 1 }));
    }
  }
  if (errors.length > 0) return { errors };

  let model: NluModel;
  try {
    // A model trained in a worker thread (publish) is used as is; otherwise train here (start-up, cached).
    model = prebuilt.model ?? trainModel(Object.values(intents), dictionaryText, prebuilt.draft ? { calibration: false } : shippedTraining());
  } catch (e) {
    return { errors: [scriptError('TRAINING_FAILED', { detail: (e as Error).message }, { file: 'intents/', line: 1 })] };
  }
  const hash = createHash('sha256');
  for (const path of paths)
    hash
      .update(path)
      .update('\0')
      .update(files[path] ?? '')
      .update('\0');
  return {
    bundle: {
      model,
      intents,
      templates,
      files: { ...files },
      hash: hash.digest('hex'),
      understand: (text, context) => understand(model, text, context),
      quickPhrases: quick.phrases,
    },
    errors: [],
  };
}

/**
 * Trains the model of a set of script files in a worker thread (publishing must not block the
 * event loop for the seconds training takes). Undefined when the intent files do not parse
 * (buildScriptBundle then reports why) or the worker fails (the build trains in-process).
 */
export async function trainBundleModelInWorker(files: Record<string, string>): Promise<NluModel | undefined> {
  const intents: IntentDef[] = [];
  for (const path of Object.keys(files)
    .sort()
    .filter((p) => SCRIPT_PATH.test(p) && p.startsWith('intents/') && /\.ya?ml$/.test(p))) {
    const parsed = parseIntentScript(path, files[path] ?? '');
    if (!parsed.intent || parsed.errors.length > 0) return undefined;
    intents.push(parsed.intent);
  }
  if (intents.length === 0 || new Set(intents.map((i) => i.id)).size !== intents.length) return undefined;
  try {
    return await trainModelInWorker(intents, files[DICTIONARY] ?? '', shippedTraining());
  } catch {
    return undefined;
  }
}

/** Reads intents/*.yaml, intents/dictionary.txt, templates/*.yaml and stories/*.yaml under `rootDir`. */
export function loadScriptFiles(rootDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of ['intents', 'templates', 'stories']) {
    const abs = join(rootDir, dir);
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (!/\.(ya?ml|txt)$/.test(name)) continue;
      const path = join(abs, name);
      if (!statSync(path).isFile()) continue;
      files[`${dir}/${name}`] = readFileSync(path, 'utf8');
    }
  }
  return files;
}
