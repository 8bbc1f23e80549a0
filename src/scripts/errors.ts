/**
 * The catalogue of script errors: every problem the script editor reports about a file a
 * manager edits (intents, dictionary, templates), about a conversation story that breaks,
 * or about an editor request (a stale save, nothing to publish …) has a stable code, the
 * parameters that fill it in, an English reason (logs, API clients) and a Chinese message
 * for the shop manager. The codes are the contract; both texts may be reworded.
 *
 * This module imports only src/errors.ts, so the template loader (src/replies) and the NLU
 * file mapping (intent-errors.ts) share it without a cycle. The /manage page shows
 * `localized` and falls back to `reason`, so a code the page has never seen still reads as
 * something.
 */
import { AppError, type ErrorCode } from '../errors';

type ParamValue = string | number;
export type ScriptErrorParams = Readonly<Record<string, ParamValue>>;

interface Entry<P> {
  en: (p: P) => string;
  zh: (p: P) => string;
}

// `Record<never, never>` would let any object through; `{}`-free params read better as NoParams.
type NoParams = Readonly<Record<string, never>>;

function entry<P extends ScriptErrorParams = NoParams>(en: (p: P) => string, zh: (p: P) => string): Entry<P> {
  return { en, zh };
}

/** `table[key]` only for the table's own entries: a field or code named `constructor` is not a lookup on Object.prototype. */
function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A name in Chinese quotes: 意图“delivery.when”. */
const q = (s: ParamValue): string => `“${s}”`;

/** What a manager can do about a YAML syntax error, by the yaml library's error code. */
const YAML_HINTS: Record<string, string> = {
  BAD_INDENT: '缩进没有对齐：同一层的行要用同样多的空格开头',
  TAB_AS_INDENT: '用了 Tab 键缩进，请改用空格',
  MISSING_CHAR: '缺少配对的引号、括号或冒号',
  DUPLICATE_KEY: '同一个字段写了两次',
  MULTILINE_IMPLICIT_KEY: '“字段: 值”要写在同一行，冒号后面要有一个空格',
  BLOCK_AS_IMPLICIT_KEY: '“字段: 值”要写在同一行，冒号后面要有一个空格',
  UNEXPECTED_TOKEN: '这里有多余或不认识的符号；以 [ { @ ` * & 等符号开头的文字请加引号',
  BAD_SCALAR_START: '以 [ { @ ` * & 等符号开头的文字请加引号',
  BAD_DQ_ESCAPE: '双引号里的反斜杠 \\ 用法不对',
  BLOCK_IN_FLOW: '方括号 [ ] 或花括号 { } 里不能换行写列表',
  MULTIPLE_DOCS: '文件里只能有一份内容（去掉多余的 ---）',
};

/** Chinese names of the fields of an intent file, for messages about them. */
const INTENT_FIELDS: Record<string, string> = {
  id: '意图编号（id）',
  category: '分类（category）',
  description: '说明（description）',
  examples: '例句（examples）',
  keywords: '关键词（keywords）',
  requires_keyword: '“必须出现关键词”（requires_keyword）',
  decisive_keywords: '决定性关键词（decisive_keywords）',
  yields_to: '让位分类（yields_to）',
  holds_with: '保留关键词（holds_with）',
  entity_cues: '实体线索（entity_cues）',
  handoff: '转人工设置（handoff）',
  'handoff.always': '总是转人工（handoff.always）',
  'handoff.priority': '转人工优先级（handoff.priority）',
};

/** "examples.2" → "例句（examples）第 3 条". */
export function intentFieldLabel(field: string): string {
  const m = /^(.*?)\.(\d+)$/.exec(field);
  if (m?.[1] !== undefined && m[2] !== undefined) return `${intentFieldLabel(m[1])} 第 ${Number(m[2]) + 1} 条`;
  return own(INTENT_FIELDS, field) ?? field;
}

const TYPE_WORDS: Record<string, string> = {
  string: '一段文字',
  array: '列表（每项一行，以“- ”开头）',
  boolean: 'true 或 false',
  object: '“字段: 值”的设置',
  number: '数字',
  null: '空值',
  undefined: '空值',
};
const typeWord = (t: ParamValue): string => own(TYPE_WORDS, String(t)) ?? String(t);

