/**
 * What an agent's message did with the suggested replies on screen: sent one as is, started
 * from one and edited it, or ignored them all. Counted in the metrics and kept on the agent's
 * message (`meta.suggestion`), so reports (src/reports/) count acceptance over any period.
 */
import type { Suggestion } from '../model/conversation';
import type { SuggestionUse } from '../metrics';

/** Stored as the agent message's `meta.suggestion`. */
export interface MessageSuggestionUse {
  use: SuggestionUse;
  /** The suggestion started from (absent when ignored). */
  index?: number;
  templateId?: string;
  /** How many suggestions the agent had. */
  offered: number;
}

/**
 * Which suggestion an agent's message used: the same text is sent as is, a message the console
 * says started from suggestion `index` is edited, anything else ignored them all. Undefined
 * when there were no suggestions.
 */
export function suggestionUse(suggestions: readonly Suggestion[], text: string, index?: number): MessageSuggestionUse | undefined {
  if (suggestions.length === 0) return undefined;
  const exact = suggestions.findIndex((s) => s.text === text.trim());
  const used = exact !== -1 ? exact : index !== undefined && suggestions[index] ? index : -1;
  if (used === -1) return { use: 'ignored', offered: suggestions.length };
  const templateId = suggestions[used]?.templateId;
  return { use: exact !== -1 ? 'sent_as_is' : 'edited', index: used, ...(templateId ? { templateId } : {}), offered: suggestions.length };
}
