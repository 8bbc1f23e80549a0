/**
 * A scripted stand-in for the dialogue engine, for tests of the server edge only: it makes
 * the transport's behaviour (ordering, handoff plumbing, failures, slow turns) easy to
 * provoke. End-to-end tests use the real engine.
 */
import type { ConversationState } from '../../src/model/conversation';
import type { TurnResult, BotReply } from '../../src/dialogue/types';
import type { ChatEngine } from '../../src/conversation/conversation-service';

export interface ScriptedEngine extends ChatEngine {
  /** Resolves the next turn that is waiting on a message containing "slow". */
  releaseSlow(): void;
  slowStarted: Promise<void>;
}

export function createScriptedEngine(): ScriptedEngine {
  let release: () => void = () => {};
  let markStarted: () => void = () => {};
  const engine: ScriptedEngine = {
    slowStarted: new Promise<void>((r) => (markStarted = r)),
    releaseSlow: () => release(),
    openConversation({ id, buyerId, shopId, productId }) {
      const at = new Date().toISOString();
      return {
        id,
        buyerId,
        shopId,
        status: 'bot',
        slots: {},
        turns: [],
        facts: [],
        createdAt: at,
        updatedAt: at,
        ...(productId ? { productId } : {}),
      };
    },
    greet(): BotReply[] {
      return [{ text: '亲，欢迎光临~', intent: 'greeting.hello', category: 'greeting', quickReplies: ['查物流', '退换货'] }];
    },
    holdingReply(): BotReply {
      return { text: '亲，稍等，马上请同事来处理～', intent: 'other.fallback', category: 'other' };
    },
    suggest() {
      return [];
    },
    async handleMessage(conv: ConversationState, text: string): Promise<TurnResult> {
      if (text.includes('boom')) throw new Error('engine exploded');
      if (text.includes('slow')) {
        markStarted();
        await new Promise<void>((r) => (release = r));
      }
      const at = new Date().toISOString();
      const understanding = {
        intent: 'other.fallback',
        category: 'other' as const,
        confidence: 0.5,
        ranking: [],
        entities: [],
        normalized: text,
        flags: {},
      };
      const turns = [...conv.turns, { at, text, intent: 'other.fallback', category: 'other' as const, confidence: 0.5 }];
      if (conv.status !== 'bot') {
        return { conversation: { ...conv, turns }, understanding, replies: [] };
      }
      if (text.includes('人工')) {
        const handoff = { reason: 'explicit_request' as const, priority: 'normal' as const, summary: 'asked for a person', suggestions: [], at };
        return {
          conversation: { ...conv, turns, handoff },
          understanding,
          replies: [{ text: '好的亲，这就为您转人工', intent: 'human.request', category: 'human' }],
          handoff,
        };
      }
      return {
        conversation: { ...conv, turns, updatedAt: at },
        understanding,
        replies: [{ text: `收到：${text}`, intent: 'other.fallback', category: 'other', quickReplies: ['好的'] }],
      };
    },
  };
  return engine;
}
