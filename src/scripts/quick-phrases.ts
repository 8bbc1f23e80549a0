/**
 * Quick phrases (快捷短语): short replies the shop writes for its agents, who insert one by
 * typing `/code` in the console. They live beside the reply templates as manager data
 * (templates/quick_phrases.yaml), so they go through the same draft → validate → publish
 * path and versions. Variables are a small fixed set filled in by the console from the open
 * chat; anything else is an error at validation, not a "{{typo}}" sent to a buyer.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { scriptError, type ScriptError } from './errors';

export const QUICK_PHRASES_PATH = 'templates/quick_phrases.yaml';

/** Variables a quick phrase may use, with the words the editor and console show for them. */
export const QUICK_PHRASE_VARIABLES: Readonly<Record<string, string>> = {
  buyerName: '买家称呼（不知道名字时为“亲”）',
  agentName: '客服自己的名字',
  orderNumber: '当前订单号',
};

export interface QuickPhrase {
  code: string;
  title: string;
  text: string;
}

const CODE = /^[a-z0-9_]{1,20}$/;
const VARIABLE = /\{\{\s*([^}\s]*)\s*\}\}/g;

/** Parses and checks the quick phrase file; phrases only when there are no errors. */
export function parseQuickPhrases(file: string, text: string): { phrases: QuickPhrase[]; errors: ScriptError[] } {
  const errors: ScriptError[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: YamlNode | null | undefined): number => lc.linePos(node?.range?.[0] ?? 0).line;
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    errors.push(scriptError('YAML_SYNTAX', { detail: e.message.split('\n')[0] ?? e.message, yaml: e.code }, { file, line: p.line, column: p.col }));
  }
  if (errors.length > 0) return { phrases: [], errors };
  const root = doc.contents;
  const list = isMap(root) ? root.get('phrases', true) : undefined;
  if (!isSeq(list)) return { phrases: [], errors: [scriptError('QUICK_PHRASES_SHAPE', {}, { file, line: lineOf(root) })] };

  const phrases: QuickPhrase[] = [];
  const seen = new Set<string>();
  const allowed = Object.keys(QUICK_PHRASE_VARIABLES)
    .map((v) => `{{${v}}}`)
    .join('、');
  for (const item of list.items) {
    const line = lineOf(item as YamlNode);
    if (!isMap(item)) {
      errors.push(scriptError('QUICK_PHRASES_SHAPE', {}, { file, line }));
      continue;
    }
    const field = (name: string): string | undefined => {
      const node = item.get(name, true);
      return isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '' ? node.value.trim() : undefined;
    };
    const code = field('code');
    const title = field('title');
    const body = field('text');
    for (const [name, value] of [
      ['code', code],
      ['title', title],
      ['text', body],
    ] as const) {
      if (value === undefined) errors.push(scriptError('QUICK_PHRASE_FIELD', { field: name }, { file, line }));
    }
    if (code === undefined || title === undefined || body === undefined) continue;
    if (!CODE.test(code)) errors.push(scriptError('QUICK_PHRASE_CODE', { code }, { file, line }));
    else if (seen.has(code)) errors.push(scriptError('QUICK_PHRASE_DUPLICATE', { code }, { file, line }));
    seen.add(code);
    for (const m of body.matchAll(VARIABLE)) {
      const name = m[1] ?? '';
      if (!Object.hasOwn(QUICK_PHRASE_VARIABLES, name)) errors.push(scriptError('QUICK_PHRASE_VARIABLE', { name, allowed }, { file, line }));
    }
    phrases.push({ code, title, text: body });
  }
  return errors.length > 0 ? { phrases: [], errors } : { phrases, errors };
}