const STATEMENT_WORDS: Record<string, string> = {
  PartialStatement: '{{> …}} 引用片段',
  PartialBlockStatement: '{{#> …}} 引用片段',
  DecoratorBlock: '{{#* …}} 装饰器',
  Decorator: '{{* …}} 装饰器',
};

export const SCRIPT_ERRORS = {
  // ---- any YAML file ------------------------------------------------------------------
  YAML_SYNTAX: entry<{ detail: string; yaml: string }>(
    (p) => `YAML: ${p.detail}`,
    (p) => `文件格式有误：${own(YAML_HINTS, p.yaml) ?? '这一行的写法不符合格式，请对照其他行检查缩进、冒号和引号'}`,
  ),
  UNKNOWN_FIELD: entry<{ field: string; expected: string }>(
    (p) => `unknown field "${p.field}" (expected ${p.expected})`,
    (p) => `不认识的字段${q(p.field)}，可用的字段有：${p.expected}`,
  ),
  NOT_A_SCRIPT_FILE: entry(
    () => 'not a script file (expected intents/*.yaml, intents/dictionary.txt, templates/*.yaml or stories/*.yaml)',
    () => '这不是话术文件：只能是 intents/*.yaml、intents/dictionary.txt、templates/*.yaml 或 stories/*.yaml',
  ),
  PATH_NOT_EDITABLE: entry<{ path: string }>(
    () => 'path must be intents/<id>.yaml, templates/<id>.yaml, stories/<name>.yaml or intents/dictionary.txt',
    () =>
      '文件路径只能是 intents/<名称>.yaml、templates/<名称>.yaml、stories/<名称>.yaml 或 intents/dictionary.txt（名称用小写字母、数字、点和下划线）',
  ),

  // ---- intent files (mapped from src/nlu's parser, see intent-errors.ts) ----------------
  INTENT_NOT_MAPPING: entry<{ received: string }>(
    (p) => `expected a mapping with id, category, description and examples, got ${p.received}`,
    () => '意图文件应由“字段: 值”组成，至少要有 id、category、description 和 examples',
  ),
  INTENT_FIELD_MISSING: entry<{ field: string }>(
    (p) => `${p.field}: missing`,
    (p) => `缺少${intentFieldLabel(p.field)}`,
  ),
  INTENT_FIELD_TYPE: entry<{ field: string; expected: string; received: string }>(
    (p) => `${p.field}: expected ${p.expected}, received ${p.received}`,
    (p) => `${intentFieldLabel(p.field)}应该是${typeWord(p.expected)}，这里写成了${typeWord(p.received)}`,
  ),
  INTENT_FIELD_CHOICE: entry<{ field: string; value: string; allowed: string }>(
    (p) => `${p.field}: "${p.value}" is not one of ${p.allowed}`,
    (p) => `${intentFieldLabel(p.field)}不能是${q(p.value)}，只能是：${p.allowed}`,
  ),
  INTENT_BAD_ID: entry<{ id: string }>(
    (p) => `id "${p.id}" must look like category.name, lower case`,
    (p) => `意图编号${q(p.id)}要写成“分类.名称”，只用小写字母、数字和下划线，例如 delivery.tracking`,
  ),
  INTENT_ID_FILE_MISMATCH: entry<{ id: string; base: string }>(
    (p) => `id "${p.id}" does not match the file name "${p.base}"`,
    (p) => `意图编号${q(p.id)}和文件名${q(p.base)}不一致，两者要相同`,
  ),
  INTENT_ID_CATEGORY_MISMATCH: entry<{ id: string; category: string }>(
    (p) => `id "${p.id}" must start with its category "${p.category}."`,
    (p) => `意图编号${q(p.id)}要以分类${q(`${p.category}.`)}开头`,
  ),
  INTENT_KEYWORD_REQUIRED: entry(
    () => 'requires_keyword is true but there are no keywords',
    () => 'requires_keyword 设为了 true，但没有填写关键词 keywords',
  ),
  INTENT_DEFINED_TWICE: entry<{ intent: string }>(
    (p) => `intent ${p.intent} is defined twice`,
    (p) => `意图${q(p.intent)}在两个文件里都定义了`,
  ),
  NO_INTENTS: entry(
    () => 'no intents defined',
    () => '一个意图都没有：intents/ 里至少要有一个意图文件',
  ),
  INTENT_INVALID: entry<{ detail: string }>(
    (p) => p.detail,
    (p) => `意图文件有问题：${p.detail}`,
  ),
  EXAMPLE_EMPTY: entry(
    () => 'an example is empty',
    () => '有一条例句是空的',
  ),
  KEYWORD_EMPTY: entry(
    () => 'a keyword is empty',
    () => '有一个关键词是空的',
  ),
  NO_EXAMPLES: entry(
    () => 'at least one example is needed',
    () => '至少要有一条例句',
  ),
  EXAMPLE_TAKEN: entry<{ example: string; intent: string; otherFile: string; otherLine: number }>(
    (p) => `example "${p.example}" already belongs to intent ${p.intent} (${p.otherFile} line ${p.otherLine})`,
    (p) => `例句${q(p.example)}已经属于意图${q(p.intent)}（${p.otherFile} 第 ${p.otherLine} 行）；同一句话只能放在一个意图里，请删掉一处或改写`,
  ),
  EXAMPLE_DUPLICATE: entry<{ example: string }>(
    (p) => `example "${p.example}" is listed twice`,
    (p) => `例句${q(p.example)}重复了（标点、空格、全角半角不同也算同一句）`,
  ),
  TOO_FEW_EXAMPLES: entry<{ count: number; min: number }>(
    (p) => `too few examples: ${p.count}, at least ${p.min} different phrases are needed`,
    (p) => `例句太少：现在只有 ${p.count} 条不同的例句，至少需要 ${p.min} 条，机器人才能认出这个意图`,
  ),
  TRAINING_FAILED: entry<{ detail: string }>(
    (p) => `training failed: ${p.detail}`,
    (p) => `意图模型训练失败（${p.detail}），请联系技术人员`,
  ),

  // ---- the shop dictionary ------------------------------------------------------------
  DICTIONARY_LINE: entry(
    () => 'expected "word [freq] [tag]"',
    () => '这一行格式不对：应为“词语 词频 词性”，词频和词性可以不写，各项之间用空格隔开，例如“运费险 100 n”',
  ),
  DICTIONARY_FREQUENCY: entry<{ value: string }>(
    (p) => `frequency must be a whole number, got "${p.value}"`,
    (p) => `词频要写成整数（如 100），这里是${q(p.value)}`,
  ),
  DICTIONARY_TAG: entry<{ value: string }>(
    (p) => `tag must be letters, got "${p.value}"`,
    (p) => `词性只能是英文字母（如 n 名词、v 动词），这里是${q(p.value)}`,
  ),
  DICTIONARY_INVALID: entry<{ detail: string }>(
    (p) => p.detail,
    (p) => `词典这一行有问题：${p.detail}`,
  ),

  // ---- reply templates ----------------------------------------------------------------
  TEMPLATE_NOT_MAPPING: entry(
    () => 'expected a mapping with intent and moves',
    () => '回复模板文件应由“字段: 值”组成，至少要有 intent 和 moves',
  ),
  TEMPLATE_MISSING_INTENT: entry(
    () => 'missing "intent" (the intent id these replies belong to)',
    () => '缺少 intent：请写明这些回复属于哪个意图',
  ),
  TEMPLATE_UNKNOWN_INTENT: entry<{ intent: string }>(
    (p) => `unknown intent "${p.intent}" (no intents/${p.intent}.yaml)`,
    (p) => `意图${q(p.intent)}不存在（没有 intents/${p.intent}.yaml），买家永远收不到这些回复`,
  ),
  TEMPLATE_LABEL_NOT_TEXT: entry(
    () => 'label must be a string',
    () => 'label（追问时给买家点选的文字）必须是一段文字',
  ),
  TEMPLATE_MISSING_MOVES: entry(
    () => 'missing "moves" mapping',
    () => '缺少 moves：请在 moves 下面按回复场景写回复',
  ),
  TEMPLATE_UNKNOWN_MOVE: entry<{ move: string; intent: string; moves: string }>(
    (p) => `unknown move "${p.move}" for ${p.intent} (moves: ${p.moves})`,
    (p) => `意图${q(p.intent)}没有${q(p.move)}这个回复场景，可用的场景有：${p.moves.split(', ').join('、')}`,
  ),
  TEMPLATE_MISSING_MOVE: entry<{ move: string; intent: string; moves: string }>(
    (p) => `missing move "${p.move}" (${p.intent} needs: ${p.moves})`,
    (p) => `缺少回复场景${q(p.move)}（意图${q(p.intent)}需要这些场景：${p.moves.split(', ').join('、')}）`,
  ),
  TEMPLATE_QUICK_REPLIES: entry(
    () => 'quickReplies must be a list of strings',
    () => 'quickReplies（快捷回复按钮）必须是文字列表，每项一行，以“- ”开头',
  ),
  TEMPLATE_MOVE_EMPTY: entry<{ move: string }>(
    (p) => `move "${p.move}" needs at least one variant`,
    (p) => `回复场景${q(p.move)}下面至少要有一条回复`,
  ),
  TEMPLATE_VARIANT_EMPTY: entry(
    () => 'a variant must be a non-empty string',
    () => '有一条回复是空的，请填写内容或删掉这一行',
  ),
  TEMPLATE_NEEDS_QUOTES: entry(
    () => 'a reply that starts with {{ must be quoted: - "{{buyer.name}}…"',
    () => '以 {{ 开头的回复要整句加上英文双引号，例如：- "{{buyer.name}}您好"',
  ),
  TEMPLATE_SYNTAX_UNCLOSED: entry(
    () => 'template syntax: a {{ … }} or {{#if}} block is not closed',
    () => '模板写法有误：{{ 没有配对的 }}，或者 {{#if …}} 少了结尾的 {{/if}}',
  ),
  TEMPLATE_SYNTAX_UNEXPECTED: entry(
    () => 'template syntax: unexpected text inside {{ … }}',
    () => '模板写法有误：{{ }} 里有多余或不认识的内容，请检查变量名和括号',
  ),
  TEMPLATE_SYNTAX_MISMATCH: entry<{ open: string; close: string }>(
    (p) => `template syntax: ${p.open} doesn't match ${p.close}`,
    (p) => `模板写法有误：{{#${p.open} …}} 要用 {{/${p.open}}} 结束，这里写成了 {{/${p.close}}}`,
  ),
  TEMPLATE_SYNTAX: entry<{ detail: string }>(
    (p) => `template syntax: ${p.detail}`,
    (p) => `模板写法有误（${p.detail}）`,
  ),
  TEMPLATE_DATA_VARIABLE: entry<{ name: string }>(
    (p) => `@-variables are not allowed: ${p.name}`,
    (p) => `不能使用 @ 开头的变量：${p.name}`,
  ),
  TEMPLATE_CONTEXT_PATH: entry<{ name: string }>(
    (p) => `context paths are not allowed: ${p.name}`,
    (p) => `不能使用 this、../ 这样的写法：${p.name}，请直接写变量名`,
  ),
  TEMPLATE_UNKNOWN_VARIABLE: entry<{ name: string; suggestion: string }>(
    (p) => `unknown variable "${p.name}"${p.suggestion ? ` (did you mean "${p.suggestion}"?)` : ''}`,
    (p) => `没有${q(p.name)}这个变量` + (p.suggestion ? `，是不是想写 ${p.suggestion}？` : '；这个意图的回复能用哪些变量，见 templates/README.md'),
  ),
  TEMPLATE_BLOCK_NOT_ALLOWED: entry<{ name: string }>(
    (p) => `block "${p.name}" is not allowed (only #if, #unless)`,
    (p) => `不能使用 {{#${p.name}}}，只能用 {{#if …}} 和 {{#unless …}}`,
  ),
  TEMPLATE_UNKNOWN_HELPER: entry<{ name: string; helpers: string }>(
    (p) => `unknown helper "${p.name}"`,
    (p) => `没有${q(p.name)}这个格式函数，可用的有：${p.helpers}`,
  ),
  TEMPLATE_TRIPLE_BRACES: entry(
    () => 'triple braces {{{ }}} are not allowed; replies are plain text',
    () => '不能使用三层大括号 {{{ }}}：回复是纯文本，请用两层 {{ }}',
  ),
  TEMPLATE_STATEMENT_NOT_ALLOWED: entry<{ kind: string }>(
    (p) => `${p.kind} is not allowed in reply templates`,
    (p) => `回复模板里不能使用${own(STATEMENT_WORDS, p.kind) ?? p.kind}`,
  ),
  TEMPLATE_RENDER_FAILED: entry<{ detail: string }>(
    (p) => `cannot render with the sample data: ${p.detail}`,
    () => '用示例数据显示不出这条回复：可能用到了这个场景下没有的变量，可选的变量请放在 {{#if …}} … {{/if}} 里',
  ),
  TEMPLATE_TOO_LARGE: entry<{ bytes: number; max: number }>(
    (p) => `template file is ${p.bytes} bytes; at most ${p.max} are accepted`,
    (p) => `回复模板文件太大（${Math.ceil(p.bytes / 1024)} KB），最多 ${Math.floor(p.max / 1024)} KB，请拆成几个意图或删掉用不到的回复`,
  ),
  TEMPLATE_TOO_DEEP: entry<{ depth: number; max: number }>(
    (p) => `{{#if}}/{{#unless}} blocks nested ${p.depth} deep; at most ${p.max} are accepted`,
    (p) => `{{#if}} / {{#unless}} 套了 ${p.depth} 层，最多只能套 ${p.max} 层，请简化这条回复`,
  ),
  TEMPLATE_CHECK_TIMEOUT: entry<{ ms: number }>(
    (p) => `checking this template took longer than ${p.ms} ms; it was stopped`,
    () => '这个模板太复杂，检查超时了，请简化后再试',
  ),
  TEMPLATES_DEFINED_TWICE: entry<{ intent: string; other: string }>(
    (p) => `replies for ${p.intent} are defined twice (also in ${p.other})`,
    (p) => `意图${q(p.intent)}的回复写了两份（另一份在 ${p.other}）`,
  ),
  TEMPLATES_MISSING: entry<{ intent: string; moves: string }>(
    (p) => `missing reply templates for ${p.intent} (moves: ${p.moves})`,
    (p) => `缺少意图${q(p.intent)}的回复模板（需要这些回复场景：${p.moves}）`,
  ),

  // ---- quick phrases (templates/quick_phrases.yaml, see quick-phrases.ts) --------------
  QUICK_PHRASES_SHAPE: entry(
    () => 'quick phrases: expected "phrases:" with a list of { code, title, text }',
    () => '快捷短语文件要写成“phrases:”下面一条条的 code（短码）、title（名称）、text（内容）',
  ),
  QUICK_PHRASE_FIELD: entry<{ field: string }>(
    (p) => `quick phrase: "${p.field}" is missing or not text`,
    (p) => `这条快捷短语缺少${q(p.field)}，或者它不是一段文字`,
  ),
  QUICK_PHRASE_CODE: entry<{ code: string }>(
    (p) => `quick phrase code "${p.code}" must be 1-20 lower-case letters, digits or _`,
    (p) => `短码${q(p.code)}只能用 1 到 20 个小写字母、数字或下划线，客服输入 /短码 就能插入`,
  ),
  QUICK_PHRASE_DUPLICATE: entry<{ code: string }>(
    (p) => `quick phrase code "${p.code}" is used twice`,
    (p) => `短码${q(p.code)}用了两次，每条快捷短语的短码要不一样`,
  ),
  QUICK_PHRASE_VARIABLE: entry<{ name: string; allowed: string }>(
    (p) => `quick phrase: unknown variable "${p.name}" (allowed: ${p.allowed})`,
    (p) => `快捷短语里没有${q(p.name)}这个变量，能用的有：${p.allowed}`,
  ),

  // ---- conversation stories (checked before every publish) -----------------------------
  STORY_CLASSIFIED: entry<{ actual: string; expected: string }>(
    (p) => `classified as ${p.actual}, expected ${p.expected}`,
    (p) => `被识别成意图${q(p.actual)}，剧本要求${q(p.expected)}`,
  ),
  STORY_HANDLED: entry<{ actual: string; expected: string }>(
    (p) => `handled as ${p.actual}, expected ${p.expected}`,
    (p) => `按意图${q(p.actual)}回复了，剧本要求按${q(p.expected)}回复`,
  ),
  STORY_REPLY_MISSING: entry<{ text: string }>(
    (p) => `reply does not contain "${p.text}"`,
    (p) => `回复里没有${q(p.text)}`,
  ),
  STORY_REPLY_FORBIDDEN: entry<{ text: string }>(
    (p) => `reply contains "${p.text}"`,
    (p) => `回复里出现了不该有的${q(p.text)}`,
  ),
  STORY_REPLY_COUNT: entry<{ actual: number; expected: number }>(
    (p) => `${p.actual} replies, expected ${p.expected}`,
    (p) => `回复了 ${p.actual} 条，剧本要求 ${p.expected} 条`,
  ),
  STORY_OFFER: entry<{ actual: string; expected: number }>(
    (p) => `offer ${p.actual}, expected ${p.expected}`,
    (p) => `报价是 ${p.actual === 'none' ? '（没有报价）' : p.actual}，剧本要求 ${p.expected}`,
  ),
  STORY_QUICK_REPLY: entry<{ text: string }>(
    (p) => `no quick reply "${p.text}"`,
    (p) => `没有快捷回复按钮${q(p.text)}`,
  ),
  STORY_UNEXPECTED_HANDOFF: entry<{ reason: string }>(
    (p) => `unexpected handoff (${p.reason})`,
    (p) => `不该转人工却转了（原因：${p.reason}）`,
  ),
  STORY_NO_HANDOFF: entry(
    () => 'expected a handoff, got none',
    () => '应该转人工，却没有转',
  ),
  STORY_HANDOFF_REASON: entry<{ actual: string; expected: string }>(
    (p) => `handoff reason ${p.actual}, expected ${p.expected}`,
    (p) => `转人工的原因是 ${p.actual}，剧本要求 ${p.expected}`,
  ),
  STORY_HANDOFF_PRIORITY: entry<{ actual: string; expected: string }>(
    (p) => `handoff priority ${p.actual}, expected ${p.expected}`,
    (p) => `转人工的优先级是 ${p.actual}，剧本要求 ${p.expected}`,
  ),
  STORY_HANDOFF_SUMMARY: entry<{ text: string }>(
    (p) => `handoff summary lacks "${p.text}"`,
    (p) => `给客服的摘要里没有${q(p.text)}`,
  ),
  STORY_SUGGESTION_COUNT: entry<{ actual: number }>(
    (p) => `${p.actual} suggestions for the agent, expected 3`,
    (p) => `给客服的推荐回复有 ${p.actual} 条，应为 3 条`,
  ),
  STORY_SUGGESTION_EMPTY: entry(
    () => 'an empty suggestion',
    () => '给客服的推荐回复里有空的一条',
  ),
  STORY_STATE_NOT_JSON: entry(
    () => 'conversation state is not plain JSON',
    () => '对话状态无法保存（不是纯数据），请联系技术人员',
  ),
  STORY_STATE: entry<{ path: string; actual: string; expected: string }>(
    (p) => `${p.path} is ${p.actual}, expected ${p.expected}`,
    (p) => `对话状态 ${p.path} 是 ${p.actual}，剧本要求 ${p.expected}`,
  ),
  STORY_ENGINE_THREW: entry<{ detail: string }>(
    (p) => `engine threw: ${p.detail}`,
    (p) => `机器人处理这句话时出错（${p.detail}）`,
  ),
  STORY_BAD_TIME: entry<{ value: string }>(
    (p) => `bad time "${p.value}"`,
    (p) => `剧本里的时间${q(p.value)}写法不对`,
  ),
  STORY_FILE_INVALID: entry<{ detail: string }>(
    (p) => `not a story file: ${p.detail}`,
    (p) => `对话剧本文件写法有误（${p.detail}）`,
  ),
  STORY_FILE_UNREADABLE: entry<{ detail: string }>(
    (p) => `stories could not be read: ${p.detail}`,
    (p) => `对话剧本读取失败：${p.detail}`,
  ),

  // ---- editor requests ----------------------------------------------------------------
  FILE_HAS_ERRORS: entry<{ path: string; count: number }>(
    (p) => `${p.path} has ${p.count} error(s)`,
    (p) => `${p.path} 有 ${p.count} 处错误，没有保存`,
  ),
  DELETE_LEAVES_ERRORS: entry<{ path: string; count: number }>(
    (p) => `deleting ${p.path} leaves ${p.count} error(s)`,
    (p) => `删除 ${p.path} 会造成 ${p.count} 处错误，没有删除`,
  ),
  DRAFT_HAS_ERRORS: entry<{ count: number }>(
    (p) => `the draft has ${p.count} error(s); fix them first`,
    (p) => `草稿里还有 ${p.count} 处错误，请先改正`,
  ),
  FILE_NOT_FOUND: entry<{ path: string }>(
    (p) => `no such script file: ${p.path}`,
    (p) => `没有这个文件：${p.path}`,
  ),
  INTENT_NOT_FOUND: entry<{ intent: string }>(
    (p) => `no intent ${p.intent}`,
    (p) => `没有意图${q(p.intent)}`,
  ),
  TEMPLATES_NOT_FOUND: entry<{ intent: string }>(
    (p) => `no templates for ${p.intent}`,
    (p) => `没有意图${q(p.intent)}的回复模板`,
  ),
  STALE_REVISION: entry<{ path: string; author: string }>(
    (p) => `${p.path} was changed${p.author ? ` by ${p.author}` : ''} after you opened it; reload it or save again with the new revision`,
    (p) =>
      `${p.path} 在你打开之后已被${p.author ? ` ${p.author} ` : '其他人'}修改并保存。你的修改还没有保存，也没有丢失：可以先看看对方改了什么，再决定载入对方的版本或用你的版本覆盖`,
  ),
  NOTHING_TO_PUBLISH: entry(
    () => 'Nothing to publish: the draft equals the serving version',
    () => '没有可发布的改动：草稿和线上版本一样',
  ),
  STORIES_BROKEN: entry<{ count: number }>(
    (p) => `${p.count} conversation stor${p.count === 1 ? 'y breaks' : 'ies break'} with this draft`,
    (p) => `发布被拒绝：有 ${p.count} 个对话剧本在这份草稿下没有通过`,
  ),
} as const;

