/**
 * Loading reply templates: one YAML file per intent (templates/<intent>.yaml) with moves,
 * each a list of Handlebars variants. Every problem is reported as a ScriptError with the
 * file, line and column, so the script editor can point at it: YAML syntax, unknown moves,
 * missing required moves, unknown variables and helpers, constructs we do not allow. Each
 * error carries a code from the script error catalogue (src/scripts/errors.ts), which gives
 * it an English reason and the Chinese message the manager sees.
 */
import Handlebars from 'handlebars';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, Scalar, type Node as YamlNode } from 'yaml';
import { scriptError, scriptMessage, type ParamsOf, type ScriptError, type ScriptErrorCode, type ScriptMessage } from '../scripts/errors';
import { ALLOWED_HELPERS, HELPERS } from './helpers';
import { dayMoveOf, OPTIONAL_MOVES, REQUIRED_MOVES, templateVariables, type VariableSet } from './variables';

export type { ScriptError } from '../scripts/errors';

/** One compiled variant of a move. */
export interface TemplateVariant {
  /** "delivery.tracking/latest#2": stable id for metrics and suggestions. */
  id: string;
  source: string;
  render: HandlebarsTemplateDelegate;
}

export interface TemplateMove {
  variants: TemplateVariant[];
  quickReplies: string[];
}

export interface TemplateFile {
  file: string;
  intent: string;
  /** Short words offered as a quick reply when the bot asks what the buyer meant. */
  label?: string;
  moves: Record<string, TemplateMove>;
}

/** Templates by intent id ('system' holds the engine's own moves). */
export type TemplateSet = Record<string, TemplateFile>;

/** The Handlebars environment replies render in: our helpers only, isolated from the global one. */
export const handlebars = Handlebars.create();
for (const [name, fn] of Object.entries(HELPERS)) handlebars.registerHelper(name, fn);
// Built-ins templates may not call (only if/unless are allowed, see checkTemplateSource): each
// render wraps every registered helper, so the unused ones only cost time.
for (const name of ['each', 'with', 'lookup', 'log']) if (!ALLOWED_HELPERS.has(name)) handlebars.unregisterHelper(name);
const KNOWN_HELPERS = Object.fromEntries([...ALLOWED_HELPERS].map((h) => [h, true]));

interface Position {
  line: number;
  column: number;
}

/**
 * Parses and validates one template file. `knownIntents` (when given) are the intent ids the
 * bundle defines: a template for an intent nobody can reach is an error.
 */
