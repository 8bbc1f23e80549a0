/**
 * Routing claims: how a flow says "this turn is mine". Each flow module exports `claims`
 * beside its policy (a pending question it owns, cue words that decide the topic in context,
 * bare entities it accepts); the route stage (stages/route.ts) tries them in one documented
 * order and falls back to the classifier's intent.
 */
import type { Entity, Understanding } from '../nlu/types';
import type { Order, Product, ShopData } from '../shop/types';
import type { ConversationState } from '../model/conversation';
import type { PendingQuestion } from '../model/slots';
import type { Answer, Policy } from './policy';

/** What a claim reads: the turn, the conversation before it, and what is in focus. */
export interface ClaimInput {
  conv: ConversationState;
  u: Understanding;
  /** The message as the buyer typed it, trimmed (quick replies match it exactly). */
  text: string;
  shop: ShopData;
  /** The product in focus (the page's, or the shop's featured one). */
  product?: Product;
  /** The order in focus. */
  order?: Order;
  /** The flow that handled the previous buyer message. */
  lastHandled?: string;
  /** The question the bot is waiting on. */
  pending?: PendingQuestion;
  /** Below this classifier confidence a message is unclear. */
  clarifyBelow: number;
}

/** Where a claim sends the turn. */
export interface Routed {
  /** The flow (intent) that handles the turn. */
  intent: string;
  /** A policy other than the intent's own (e.g. a price question answered by pricePolicy). */
  policy?: Policy;
  /** The message answers the pending question with yes or no. */
  answer?: Answer;
  /** The pending question this turn continues. */
  pending?: PendingQuestion;
  /** Unclear: ask a clarifying question. */
  clarify?: boolean;
  /** Entities read in context and added to the understanding ("300" alone while bargaining is an offer). */
  entities?: Entity[];
}

/** One claim a flow makes on a turn. */
export interface Claim {
  /** "<flow>.<what>", as listed in the route order. */
  name: string;
  /** The route for this turn, or undefined when the claim does not apply. */
  take(input: ClaimInput): Routed | undefined;
}

/** A claim named `name` (a helper so flows write `claim('haggle.accept', (input) => …)`). */
export function claim(name: string, take: (input: ClaimInput) => Routed | undefined): Claim {
  return { name, take };
}
