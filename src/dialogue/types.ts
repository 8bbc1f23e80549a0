/**
 * The engine's output for one buyer message. The conversation data it reads and writes is in
 * src/model/conversation.ts.
 */
import type { Category, Entity, IntentScore } from '../nlu/types';
import type { Act } from '../model/acts';
import type { ConversationState, HandoffInfo } from '../model/conversation';

export interface BotReply {
  text: string;
  quickReplies?: string[];
  intent: string;
  category: Category;
  templateId?: string;
  /** A bargaining reply that names a price carries it here (yuan). */
  offer?: number;
}

/** What the engine returns for one buyer message. */
export interface TurnResult {
  conversation: ConversationState;
  understanding: {
    intent: string;
    category: Category;
    confidence: number;
    ranking: IntentScore[];
    entities: Entity[];
    normalized: string;
    flags: Record<string, boolean | number>;
  };
  /** Replies to send to the buyer, in order (empty while an agent holds the conversation). */
  replies: BotReply[];
  /** Present when this turn hands the conversation to a person (or refreshes suggestions). */
  handoff?: HandoffInfo;
  /** Acts recorded this turn (also appended to conversation.acts). */
  acts?: Act[];
}
