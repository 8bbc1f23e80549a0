/**
 * Conversation stories: the scripted dialogues in test/conversations/*.yaml (buyer says →
 * what the bot must do). The jest suite there runs them against the repo's scripts; the
 * script editor runs the same files through this module against a draft before publishing,
 * so a manager cannot publish replies that break a flow.
 *
 * Format (as written by the dialogue engineer; each file a list of conversations):
 *   - name: …            title?: 中文名（what managers see）   buyer: B008   product?: P1   now?: ISO (default 2025-03-10 10:00 +08:00)
 *     turns:
 *       - say: 这件大衣能便宜点吗
 *         intent?: id the bot handled it as (the first reply's intent)   nlu?: id the classifier said
 *         reply?: [substrings]   notReply?: [substrings]   replies?: count   offer?: yuan
 *         quickReplies?: [substrings]   handoff?: false | { reason?, priority?, summary?: [substrings] }
 *         state?: { "dotted.path": value }
 * The jest suite in test/conversations/ runs the same checks through this module.
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../dialogue/engine';
import type { ConversationState } from '../model/conversation';
import type { TurnResult } from '../dialogue/types';
import type { ShopData } from '../shop/types';
import type { ScriptBundle } from './bundle';
import { scriptMessage, type ParamsOf, type ScriptErrorCode, type ScriptMessage } from './errors';
import type { StoryFailure, StoryRunner } from './publish';
import { parseStoryFile, storiesInFiles, storyTitle, type Story, type StoryTurn } from './story-format';
import { expectationWords, resultWords, type IntentNamer } from './story-words';

export { parseStoryFile, type Story, type StoryTurn } from './story-format';

/** The clock stories run at when they name none: a Monday morning, shop time. */
export const DEFAULT_STORY_TIME = '2025-03-10T10:00:00+08:00';

/** Every story in `dir` (*.yaml / *.yml), in file-name order. A missing directory has none. */
export function loadStories(dir: string): Story[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => parseStoryFile(n, readFileSync(join(dir, n), 'utf8')));
}

/** Chinese names of a bundle's intents (the intent files' `name`), falling back to the id. */
export function intentNamer(bundle: Pick<ScriptBundle, 'intents'>): IntentNamer {
  return (id) => (Object.hasOwn(bundle.intents, id) ? bundle.intents[id]?.name : undefined) ?? id;
}

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** True when a value survives a JSON round trip (undefined properties are dropped, as JSON does). */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object') return false;
  // A plain object's prototype is Object.prototype of some realm (jest runs tests in another
  // realm), whose own prototype is null; Map, Date and class instances sit one level deeper.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) return false;
  return Object.values(value).every((v) => v === undefined || isPlainJson(v));
}

/** What one turn got wrong, coded (empty when it did what the story says). */
export function checkTurn(turn: StoryTurn, result: TurnResult): ScriptMessage[] {
  const problems: ScriptMessage[] = [];
  const problem = <C extends ScriptErrorCode>(code: C, params: ParamsOf<C>): void => {
    problems.push(scriptMessage(code, params));
  };
  const json = (v: unknown): string => JSON.stringify(v) ?? 'undefined';
  const text = result.replies.map((r) => r.text).join('\n');
  const u = result.understanding;
  if (turn.nlu !== undefined && u.intent !== turn.nlu) problem('STORY_CLASSIFIED', { actual: u.intent, expected: turn.nlu });
  if (turn.intent !== undefined) {
    const handled = result.replies[0]?.intent ?? u.intent;
    if (handled !== turn.intent) problem('STORY_HANDLED', { actual: handled, expected: turn.intent });
  }
  for (const s of turn.reply ?? []) if (!text.includes(s)) problem('STORY_REPLY_MISSING', { text: s });
  for (const s of turn.notReply ?? []) if (text.includes(s)) problem('STORY_REPLY_FORBIDDEN', { text: s });
  if (turn.replies !== undefined && result.replies.length !== turn.replies) {
    problem('STORY_REPLY_COUNT', { actual: result.replies.length, expected: turn.replies });
  }
  if (turn.offer !== undefined) {
    const offers = result.replies.map((r) => r.offer).filter((o) => o !== undefined);
    if (!isDeepStrictEqual(offers, [turn.offer])) problem('STORY_OFFER', { actual: offers.join(',') || 'none', expected: turn.offer });
  }
  if (turn.quickReplies) {
    const quick = result.replies.flatMap((r) => r.quickReplies ?? []).join('|');
    for (const q of turn.quickReplies) if (!quick.includes(q)) problem('STORY_QUICK_REPLY', { text: q });
  }
  if (turn.handoff === false && result.handoff) problem('STORY_UNEXPECTED_HANDOFF', { reason: result.handoff.reason });
  if (turn.handoff) {
    const h = result.handoff;
    if (!h) problem('STORY_NO_HANDOFF', {});
    else {
      if (turn.handoff.reason && h.reason !== turn.handoff.reason)
        problem('STORY_HANDOFF_REASON', { actual: h.reason, expected: turn.handoff.reason });
      if (turn.handoff.priority && h.priority !== turn.handoff.priority) {
        problem('STORY_HANDOFF_PRIORITY', { actual: h.priority, expected: turn.handoff.priority });
      }
      for (const s of turn.handoff.summary ?? []) if (!h.summary.includes(s)) problem('STORY_HANDOFF_SUMMARY', { text: s });
      if (h.suggestions.length !== 3) problem('STORY_SUGGESTION_COUNT', { actual: h.suggestions.length });
      if (h.suggestions.some((s) => s.text.length === 0 || s.reason.length === 0)) problem('STORY_SUGGESTION_EMPTY', {});
    }
  }
  if (!isPlainJson(result.conversation)) problem('STORY_STATE_NOT_JSON', {});
  for (const [path, value] of Object.entries(turn.state ?? {})) {
    const actual = at(result.conversation, path);
    if (!isDeepStrictEqual(actual, value)) problem('STORY_STATE', { path, actual: json(actual), expected: json(value) });
  }
  return problems;
}

