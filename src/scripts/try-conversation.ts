/**
 * Try-it as a conversation: the manager chats with the draft as one of the demo buyers, turn
 * after turn, and sees what that buyer would see (replies, quick-reply buttons) and any
 * handoff. The session is plain data ({buyer, product, now, turns}) kept by the page and
 * replayed from the start on every turn, on a throwaway engine at the session's fixed clock
 * with the first variant of every move, exactly as a conversation story runs. So nothing is
 * stored server-side, any instance can answer, and a session saved as a story passes now and
 * breaks only when a later edit changes what the bot does.
 */
import type { BotReply, TurnResult } from '../dialogue/types';
import type { ConversationState, HandoffInfo } from '../model/conversation';
import type { IntentScore } from '../nlu/types';
import type { Buyer, Order, ShopData } from '../shop/types';
import type { StoryData, StoryTurn } from './story-format';

/** The part of the engine try-it needs (createEngine's result satisfies it). */
export interface TryEngine {
  openConversation(input: { id: string; buyerId: string; shopId: string; productId?: string }): ConversationState;
  handleMessage(conv: ConversationState, text: string): TurnResult | Promise<TurnResult>;
}

/** The most turns one session replays (a story longer than this is written in the YAML view). */
export const MAX_SESSION_TURNS = 30;

export interface TrySession {
  /** Demo buyer id (B001 …). */
  buyer: string;
  /** Product the buyer is looking at, if any. */
  product?: string;
  /** The session's clock (ISO): demo orders are relative to it, and a saved story keeps it. */
  now: string;
  /** What the buyer said, in order. */
  turns: string[];
}

export interface TryTurn {
  say: string;
  /** The intent the bot answered as (the first reply's), and what the classifier said. */
  intent: string;
  nlu: string;
  confidence: number;
  ranking: IntentScore[];
  replies: BotReply[];
  handoff?: HandoffInfo;
}

/** Plays a session's turns on a fresh conversation; returns each turn's result. */
export async function playSession(engine: TryEngine, session: TrySession, shopId: string): Promise<TurnResult[]> {
  let conv = engine.openConversation({
    id: 'try-it',
    buyerId: session.buyer,
    shopId,
    ...(session.product ? { productId: session.product } : {}),
  });
  const results: TurnResult[] = [];
  for (const say of session.turns) {
    const result = await engine.handleMessage(conv, say);
    conv = result.conversation;
    results.push(result);
  }
  return results;
}

/** What the page shows of one turn. */
export function tryTurn(say: string, r: TurnResult): TryTurn {
  const u = r.understanding;
  return {
    say,
    intent: r.replies[0]?.intent ?? u.intent,
    nlu: u.intent,
    confidence: u.confidence,
    ranking: u.ranking.slice(0, 3),
    replies: r.replies,
    ...(r.handoff ? { handoff: r.handoff } : {}),
  };
}

/**
 * A story of a played session: per turn the intent the bot answered as, whether it handed
 * off (with reason and priority) and the price it offered, which is what a manager means by
 * "keep doing this". Reply wording is left out on purpose: rewording a reply must not break it.
 */
export function storyFromSession(session: TrySession, results: readonly TurnResult[], title: string): StoryData {
  const turns: StoryTurn[] = session.turns.map((say, i) => {
    const r = results[i];
    if (!r) return { say };
    const offers = r.replies.flatMap((x) => (x.offer !== undefined ? [x.offer] : []));
    return {
      say,
      intent: r.replies[0]?.intent ?? r.understanding.intent,
      ...(offers.length === 1 && offers[0] !== undefined ? { offer: offers[0] } : {}),
      handoff: r.handoff ? { reason: r.handoff.reason, priority: r.handoff.priority } : false,
    };
  });
  return {
    name: title,
    title,
    buyer: session.buyer,
    ...(session.product ? { product: session.product } : {}),
    now: session.now,
    turns,
  };
}

export interface DemoBuyer {
  id: string;
  name: string;
  returning: boolean;
  orders: { number: string; status: Order['status']; items: string; total: number; createdAt: string }[];
}

/** The shop's buyers with their orders, for the try-it buyer picker (none when the shop cannot list buyers). */
export function demoBuyers(shop: ShopData | undefined): DemoBuyer[] {
  const buyers: Buyer[] = shop?.buyers?.() ?? [];
  return buyers.map((b) => ({
    id: b.id,
    name: b.name,
    returning: b.returning,
    orders: (shop?.ordersByBuyer(b.id) ?? []).map((o) => ({
      number: o.number,
      status: o.status,
      items: o.items.map((i) => `${i.name}${i.color || i.size ? `（${[i.color, i.size].filter(Boolean).join('/')}）` : ''}×${i.quantity}`).join('、'),
      total: o.total,
      createdAt: o.createdAt,
    })),
  }));
}
