/**
 * Which three suggestions an agent sees after a buyer turn while a person handles (or will
 * handle) the conversation. The engine refreshes them from the last buyer line alone; a line
 * that says nothing new (在吗, 你好, 嗯, an unclear one) must not replace what the conversation
 * is about: an angry buyer's 在吗 after a complaint still gets the complaint's apologies, never
 * three greetings.
 */
import type { HandoffInfo } from '../model/conversation';
import type { Category } from '../nlu/types';

/** Categories of a buyer line that carries no topic of its own. */
const CONTENTLESS: ReadonlySet<Category> = new Set<Category>(['greeting', 'other', 'human']);

/**
 * The handoff info to store after a turn: the engine's refreshed one, except that a
 * contentless line keeps the earlier suggestions (when there were any).
 */
export function suggestionsAfterTurn(
  before: HandoffInfo | undefined,
  refreshed: HandoffInfo | undefined,
  category: Category,
): HandoffInfo | undefined {
  if (!refreshed) return before;
  if (!before || before.suggestions.length === 0 || !CONTENTLESS.has(category)) return refreshed;
  return { ...refreshed, suggestions: before.suggestions };
}