export type ScriptErrorCode = keyof typeof SCRIPT_ERRORS;
export type ParamsOf<C extends ScriptErrorCode> = Parameters<(typeof SCRIPT_ERRORS)[C]['en']>[0];

/** Where a problem is: 1-based line and column; line 0 when it concerns the file as a whole. */
export interface ScriptPosition {
  file: string;
  line: number;
  column?: number;
}

/** A coded message from the catalogue: English `reason`, Chinese `localized`. */
export interface ScriptMessage {
  code: ScriptErrorCode;
  params: ScriptErrorParams;
  /** English, for logs and API clients. */
  reason: string;
  /** Chinese, for the shop manager (the /manage page shows this). */
  localized: string;
}

/** A problem in a script file, positioned for the editor. */
export type ScriptError = ScriptPosition & ScriptMessage;

export function isScriptErrorCode(code: string): code is ScriptErrorCode {
  return Object.prototype.hasOwnProperty.call(SCRIPT_ERRORS, code);
}

/** The catalogue's texts for one code and its parameters. */
export function scriptMessage<C extends ScriptErrorCode>(code: C, params: ParamsOf<C>): ScriptMessage {
  const e = SCRIPT_ERRORS[code] as Entry<ParamsOf<C>>;
  return { code, params, reason: e.en(params), localized: e.zh(params) };
}

