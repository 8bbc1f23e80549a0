/**
 * Loading reply templates: one YAML file per intent (templates/<intent>.yaml) with moves,
 * each a list of Handlebars variants. Every problem is reported as a ScriptError with the
 * file, line and column, so the script editor can point at it: YAML syntax, unknown moves,
 * missing required moves, unknown variables and helpers, constructs we do not allow.
 */
import Handlebars from 'handlebars';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, Scalar, type Node as YamlNode } from 'yaml';
import { ALLOWED_HELPERS, HELPERS } from './helpers';
import { REQUIRED_MOVES, templateVariables, type VariableSet } from './variables';

/** A problem in a script file, positioned for an editor (1-based line and column). */
export interface ScriptError {
  file: string;
  line: number;
  column?: number;
  reason: string;
}

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
  const fail = (p: Position, reason: string): void => {
    errors.push({ file, line: p.line, column: p.column, reason });
  };
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    fail({ line: p.line, column: p.col }, `YAML: ${e.message.split('\n')[0] ?? e.message}`);
  }
  if (errors.length > 0) return { errors };
  const root = doc.contents;
  if (!isMap(root)) {
    fail({ line: 1, column: 1 }, 'expected a mapping with intent and moves');
    return { errors };
  }
  const intentNode = root.get('intent', true);
  if (!isScalar(intentNode) || typeof intentNode.value !== 'string' || intentNode.value === '') {
    fail(pos(root), 'missing "intent" (the intent id these replies belong to)');
    return { errors };
  }
  const intent = intentNode.value;
  if (knownIntents && intent !== 'system' && !knownIntents.has(intent)) {
    fail(pos(intentNode), `unknown intent "${intent}" (no intents/${intent}.yaml)`);
  }
  const template: TemplateFile = { file, intent, moves: {} };
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!['intent', 'label', 'moves', 'description'].includes(key)) {
      fail(pos(pair.key as YamlNode), `unknown field "${key}" (expected intent, label, description, moves)`);
    }
  }
  const labelNode = root.get('label', true);
  if (labelNode !== undefined) {
    if (isScalar(labelNode) && typeof labelNode.value === 'string') template.label = labelNode.value;
    else fail(pos(labelNode as YamlNode), 'label must be a string');
  }
  const movesNode = root.get('moves', true);
  if (!isMap(movesNode)) {
    fail(pos((movesNode as YamlNode | undefined) ?? root), 'missing "moves" mapping');
    return { errors };
  }
  const required = REQUIRED_MOVES[intent] ?? ['reply'];
  const vars = templateVariables(intent);
  for (const pair of movesNode.items) {
    const keyNode = pair.key as YamlNode;
    const move = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!required.includes(move)) {
      fail(pos(keyNode), `unknown move "${move}" for ${intent} (moves: ${required.join(', ')})`);
      continue;
    }
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
        } else fail(pos(q as YamlNode), 'quickReplies must be a list of strings');
      }
    }
    if (variantNodes.length === 0) {
      fail(pos(value ?? keyNode), `move "${move}" needs at least one variant`);
      continue;
    }
    const variants: TemplateVariant[] = [];
    variantNodes.forEach((node, i) => {
      if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
        fail(pos(node), 'a variant must be a non-empty string');
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
      const variantErrors = checkTemplateSource(node.value, vars, (line, column, reason) =>
        errors.push({ file, ...toFile(line, column), reason }),
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
    if (!(move in template.moves) && !errors.some((e) => e.reason.includes(`"${move}"`))) {
      fail(pos(movesNode), `missing move "${move}" (${intent} needs: ${required.join(', ')})`);
    }
  }
  return errors.length > 0 ? { errors } : { template, errors };
}

type Report = (line: number, column: number, reason: string) => void;

/** Checks a Handlebars source against the variable catalogue; returns how many errors it reported. */
export function checkTemplateSource(source: string, vars: VariableSet, report: Report): number {
  let count = 0;
  const err: Report = (l, c, r) => {
    count++;
    report(l, c, r);
  };
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (e) {
    const message = (e as Error).message;
    const line = Number(/line (\d+)/.exec(message)?.[1] ?? 1);
    err(line, 0, `template syntax: ${message.split('\n').slice(-1)[0] ?? message}`);
    return count;
  }
  const known = Object.keys(vars);
  const checkPath = (p: hbs.AST.PathExpression): void => {
    const { line, column } = p.loc.start;
    if (p.data) return err(line, column, `@-variables are not allowed: ${p.original}`);
    if (p.depth > 0 || p.original.startsWith('this') || p.original.startsWith('.')) {
      return err(line, column, `context paths are not allowed: ${p.original}`);
    }
    const name = p.parts.join('.');
    if (!known.some((k) => k === name || k.startsWith(`${name}.`))) {
      err(line, column, `unknown variable "${name}"`);
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
      if (block && name !== 'if' && name !== 'unless') err(line, column, `block "${name}" is not allowed (only #if, #unless)`);
      else if (!block && !(name in HELPERS)) err(line, column, `unknown helper "${name}"`);
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
          if (!m.escaped) err(line, column, 'triple braces {{{ }}} are not allowed; replies are plain text');
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
          err(line, column, `${s.type} is not allowed in reply templates`);
      }
    }
  };
  walk(ast);
  return count;
}
