/**
 * How the handoff service hooks into the server without the server knowing about it:
 *  - `watchHandoffs` reacts to the server's "conversation entered the queue" events, only on
 *    the instance that published them (one instance acts, all would receive);
 *  - `withTurnHooks` wraps the dialogue engine so every buyer turn is reported (metrics and
 *    the first-response clock) on the instance that ran it.
 */
import type { ConversationState } from '../model/conversation';
import type { TurnResult } from '../dialogue/types';
import type { Bus } from '../store/types';
import type { BuyerTurnInfo } from './core';
import type { QueueEntrance } from './queue-entry';

/** The server's handoff channel and payload (src/conversation/events.ts). */
export const HANDOFF_QUEUED_CHANNEL = 'handoff';

/** Subscribes to new handoffs; returns the unsubscribe function. */
export async function watchHandoffs(
  bus: Bus,
  service: Pick<QueueEntrance, 'onQueued' | 'onWithdrawn'>,
  instanceId: string,
  onError: (err: unknown) => void = () => {},
): Promise<() => Promise<void>> {
  return bus.subscribe(HANDOFF_QUEUED_CHANNEL, (payload) => {
    if (isWithdrawnEvent(payload) && payload.instanceId === instanceId) {
      service.onWithdrawn(payload.conversationId).catch(onError);
      return;
    }
    if (!isQueuedEvent(payload) || payload.instanceId !== instanceId) return;
    service.onQueued(payload.conversationId).catch(onError);
  });
}

function isQueuedEvent(p: unknown): p is { kind: 'queued'; conversationId: string; instanceId: string } {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return o['kind'] === 'queued' && typeof o['conversationId'] === 'string' && typeof o['instanceId'] === 'string';
}

/** The buyer took back a request for a person (conversation service, queued turn). */
function isWithdrawnEvent(p: unknown): p is { kind: 'withdrawn'; conversationId: string; instanceId: string } {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return o['kind'] === 'withdrawn' && typeof o['conversationId'] === 'string' && typeof o['instanceId'] === 'string';
}

interface TurnEngine {
  handleMessage(conv: ConversationState, text: string): TurnResult | Promise<TurnResult>;
}

/** Returns an engine that behaves like `engine` and reports each turn to the service (the queue entrance). */
export function withTurnHooks<E extends TurnEngine>(
  engine: E,
  service: { onBuyerTurn(info: BuyerTurnInfo): Promise<void> },
  clock: () => Date = () => new Date(),
  onError: (err: unknown) => void = () => {},
): E {
  const wrapped = Object.create(engine) as E;
  wrapped.handleMessage = async (conv: ConversationState, text: string): Promise<TurnResult> => {
    const started = clock().getTime();
    const t0 = performance.now();
    const result = await engine.handleMessage(conv, text);
    const tookMs = performance.now() - t0;
    // A closed conversation reopens with this turn, so it hands off like one with the bot.
    const reopened = conv.status === 'closed';
    const handsOff = (conv.status === 'bot' || reopened) && result.handoff !== undefined;
    service
      .onBuyerTurn({
        conversationId: conv.id,
        statusBefore: reopened ? 'bot' : conv.status,
        statusAfter: handsOff ? 'queued' : result.conversation.status,
        intent: result.understanding.intent,
        replies: result.replies.map((r) => ({ intent: r.intent })),
        at: started,
        tookMs,
        ...(result.handoff ? { handoff: result.handoff } : {}),
      })
      .catch(onError);
    return result;
  };
  return wrapped;
}
