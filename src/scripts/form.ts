/**
 * The form view of a script file: what a manager who does not read YAML edits (an intent's
 * Chinese name and example phrases; a template's replies per move, with quick replies).
 * The YAML text stays the one thing saved: `readForm` reads the form out of the text,
 * `applyForm` writes an edited form back into the same text (comments, key order and
 * quoting of untouched lines kept), and `fieldAt` tells which form field a validation
 * error's line belongs to, so the page shows the error beside that field.
 *
 * Field keys: `name`, `description`, `examples`, `examples.3`; `label`,
 * `moves.<move>`, `moves.<move>.variants.1`, `moves.<move>.quickReplies.0`.
 */
import { Document, LineCounter, YAMLMap, YAMLSeq, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { QUICK_PHRASES_PATH } from './quick-phrases';

export interface IntentForm {
  kind: 'intent';
  id: string;
  /** Chinese display name ('' when the file has none). */
  name: string;
  description: string;
  examples: string[];
}

export interface MoveForm {
  move: string;
  variants: string[];
  quickReplies: string[];
}

export interface TemplateForm {
  kind: 'template';
  intent: string;
  /** The words offered as a quick reply when the bot asks what the buyer meant ('' when none). */
  label: string;
  moves: MoveForm[];
}

export type ScriptForm = IntentForm | TemplateForm;

/** Which kind of form a path has; undefined for files only the YAML view edits (dictionary, quick phrases, stories). */
export function formKind(path: string): ScriptForm['kind'] | undefined {
  if (/^intents\/[^/]+\.yaml$/.test(path)) return 'intent';
  if (/^templates\/[^/]+\.yaml$/.test(path) && path !== QUICK_PHRASES_PATH) return 'template';
  return undefined;
}

function parse(text: string, lineCounter?: LineCounter): Document | undefined {
  const doc = parseDocument(text, { prettyErrors: false, ...(lineCounter ? { lineCounter } : {}) });
  return doc.errors.length > 0 || !isMap(doc.contents) ? undefined : doc;
}

const textOf = (node: unknown): string => (isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : '');
const textsOf = (node: unknown): string[] => (isSeq(node) ? node.items.map(textOf) : []);

/** The move's variants and quick replies, whichever of the two shapes it is written in. */
function moveParts(value: unknown): { variants: unknown; quickReplies: unknown } {
  if (isMap(value)) return { variants: value.get('variants', true), quickReplies: value.get('quickReplies', true) };
  return { variants: value, quickReplies: undefined };
}

/** The form read out of a file's text; undefined when the text does not parse (the YAML view shows why). */
export function readForm(path: string, text: string): ScriptForm | undefined {
  const kind = formKind(path);
  const doc = kind ? parse(text) : undefined;
  if (!doc || !isMap(doc.contents)) return undefined;
  const root = doc.contents;
  if (kind === 'intent') {
    return {
      kind,
      id: textOf(root.get('id', true)),
      name: textOf(root.get('name', true)),
      description: textOf(root.get('description', true)),
      examples: textsOf(root.get('examples', true)),
    };
  }
  const moves = root.get('moves', true);
  return {
    kind: 'template',
    intent: textOf(root.get('intent', true)),
    label: textOf(root.get('label', true)),
    moves: isMap(moves)
      ? moves.items.map((pair) => {
          const parts = moveParts(pair.value);
          return { move: textOf(pair.key), variants: textsOf(parts.variants), quickReplies: textsOf(parts.quickReplies) };
        })
      : [],
  };
}

/** Puts `values` into `seq`, keeping the nodes (and their comments, quoting) of values that did not change. */
function fillSeq(doc: Document, seq: YAMLSeq, values: readonly string[]): void {
  seq.items = values.map((v, i) => {
    const old = seq.items[i];
    return isScalar(old) && old.value === v ? old : doc.createNode(v);
  });
}

/** Sets a text field; an empty value removes an optional one. */
function setText(doc: Document, map: YAMLMap, key: string, value: string, optional: boolean, after?: string): void {
  const node = map.get(key, true);
  if (value === '' && optional) {
    map.delete(key);
    return;
  }
  if (isScalar(node)) {
    if (node.value !== value) node.value = value;
    return;
  }
  const pair = doc.createPair(key, value) as Pair;
  const at = after === undefined ? -1 : map.items.findIndex((p) => isScalar(p.key) && p.key.value === after);
  if (at >= 0) map.items.splice(at + 1, 0, pair);
  else map.items.push(pair);
}

function setList(doc: Document, map: YAMLMap, key: string, values: readonly string[], flow = false): void {
  const node = map.get(key, true);
  if (isSeq(node)) fillSeq(doc, node, values);
  else {
    const seq = doc.createNode([...values]) as YAMLSeq;
    if (flow) seq.flow = true;
    map.set(key, seq);
  }
}

/**
 * The file's text with the form's values written in. Fields the form does not show (keywords,
 * handoff rules …) and moves it does not list are left as they are. Throws on text that does
 * not parse (the form is only offered for text that does).
 */
export function applyForm(path: string, text: string, form: ScriptForm): string {
  const doc = parse(text);
  if (!doc || !isMap(doc.contents) || formKind(path) !== form.kind) throw new Error(`${path}: the form does not fit this file`);
  const root = doc.contents;
  if (form.kind === 'intent') {
    setText(doc, root, 'name', form.name.trim(), true, 'id');
    setText(doc, root, 'description', form.description, false);
    setList(doc, root, 'examples', form.examples);
  } else {
    setText(doc, root, 'label', form.label.trim(), true, 'intent');
    const found: unknown = root.get('moves', true);
    let map: YAMLMap;
    if (isMap(found)) map = found;
    else {
      map = doc.createNode({}) as YAMLMap;
      root.set('moves', map);
    }
    for (const m of form.moves) {
      const value = map.get(m.move, true);
      if (isMap(value)) {
        setList(doc, value, 'variants', m.variants);
        if (m.quickReplies.length > 0 || value.has('quickReplies')) setList(doc, value, 'quickReplies', m.quickReplies, true);
      } else if (isSeq(value) && m.quickReplies.length === 0) {
        fillSeq(doc, value, m.variants);
      } else {
        // A move gains quick replies, or is new: the { variants, quickReplies } shape.
        const node = doc.createNode({}) as YAMLMap;
        setList(doc, node, 'variants', m.variants);
        if (m.quickReplies.length > 0) setList(doc, node, 'quickReplies', m.quickReplies, true);
        map.set(m.move, node);
      }
    }
  }
  // The files write lists either flush with their key or indented: keep whichever this one does.
  const indentSeq = !/^[A-Za-z_]+:\s*\n-\s/m.test(text);
  return doc.toString({ lineWidth: 0, indentSeq, flowCollectionPadding: false });
}

interface Spot {
  field: string;
  first: number;
  last: number;
}

/** Every form field of a file with the lines it spans, innermost last. */
function spots(text: string, kind: ScriptForm['kind']): Spot[] {
  const lc = new LineCounter();
  const doc = parse(text, lc);
  if (!doc || !isMap(doc.contents)) return [];
  const lines = (node: unknown): { first: number; last: number } | undefined => {
    const range = (node as Node | undefined)?.range;
    if (!range) return undefined;
    return { first: lc.linePos(range[0]).line, last: lc.linePos(Math.max(range[0], range[1] - 1)).line };
  };
  const out: Spot[] = [];
  const add = (field: string, keyNode: unknown, value: unknown): void => {
    const k = lines(keyNode);
    const v = lines(value);
    const first = k?.first ?? v?.first;
    const last = v?.last ?? k?.last;
    if (first !== undefined && last !== undefined) out.push({ field, first, last });
  };
  const addList = (field: string, keyNode: unknown, seq: unknown): void => {
    add(field, keyNode, seq);
    // Items of a one-line [a, b] list share its line: the error belongs to the list as a whole.
    if (isSeq(seq) && !seq.flow) seq.items.forEach((item, i) => add(`${field}.${i}`, undefined, item));
  };
  for (const pair of doc.contents.items) {
    const key = textOf(pair.key);
    if (kind === 'intent' && key === 'examples') addList('examples', pair.key, pair.value);
    else if (kind === 'template' && key === 'moves' && isMap(pair.value)) {
      add('moves', pair.key, pair.value);
      for (const mp of pair.value.items) {
        const move = `moves.${textOf(mp.key)}`;
        add(move, mp.key, mp.value);
        const parts = moveParts(mp.value);
        addList(`${move}.variants`, undefined, parts.variants);
        if (parts.quickReplies !== undefined) addList(`${move}.quickReplies`, undefined, parts.quickReplies);
      }
    } else add(key, pair.key, pair.value);
  }
  return out;
}

/**
 * The form field an error on `line` (1-based) belongs to: the innermost field whose lines
 * hold it; undefined when none does (the form shows such errors at its top).
 */
export function fieldAt(path: string, text: string, line: number): string | undefined {
  const kind = formKind(path);
  if (!kind || line < 1) return undefined;
  let best: Spot | undefined;
  for (const s of spots(text, kind)) {
    if (line >= s.first && line <= s.last && (!best || s.last - s.first <= best.last - best.first)) best = s;
  }
  return best?.field;
}