export function parseTemplateFile(
  file: string,
  text: string,
  knownIntents?: ReadonlySet<string>,
): { template?: TemplateFile; errors: ScriptError[] } {
  const errors: ScriptError[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const pos = (node: YamlNode | null | undefined): Position => {
    const offset = node?.range?.[0] ?? 0;
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const fail = <C extends ScriptErrorCode>(p: Position, code: C, params: ParamsOf<C>): void => {
    errors.push(scriptError(code, params, { file, line: p.line, column: p.column }));
  };
  if (doc.errors.length > 0) {
    // A reply that starts with {{ is read by YAML as the start of a {…} mapping, and the
    // errors that follow say nothing about the cause: name the cause instead.
    const unquoted = unquotedBraces(text);
    for (const at of unquoted) fail(at, 'TEMPLATE_NEEDS_QUOTES', {});
    if (unquoted.length > 0) return { errors };
    const seen = new Set<number>();
    for (const e of doc.errors) {
      const p = lc.linePos(e.pos[0]);
      if (seen.has(p.line)) continue; // one line, one message: the first error is the cause
      seen.add(p.line);
      fail({ line: p.line, column: p.col }, 'YAML_SYNTAX', { detail: e.message.split('\n')[0] ?? e.message, yaml: e.code });
    }
    return { errors };
  }
  const root = doc.contents;
  if (!isMap(root)) {
    fail({ line: 1, column: 1 }, 'TEMPLATE_NOT_MAPPING', {});
    return { errors };
  }
  const intentNode = root.get('intent', true);
  if (!isScalar(intentNode) || typeof intentNode.value !== 'string' || intentNode.value === '') {
    fail(pos(root), 'TEMPLATE_MISSING_INTENT', {});
    return { errors };
  }
  const intent = intentNode.value;
  if (knownIntents && intent !== 'system' && !knownIntents.has(intent)) {
    fail(pos(intentNode), 'TEMPLATE_UNKNOWN_INTENT', { intent });
  }
  const template: TemplateFile = { file, intent, moves: {} };
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!['intent', 'label', 'moves', 'description'].includes(key)) {
      fail(pos(pair.key as YamlNode), 'UNKNOWN_FIELD', { field: key, expected: 'intent, label, description, moves' });
    }
  }
  const labelNode = root.get('label', true);
  if (labelNode !== undefined) {
    if (isScalar(labelNode) && typeof labelNode.value === 'string') template.label = labelNode.value;
    else fail(pos(labelNode as YamlNode), 'TEMPLATE_LABEL_NOT_TEXT', {});
  }
  const movesNode = root.get('moves', true);
  if (!isMap(movesNode)) {
    fail(pos((movesNode as YamlNode | undefined) ?? root), 'TEMPLATE_MISSING_MOVES', {});
    return { errors };
  }
  const required = REQUIRED_MOVES[intent] ?? ['reply'];
  const known = [...required, ...(OPTIONAL_MOVES[intent] ?? [])];
  const vars = templateVariables(intent);
  // Moves written in the file, even with errors: those are not also reported missing.
  const present = new Set<string>();
  for (const pair of movesNode.items) {
    const keyNode = pair.key as YamlNode;
    const move = isScalar(keyNode) ? String(keyNode.value) : '';
    // An after-hours version of a known move is known too (afterHoursMove in ./variables).
    if (!known.includes(move) && !known.includes(dayMoveOf(move) ?? '')) {
      fail(pos(keyNode), 'TEMPLATE_UNKNOWN_MOVE', { move, intent, moves: known.join(', ') });
      continue;
    }
    present.add(move);
    const value = pair.value as YamlNode | null;
    let variantNodes: YamlNode[] = [];
    let quickReplies: string[] = [];
    if (isSeq(value)) {
      variantNodes = value.items as YamlNode[];
    } else if (isMap(value)) {
      const v = value.get('variants', true);
      if (isSeq(v)) variantNodes = v.items as YamlNode[];
      const q = value.get('quickReplies', true);
      if (q !== undefined) {
        if (isSeq(q) && q.items.every((i) => isScalar(i) && typeof i.value === 'string')) {
          quickReplies = q.items.map((i) => String((i as Scalar).value));
        } else fail(pos(q as YamlNode), 'TEMPLATE_QUICK_REPLIES', {});
      }
    }
    if (isMap(value) && value.flow) {
      fail(pos(value), 'TEMPLATE_NEEDS_QUOTES', {}); // "welcome: {{x}}" parses as a {…} mapping
      continue;
    }
    if (variantNodes.length === 0) {
      fail(pos(value ?? keyNode), 'TEMPLATE_MOVE_EMPTY', { move });
      continue;
    }
    const variants: TemplateVariant[] = [];
    variantNodes.forEach((node, i) => {
      if (isMap(node) && node.flow) {
        fail(pos(node), 'TEMPLATE_NEEDS_QUOTES', {}); // "- {{x}}" parses as a {…} mapping
        return;
      }
      if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
        fail(pos(node), 'TEMPLATE_VARIANT_EMPTY', {});
        return;
      }
      const at = pos(node);
      const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      // Map a position inside the template text back to the file.
      const toFile = (line: number, column: number): Position =>
        block
          ? { line: at.line + line, column: column + 1 }
          : { line: at.line + line - 1, column: line === 1 ? at.column + column + (quoted ? 1 : 0) : column + 1 };
      const variantErrors = checkTemplateSource(node.value, vars, (line, column, message) =>
        errors.push({ file, ...toFile(line, column), ...message }),
      );
      if (variantErrors > 0) return;
      variants.push({
        id: `${intent}/${move}#${i + 1}`,
        source: node.value,
        render: handlebars.compile(node.value, {
          strict: true,
          noEscape: true,
          knownHelpers: KNOWN_HELPERS,
          knownHelpersOnly: true,
        }),
      });
    });
    template.moves[move] = { variants, quickReplies };
  }
  for (const move of required) {
    if (!present.has(move)) {
      fail(pos(movesNode), 'TEMPLATE_MISSING_MOVE', { move, intent, moves: required.join(', ') });
    }
  }
  return errors.length > 0 ? { errors } : { template, errors };
}

