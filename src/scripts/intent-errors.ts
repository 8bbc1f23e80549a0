/**
 * Intent files and the shop dictionary as the script editor reads them: src/nlu parses them
 * (its errors carry only an English reason), and this module gives each error its code from
 * the script error catalogue (errors.ts), so a manager reads it in Chinese.
 *
 * The NLU parser's wording is the input here. A reason this module does not recognise still
 * gets a code (INTENT_INVALID / DICTIONARY_INVALID) with the English text as its detail, so
 * a reworded message degrades to "意图文件有问题：<English>", never to nothing.
 */
import { LineCounter, parseDocument } from 'yaml';
import { parseDictionary, parseIntentFile, type DictionaryWord, type IntentDef } from '../nlu';
import { scriptError, type ScriptError, type ScriptPosition } from './errors';

/** Raw error from src/nlu. */
interface NluError {
  file: string;
  line: number;
  column?: number;
  reason: string;
}

const INTENT_FIELDS = [
  'id',
  'category',
  'description',
  'examples',
  'keywords',
  'requires_keyword',
  'decisive_keywords',
  'yields_to',
  'holds_with',
  'entity_cues',
  'handoff',
].join(', ');

/** `"a"|"b"|"c"` → `a、b、c`. */
function choices(list: string): string {
  return [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('、');
}

/** The scalar written at a dotted field path ("examples.2"), for quoting it back. */
function valueAt(text: string, field: string): string {
  const doc = parseDocument(text);
  const path = field.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  const value: unknown = doc.getIn(path);
  return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Codes one schema or naming error from parseIntentFile (YAML syntax errors are handled before). */
function codeIntentError(e: NluError, text: string): ScriptError {
  const at: ScriptPosition = { file: e.file, line: e.line, ...(e.column !== undefined ? { column: e.column } : {}) };
  const r = e.reason;
  let m: RegExpExecArray | null;
  if ((m = /^id "([^"]*)" does not match the file name "([^"]*)"$/.exec(r))) {
    return scriptError('INTENT_ID_FILE_MISMATCH', { id: m[1] ?? '', base: m[2] ?? '' }, at);
  }
  if ((m = /^id "([^"]*)" must start with its category "([^"]*?)\.?"$/.exec(r))) {
    return scriptError('INTENT_ID_CATEGORY_MISMATCH', { id: m[1] ?? '', category: m[2] ?? '' }, at);
  }
  if (/^requires_keyword is true but there are no keywords/.test(r)) return scriptError('INTENT_KEYWORD_REQUIRED', {}, at);
  if ((m = /^Unrecognized keys?: (.*)$/.exec(r))) {
    return scriptError('UNKNOWN_FIELD', { field: choices(m[1] ?? '') || (m[1] ?? ''), expected: INTENT_FIELDS }, at);
  }
  if ((m = /^Invalid input: expected (\w+), received (\w+)$/.exec(r))) {
    return scriptError('INTENT_NOT_MAPPING', { received: m[2] ?? '' }, at);
  }
  // Schema issues on a field: "examples.1: an example is empty".
  const fm = /^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): (.*)$/.exec(r);
  if (fm) {
    const field = fm[1] ?? '';
    const issue = fm[2] ?? '';
    if (issue === 'an example is empty') return scriptError('EXAMPLE_EMPTY', {}, at);
    if (issue === 'a keyword is empty') return scriptError('KEYWORD_EMPTY', {}, at);
    if (issue === 'at least one example is needed') return scriptError('NO_EXAMPLES', {}, at);
    if (field === 'id' && /category\.name/.test(issue)) return scriptError('INTENT_BAD_ID', { id: valueAt(text, 'id') }, at);
    if ((m = /^Invalid option: expected one of (.*)$/.exec(issue))) {
      return scriptError('INTENT_FIELD_CHOICE', { field, value: valueAt(text, field), allowed: choices(m[1] ?? '') }, at);
    }
    if ((m = /^Invalid input: expected (\w+), received (\w+)$/.exec(issue))) {
      if (m[2] === 'undefined') return scriptError('INTENT_FIELD_MISSING', { field }, at);
      return scriptError('INTENT_FIELD_TYPE', { field, expected: m[1] ?? '', received: m[2] ?? '' }, at);
    }
  }
  return scriptError('INTENT_INVALID', { detail: r }, at);
}

/**
 * Parses one intent file with src/nlu and returns its errors coded. YAML syntax errors are
 * taken from the yaml library directly (the same parser src/nlu uses), which names their kind.
 */
export function parseIntentScript(path: string, text: string): { intent?: IntentDef; errors: ScriptError[] } {
  const parsed = parseIntentFile(path, text);
  if (parsed.errors.length === 0) return parsed.intent ? { intent: parsed.intent, errors: [] } : { errors: [] };
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const p = lc.linePos(e.pos[0]);
        return scriptError(
          'YAML_SYNTAX',
          { detail: e.message.split('\n')[0] ?? e.message, yaml: e.code },
          { file: path, line: p.line, column: p.col },
        );
      }),
    };
  }
  return { errors: parsed.errors.map((e) => codeIntentError(e, text)) };
}

/** Parses the shop dictionary with src/nlu and returns its errors coded. */
export function parseDictionaryScript(text: string, file: string): { words: DictionaryWord[]; errors: ScriptError[] } {
  const parsed = parseDictionary(text, file);
  return {
    words: parsed.words,
    errors: parsed.errors.map((e) => {
      const at: ScriptPosition = { file: e.file, line: e.line, ...(e.column !== undefined ? { column: e.column } : {}) };
      let m: RegExpExecArray | null;
      if (/^expected "word \[freq\] \[tag\]"/.test(e.reason)) return scriptError('DICTIONARY_LINE', {}, at);
      if ((m = /^frequency must be a whole number, got "(.*)"$/.exec(e.reason)))
        return scriptError('DICTIONARY_FREQUENCY', { value: m[1] ?? '' }, at);
      if ((m = /^tag must be letters, got "(.*)"$/.exec(e.reason))) return scriptError('DICTIONARY_TAG', { value: m[1] ?? '' }, at);
      return scriptError('DICTIONARY_INVALID', { detail: e.reason }, at);
    }),
  };
}
