/**
 * Validation of a complete set of script files before a draft is accepted or published.
 * `buildScriptBundle` (bundle.ts) already rejects what would not load: intent schema, YAML
 * syntax, malformed dictionary lines, Handlebars syntax, unknown template variables and
 * helpers, missing moves. This module adds the checks that only matter when a manager edits
 * the set as a whole:
 *   - an example phrase that already belongs to another intent (the model cannot learn both);
 *   - an intent with too few examples to be recognised reliably;
 *   - the exact line and column of a Handlebars syntax error (the bundle reports where the
 *     variant starts; a manager needs to see where inside it the braces go wrong).
 * Every error names the file, the line and carries a code from the catalogue (errors.ts).
 */
import { LineCounter, Scalar, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { handlebarsSyntaxError } from '../replies/templates';
import { buildScriptBundle, type ScriptBundle } from './bundle';
import { scriptError, type ScriptError } from './errors';
import { templateSetLimitErrors } from './template-limits';

export type { ScriptError } from './errors';

/** Fewer examples than this and an intent is rarely recognised; the editor refuses it. */
export const MIN_EXAMPLES = 5;

/** One example phrase and where it is written. */
interface ExampleAt {
  file: string;
  intent: string;
  text: string;
  line: number;
  column: number;
}

/**
 * The same phrase written differently (full-width, spaces, punctuation, case) is the same
 * example to the classifier, so conflicts compare this key.
 */
export function exampleKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Examples of one intent file with their positions; undefined when the file does not parse. */
function examplesOf(file: string, text: string): { intent: string; examples: ExampleAt[]; line: number } | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const idNode = doc.contents.get('id', true);
  const intent = isScalar(idNode) && typeof idNode.value === 'string' ? idNode.value : undefined;
  if (intent === undefined) return undefined;
  const seq = doc.contents.get('examples', true);
  const examples: ExampleAt[] = [];
  let line = lc.linePos(doc.contents.range[0]).line;
  if (isSeq(seq)) {
    line = lc.linePos(seq.range?.[0] ?? 0).line;
    for (const item of seq.items) {
      if (!isScalar(item) || typeof item.value !== 'string') continue;
      const p = lc.linePos(item.range?.[0] ?? 0);
      examples.push({ file, intent, text: item.value, line: p.line, column: p.col });
    }
  } else {
    const key = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'examples');
    if (key && isScalar(key.key)) line = lc.linePos(key.key.range?.[0] ?? 0).line;
  }
  return { intent, examples, line };
}

function isIntentFile(path: string): boolean {
  return path.startsWith('intents/') && path.endsWith('.yaml');
}

/**
 * Cross-file checks on the intent files. `focus` (paths edited in the draft) decides which
 * side of a conflict is reported: the phrase the manager just added, not the old one.
 */
export function checkExamples(files: Record<string, string>, focus: ReadonlySet<string> = new Set()): ScriptError[] {
  const errors: ScriptError[] = [];
  const owner = new Map<string, ExampleAt>();
  // Files not being edited claim their phrases first, so the edited file gets the error.
  const paths = Object.keys(files)
    .filter(isIntentFile)
    .sort((a, b) => Number(focus.has(a)) - Number(focus.has(b)) || a.localeCompare(b));
  for (const path of paths) {
    const parsed = examplesOf(path, files[path] ?? '');
    if (!parsed) continue; // syntax errors come from the bundle build
    const seenHere = new Set<string>();
    for (const ex of parsed.examples) {
      const key = exampleKey(ex.text);
      if (key === '') continue;
      const first = owner.get(key);
      if (first && first.intent !== ex.intent) {
        errors.push(
          scriptError(
            'EXAMPLE_TAKEN',
            { example: ex.text, intent: first.intent, otherFile: first.file, otherLine: first.line },
            { file: path, line: ex.line, column: ex.column },
          ),
        );
      } else if (seenHere.has(key)) {
        errors.push(scriptError('EXAMPLE_DUPLICATE', { example: ex.text }, { file: path, line: ex.line, column: ex.column }));
      } else if (!first) {
        owner.set(key, ex);
      }
      seenHere.add(key);
    }
    const distinct = seenHere.size;
    if (distinct < MIN_EXAMPLES) {
      errors.push(scriptError('TOO_FEW_EXAMPLES', { count: distinct, min: MIN_EXAMPLES }, { file: path, line: parsed.line }));
    }
  }
  return errors;
}

/**
 * Precise positions of Handlebars syntax errors in one template file: each variant is parsed
 * on its own and the error position is mapped back through the YAML scalar to the file.
 */
export function templateSyntaxErrors(file: string, text: string): ScriptError[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) return [];
  const lines = text.split(/\r?\n/);
  const errors: ScriptError[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('{{')) return;
      const at = handlebarsSyntaxError(node.value);
      if (!at) return;
      const start = lc.linePos(node.range?.[0] ?? 0);
      let line: number;
      let column: number;
      if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
        line = start.line + at.line;
        const indent = /^\s*/.exec(lines[line - 1] ?? '')?.[0].length ?? 0;
        column = indent + at.column + 1;
      } else {
        const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
        line = start.line + at.line - 1;
        column = at.line === 1 ? start.col + at.column + (quoted ? 1 : 0) : at.column + 1;
      }
      errors.push({ file, line, column, ...at.message });
    },
  });
  return errors;
}

const isSyntaxError = (e: ScriptError): boolean => e.code.startsWith('TEMPLATE_SYNTAX');

/** Replaces the bundle's coarsely positioned template-syntax errors with precisely positioned ones. */
export function refineTemplateErrors(files: Record<string, string>, errors: ScriptError[]): ScriptError[] {
  const coarse = new Set(errors.filter(isSyntaxError).map((e) => e.file));
  if (coarse.size === 0) return errors;
  const out = errors.filter((e) => !(coarse.has(e.file) && isSyntaxError(e)));
  for (const file of coarse) {
    const precise = templateSyntaxErrors(file, files[file] ?? '');
    // Fall back to the bundle's own errors if the two parsers ever disagree.
    out.push(...(precise.length > 0 ? precise : errors.filter((e) => e.file === file && isSyntaxError(e))));
  }
  return out;
}

export interface ValidationResult {
  bundle?: ScriptBundle;
  errors: ScriptError[];
}

/**
 * Builds the bundle and runs the editor's extra checks on the files in `focus` (the ones
 * being changed). A result with errors has no bundle: nothing that fails here may serve
 * buyers. Example problems in files nobody is touching do not block an unrelated change;
 * they are reported when that file is edited (and logged at start, see boot.ts).
 */
export function validateScripts(
  files: Record<string, string>,
  focus: ReadonlySet<string> = new Set(),
  prebuilt: Parameters<typeof buildScriptBundle>[1] = { draft: true },
): ValidationResult {
  // Too large or too deeply nested templates are refused before anything parses them.
  const limits = templateSetLimitErrors(files);
  if (limits.length > 0) return { errors: limits };
  const built = buildScriptBundle(files, prebuilt);
  const errors: ScriptError[] = refineTemplateErrors(files, built.errors);
  const seen = new Set(errors.map((e) => `${e.file}:${e.line}:${e.reason}`));
  for (const e of checkExamples(files, focus).filter((x) => focus.has(x.file))) {
    const key = `${e.file}:${e.line}:${e.reason}`;
    if (!seen.has(key)) errors.push(e);
    seen.add(key);
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  if (errors.length > 0 || !built.bundle) return { errors };
  return { bundle: built.bundle, errors };
}