/** A positioned script error from the catalogue. */
export function scriptError<C extends ScriptErrorCode>(code: C, params: ParamsOf<C>, at: ScriptPosition): ScriptError {
  return { file: at.file, line: at.line, ...(at.column !== undefined ? { column: at.column } : {}), ...scriptMessage(code, params) };
}

/**
 * The Chinese text for any code, including ones this catalogue does not know (an older or
 * newer server, a custom story runner): the English reason, introduced in Chinese.
 */
export function localize(code: string, params: ScriptErrorParams, reason: string): string {
  if (isScriptErrorCode(code)) return (SCRIPT_ERRORS[code] as Entry<ScriptErrorParams>).zh(params);
  return `出现了一个问题（${code || '未分类'}）：${reason}`;
}

/**
 * An AppError (protocol code, English message) for an editor request that failed, carrying
 * its script message in `details.script` (the HTTP layer sends it as `error.scriptCode` and
 * `error.localized`) plus anything else the client needs (`errors`, `conflict`).
 */
export function scriptAppError<C extends ScriptErrorCode>(
  appCode: ErrorCode,
  code: C,
  params: ParamsOf<C>,
  extra: Record<string, unknown> = {},
): AppError {
  const script = scriptMessage(code, params);
  return new AppError(appCode, script.reason, { ...extra, script });
}

/** The script message an AppError carries, if any. */
export function scriptMessageOf(err: AppError): ScriptMessage | undefined {
  const script = (err.details as { script?: ScriptMessage } | undefined)?.script;
  return script && typeof script.code === 'string' && typeof script.localized === 'string' ? script : undefined;
}