/** Lines where a list item or a value starts with an unquoted "{{" (1-based line and column). */
function unquotedBraces(text: string): Position[] {
  const out: Position[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^(\s*(?:-\s+|[\w.-]+:\s+))\{\{/.exec(line);
    if (m?.[1] !== undefined) out.push({ line: i + 1, column: m[1].length + 1 });
  });
  return out;
}

type Report = (line: number, column: number, message: ScriptMessage) => void;

/**
 * Where and why Handlebars stops parsing `source`: 1-based line, 0-based column within the
 * source. Jison's parse errors ("Expecting 'ID', got 'EOF'") mean nothing to a manager, so
 * they become "not closed" / "unexpected text"; a block closed with the wrong name keeps
 * both names.
 */
export function handlebarsSyntaxError(source: string): { line: number; column: number; message: ScriptMessage } | undefined {
  try {
    Handlebars.parse(source);
    return undefined;
  } catch (e) {
    const err = e as Error & { lineNumber?: number; column?: number };
    const firstLine = err.message.split('\n')[0] ?? err.message;
    if (typeof err.lineNumber === 'number') {
      // Handlebars.Exception ("if doesn't match unless - 2:3"): the block that is not closed.
      const m = /^(\S+) doesn't match (\S+)/.exec(firstLine);
      const message =
        m?.[1] && m[2]
          ? scriptMessage('TEMPLATE_SYNTAX_MISMATCH', { open: m[1], close: m[2] })
          : scriptMessage('TEMPLATE_SYNTAX', { detail: firstLine.replace(/ - \d+:\d+$/, '') });
      return { line: err.lineNumber, column: err.column ?? 0, message };
    }
    // Jison parse errors keep the failing token's position on the shared lexer.
    const loc = (Handlebars as unknown as { Parser: { lexer: { yylloc?: { first_line: number; first_column: number } } } }).Parser.lexer.yylloc;
    const got = /got '([^']+)'/.exec(err.message)?.[1];
    const message = got === 'EOF' ? scriptMessage('TEMPLATE_SYNTAX_UNCLOSED', {}) : scriptMessage('TEMPLATE_SYNTAX_UNEXPECTED', {});
    return { line: loc?.first_line ?? 1, column: loc?.first_column ?? 0, message };
  }
}

/** The documented variable closest to a misspelt one (at most two edits away), or ''. */
function closestVariable(name: string, known: readonly string[]): string {
  let best = '';
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name, k, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it reaches `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...row) >= limit) return limit;
    prev = row;
  }
  return Math.min(prev[b.length] ?? limit, limit);
}

const HELPER_LIST = Object.keys(HELPERS).join('、');

/** Checks a Handlebars source against the variable catalogue; returns how many errors it reported. */
export function checkTemplateSource(source: string, vars: VariableSet, report: Report): number {
  let count = 0;
  const err = <C extends ScriptErrorCode>(line: number, column: number, code: C, params: ParamsOf<C>): void => {
    count++;
    report(line, column, scriptMessage(code, params));
  };
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch {
    const at = handlebarsSyntaxError(source);
    count++;
    report(at?.line ?? 1, at?.column ?? 0, at?.message ?? scriptMessage('TEMPLATE_SYNTAX_UNEXPECTED', {}));
    return count;
  }
  const known = Object.keys(vars);
  const checkPath = (p: hbs.AST.PathExpression): void => {
    const { line, column } = p.loc.start;
    if (p.data) return err(line, column, 'TEMPLATE_DATA_VARIABLE', { name: p.original });
    if (p.depth > 0 || p.original.startsWith('this') || p.original.startsWith('.')) {
      return err(line, column, 'TEMPLATE_CONTEXT_PATH', { name: p.original });
    }
    const name = p.parts.join('.');
    if (!known.some((k) => k === name || k.startsWith(`${name}.`))) {
      err(line, column, 'TEMPLATE_UNKNOWN_VARIABLE', { name, suggestion: closestVariable(name, known) });
    }
  };
  const checkValue = (n: hbs.AST.Expression): void => {
    if (n.type === 'PathExpression') checkPath(n as hbs.AST.PathExpression);
    else if (n.type === 'SubExpression') checkCall(n as hbs.AST.SubExpression, false);
  };
  const checkCall = (n: hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement, block: boolean): void => {
    const path = n.path as hbs.AST.PathExpression;
    const { line, column } = n.loc.start;
    const isCall = block || n.params.length > 0 || (n.hash?.pairs.length ?? 0) > 0 || n.type === 'SubExpression';
    if (isCall) {
      const name = path.original;
      if (block && name !== 'if' && name !== 'unless') err(line, column, 'TEMPLATE_BLOCK_NOT_ALLOWED', { name });
      else if (!block && !(name in HELPERS)) err(line, column, 'TEMPLATE_UNKNOWN_HELPER', { name, helpers: HELPER_LIST });
      for (const p of n.params) checkValue(p);
      for (const pair of n.hash?.pairs ?? []) checkValue(pair.value);
    } else if (path.type === 'PathExpression') {
      checkPath(path);
    }
  };
  const walk = (program: hbs.AST.Program | undefined): void => {
    for (const s of program?.body ?? []) {
      const { line, column } = s.loc.start;
      switch (s.type) {
        case 'MustacheStatement': {
          const m = s as hbs.AST.MustacheStatement;
          if (!m.escaped) err(line, column, 'TEMPLATE_TRIPLE_BRACES', {});
          checkCall(m, false);
          break;
        }
        case 'BlockStatement': {
          const b = s as hbs.AST.BlockStatement;
          checkCall(b, true);
          walk(b.program);
          walk(b.inverse);
          break;
        }
        case 'ContentStatement':
        case 'CommentStatement':
          break;
        default:
          err(line, column, 'TEMPLATE_STATEMENT_NOT_ALLOWED', { kind: s.type });
      }
    }
  };
  walk(ast);
  return count;
}
