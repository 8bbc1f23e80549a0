/**
 * Reading the manager-owned NLU data: one YAML file per intent (intents/<id>.yaml) and the
 * shop dictionary (intents/dictionary.txt). Both are untrusted input from the script editor,
 * so every problem becomes a ScriptError with a line number instead of an exception.
 */
import { parseDocument, LineCounter, isMap } from 'yaml';
import { z } from 'zod';
import { CATEGORIES, type Category, type EntityKind } from './types';

/** One problem found in a manager-edited file; `line`/`column` are 1-based. */
export interface ScriptError {
  file: string;
  line: number;
  column?: number;
  reason: string;
}

/** One intent as the managers wrote it. */
export interface IntentDef {
  id: string;
  /** The intent's name in Chinese, as managers and agents see it (the script editor's lists). */
  name?: string;
  category: Category;
  description: string;
  handoff?: { always: boolean; priority: 'normal' | 'high' | 'urgent' };
  /** Example buyer messages (written by us, never copied from buyer data). */
  examples: string[];
  /**
   * Optional cue words: when one occurs in a message the classifier gets a feature for this
   * intent. The model learns how much to trust it from the examples.
   */
  keywords: string[];
  /**
   * When true the intent is only chosen if one of its cue words occurs; otherwise the next
   * intent in the ranking wins. For intents whose false alarms are costly (a bad-review
   * escalation for a neutral question).
   */
  requiresKeyword: boolean;
  /** Entity kinds that count like a cue word for `requiresKeyword` (a named price for bargaining). */
  entityCues: EntityKind[];
  /**
   * Words that settle the intent whatever else the message says: the labelling rule "a threat
   * of a bad review or a complaint wins over everything" (不退款我就差评 is a complaint).
   */
  decisiveKeywords: string[];
  /**
   * Categories this intent gives way to: when a cue word of an intent in one of them occurs and
   * none of `holdsWith` does, the best-ranked intent of those categories wins. An address read
   * out next to a delivery question is about delivery; an address intent holds only with a
   * change / confirm / give cue.
   */
  yieldsTo: Category[];
  /** Words that keep this intent even when a `yieldsTo` category is cued. */
  holdsWith: string[];
}

/** A shop dictionary entry in jieba user-dict format: `word [freq] [tag]`. */
export interface DictionaryWord {
  word: string;
  freq?: number;
  tag?: string;
}

const INTENT_ID_RE = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

const intentSchema = z
  .object({
    id: z.string().regex(INTENT_ID_RE, 'id must look like category.name, lower case'),
    name: z.string().trim().min(1, 'the name is empty').max(40, 'the name is longer than 40 characters').optional(),
    category: z.enum(CATEGORIES),
    description: z.string().min(1),
    handoff: z
      .object({
        always: z.boolean().default(false),
        priority: z.enum(['normal', 'high', 'urgent']).default('normal'),
      })
      .optional(),
    examples: z.array(z.string().trim().min(1, 'an example is empty')).min(1, 'at least one example is needed'),
    keywords: z.array(z.string().trim().min(1, 'a keyword is empty')).default([]),
    requires_keyword: z.boolean().default(false),
    decisive_keywords: z.array(z.string().trim().min(1, 'a keyword is empty')).default([]),
    yields_to: z.array(z.enum(CATEGORIES)).default([]),
    holds_with: z.array(z.string().trim().min(1, 'a keyword is empty')).default([]),
    entity_cues: z.array(z.enum(['money', 'order', 'tracking', 'courier', 'phone', 'address', 'size', 'color'])).default([]),
  })
  .strict();

/**
 * Parse and validate one intent file. Returns the intent, or the errors with their lines.
 * The id must match the file name (intents/return.refund.yaml → return.refund).
 */
export function parseIntentFile(path: string, text: string): { intent?: IntentDef; errors: ScriptError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): { line: number; column: number } => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    return { errors: doc.errors.map((e) => ({ file: path, ...at(e.pos[0]), reason: e.message.split('\n')[0] ?? e.message })) };
  }
  const data: unknown = doc.toJS();
  const parsed = intentSchema.safeParse(data);
  if (!parsed.success) {
    return {
      errors: parsed.error.issues.map((issue) => {
        // Point at the offending node when the path leads to one.
        const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
        const where =
          node && typeof node === 'object' && node.range
            ? at(node.range[0])
            : isMap(doc.contents)
              ? at(doc.contents.range[0])
              : { line: 1, column: 1 };
        const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        return { file: path, ...where, reason: field + issue.message };
      }),
    };
  }
  const {
    requires_keyword: requiresKeyword,
    entity_cues: entityCues,
    decisive_keywords: decisiveKeywords,
    yields_to: yieldsTo,
    holds_with: holdsWith,
    ...intent
  } = parsed.data;
  if (requiresKeyword && intent.keywords.length === 0) {
    return { errors: [{ file: path, line: 1, reason: 'requires_keyword is true but there are no keywords' }] };
  }
  const base = path
    .split('/')
    .pop()
    ?.replace(/\.(ya?ml|json)$/, '');
  if (base !== undefined && base !== intent.id && /\.(ya?ml|json)$/.test(path)) {
    return { errors: [{ file: path, line: 1, reason: `id "${intent.id}" does not match the file name "${base}"` }] };
  }
  const prefix = intent.id.split('.')[0];
  if (prefix !== intent.category) {
    return { errors: [{ file: path, line: 1, reason: `id "${intent.id}" must start with its category "${intent.category}."` }] };
  }
  return {
    intent: {
      ...intent,
      requiresKeyword,
      entityCues,
      decisiveKeywords,
      yieldsTo,
      holdsWith,
      handoff: intent.handoff ? { always: intent.handoff.always, priority: intent.handoff.priority } : undefined,
    },
    errors: [],
  };
}

/**
 * Parse the shop dictionary: one `word [freq] [tag]` per line, `#` starts a comment.
 * Bad lines are reported and skipped; the rest still loads.
 */
export function parseDictionary(text: string, file = 'intents/dictionary.txt'): { words: DictionaryWord[]; errors: ScriptError[] } {
  const words: DictionaryWord[] = [];
  const errors: ScriptError[] = [];
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    const [word, second, third, ...rest] = parts;
    if (word === undefined) return;
    if (rest.length > 0) {
      errors.push({ file, line: i + 1, reason: 'expected "word [freq] [tag]"' });
      return;
    }
    let freq: number | undefined;
    let tag: string | undefined;
    if (second !== undefined) {
      if (/^\d+$/.test(second)) freq = Number(second);
      else if (third === undefined && /^[a-z]+$/i.test(second)) tag = second;
      else {
        errors.push({ file, line: i + 1, column: rawLine.indexOf(second) + 1, reason: `frequency must be a whole number, got "${second}"` });
        return;
      }
    }
    if (third !== undefined) {
      if (!/^[a-z]+$/i.test(third)) {
        errors.push({ file, line: i + 1, column: rawLine.indexOf(third) + 1, reason: `tag must be letters, got "${third}"` });
        return;
      }
      tag = third;
    }
    words.push({ word, ...(freq !== undefined ? { freq } : {}), ...(tag !== undefined ? { tag } : {}) });
  });
  return { words, errors };
}