/** One failed step: the English reason as before, the Chinese text, the coded problems and, in words, what was expected and what the bot did. */
function stepFailure(
  story: Story,
  step: number,
  turn: StoryTurn,
  problems: ScriptMessage[],
  result: TurnResult | undefined,
  name: IntentNamer,
): StoryFailure {
  const bot = result ? result.replies.map((r) => r.text).join(' / ') : '';
  return {
    story: `${story.file}: ${story.name}`,
    title: storyTitle(story),
    file: story.file,
    step,
    say: turn.say,
    expected: expectationWords(turn, name),
    got: result ? resultWords(result, name) : problems.map((p) => p.localized).join('；'),
    reason: `「${turn.say}」: ${problems.map((p) => p.reason).join('; ')} (bot: ${bot || '—'})`,
    code: problems[0]?.code ?? '',
    localized: `买家说「${turn.say}」：${problems.map((p) => p.localized).join('；')}。机器人的回复：${bot || '（没有回复）'}`,
    problems,
  };
}

/** A story that failed as a whole (bad time, unreadable file). */
function storyFailure(story: string, message: ScriptMessage, title?: string): StoryFailure {
  return { story, ...(title ? { title } : {}), reason: message.reason, code: message.code, localized: message.localized, problems: [message] };
}

/** Loads the shop as it stands at a story's clock (demo orders are relative to "now"). */
export type ShopAt = (now: Date) => ShopData;

/**
 * Plays one story through a fresh engine on `bundle` at a fixed clock with the first variant
 * of every move, so it gives the same result every run. Stops at the first broken turn
 * (later turns depend on it).
 */
export function runStory(story: Story, bundle: ScriptBundle, shopAt: ShopAt): StoryFailure[] {
  const label = `${story.file}: ${story.name}`;
  const name = intentNamer(bundle);
  const now = new Date(story.now ?? DEFAULT_STORY_TIME);
  if (Number.isNaN(now.getTime())) return [storyFailure(label, scriptMessage('STORY_BAD_TIME', { value: story.now ?? '' }), storyTitle(story))];
  const engine = createEngine({ shop: shopAt(now), getScripts: () => bundle, clock: () => now, random: () => 0 });
  let conv: ConversationState = engine.openConversation({
    id: 'story',
    buyerId: story.buyer,
    shopId: 'demo',
    ...(story.product ? { productId: story.product } : {}),
  });
  for (const [i, turn] of story.turns.entries()) {
    let result: TurnResult;
    try {
      result = engine.handleMessage(conv, turn.say);
    } catch (e) {
      return [stepFailure(story, i + 1, turn, [scriptMessage('STORY_ENGINE_THREW', { detail: (e as Error).message })], undefined, name)];
    }
    conv = result.conversation;
    const problems = checkTurn(turn, result);
    if (problems.length > 0) {
      return [stepFailure(story, i + 1, turn, problems, result, name)];
    }
  }
  return [];
}

/**
 * A StoryRunner over every story in `dir` (the project's, re-read on each publish so new
 * ones count) and every story a manager saved with the scripts (stories/*.yaml in the bundle).
 */
export function storyRunner(dir: string, shopAt: ShopAt): StoryRunner {
  return (bundle) => {
    let stories: Story[];
    try {
      stories = [...loadStories(dir), ...storiesInFiles(bundle.files)];
    } catch (e) {
      return Promise.resolve([storyFailure(dir, scriptMessage('STORY_FILE_UNREADABLE', { detail: (e as Error).message }))]);
    }
    return Promise.resolve(stories.flatMap((story) => runStory(story, bundle, shopAt)));
  };
}
