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
import { HANDOFF_CHANNEL, parseHandoffChannelEvent } from '../conversation/events';
import type { BuyerTurnInfo } from './core';
import type { QueueEntrance } from './queue-entry';

/** Subscribes to new handoffs; returns the unsubscribe function. */
export async function watchHandoffs(
  bus: Bus,
  service: Pick<QueueEntrance, 'onQueued' | 'onWithdrawn'>,
  instanceId: string,
  onError: (err: unknown) => void = () => {},
): Promise<() => Promise<void>> {
  return bus.subscribe(HANDOFF_CHANNEL, (payload) => {
    const event = parseHandoffChannelEvent(payload);
    if (!event || event.instanceId !== instanceId) return;
    if (event.kind === 'withdrawn') service.onWithdrawn(event.conversationId).catch(onError);
    else service.onQueued(event.conversationId).catch(onError);
  });
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
