/**
 * What a short fragment is read in the light of (src/nlu `UnderstandContext`): the question the
 * bot is waiting on, the flow in progress, the bot's last move (its last template), and the
 * order and product in focus. Read from the stored state before the turn is recorded.
 */
import type { ConversationState } from '../../model/conversation';
import type { UnderstandContext } from '../../nlu/types';

export function understandContextOf(conv: ConversationState): UnderstandContext {
  const { pending, last, botSaid } = conv.slots;
  const move = botSaid?.[botSaid.length - 1]?.templateId?.replace(/#.*$/, '');
  return {
    ...(pending ? { pendingQuestion: pending.owner } : {}),
    ...(last ? { activeFlow: last.handled } : {}),
    ...(move ? { lastBotMove: move } : {}),
    ...(conv.orderId ? { orderInFocus: conv.orderId } : {}),
    ...(conv.productId ? { productInFocus: conv.productId } : {}),
  };
}
