/**
 * The conversation as data: its state, turns, facts, acts and handoff. Everything here is plain
 * JSON so any store (memory, journal, Redis) can keep it without adapters. It sits below
 * storage and the dialogue policy: both import it, it imports neither.
 */
import type { Category, Entity } from '../nlu/types';
import type { Act } from './acts';
import type { Slots } from './slots';

export type ConversationStatus = 'bot' | 'queued' | 'agent' | 'closed';
export type Priority = 'normal' | 'high' | 'urgent';
export type HandoffReason =
  'explicit_request' | 'bad_review' | 'low_confidence' | 'policy_limit' | 'angry_tone' | 'overdue_delivery' | 'after_sale' | 'error';

/** One buyer turn as the engine understood it (messages themselves live in the message log). */
export interface TurnRecord {
  seq?: number;
  at: string; // ISO time
  text: string;
  intent: string;
  category: Category;
  confidence: number;
}

export interface ConversationState {
  id: string;
  buyerId: string;
  shopId: string;
  status: ConversationStatus;
  /** Product the buyer is looking at (storefront page) or the shop's featured product. */
  productId?: string;
  /** Order in focus: from an entity or the buyer's latest order. */
  orderId?: string;
  /**
   * Per-flow memory, owned by the policy modules (haggle offers and counters, address being
   * confirmed, clarification count …), one typed key per concern: see src/model/slots.ts.
   * Plain JSON; states stored by older versions are read through readSlots().
   */
  slots: Slots;
  /** Turns with their intents, oldest first (capped by the engine). */
  turns: TurnRecord[];
  /** Facts gathered so far (latest of each kind wins), shown to agents. */
  facts: Entity[];
  /**
   * What the buyer confirmed that changes something for the shop (deal, address change,
   * exchange, return, refund, cash on delivery, remark), oldest first. Append-only; absent in
   * states stored before acts existed. See src/model/acts.ts.
   */
  acts?: Act[];
  createdAt: string;
  updatedAt: string;
  /** Set while queued / with an agent. */
  handoff?: HandoffInfo;
  assignedAgent?: string;
  closedResolution?: string;
  /** The channel the conversation came in on (src/conversation/channel.ts); absent: the widget. */
  channel?: string;
}

export interface Suggestion {
  text: string;
  /** Why the engine suggests it, in words an agent understands. */
  reason: string;
  /** The template it came from, e.g. "return.damaged#1", for suggestion-use metrics. */
  templateId?: string;
}

export interface HandoffInfo {
  reason: HandoffReason;
  priority: Priority;
  summary: string;
  suggestions: Suggestion[];
  at: string;
}
