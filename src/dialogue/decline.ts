/**
 * "我不是要退款", "不用改地址了", "我没说要退货，就问问": the buyer says what they do NOT want.
 * The classifier reads the topic word (退款, 改地址) and would start that very flow, asking the
 * buyer to confirm what they just declined. A message that only declines an act (nothing else
 * is asked in it) gets "nothing changes" instead, and no flow is started.
 */
import { ADDRESS_CHANGE, ADDRESS_CONFIRM, hasShipped } from './address';
import { claim } from './claims';
import { effectiveAddress, handedOver, move, type PolicyInput, type PolicyResult } from './policy';
import { EXCHANGE, REFUND } from './returns';

const NEGATION = '(?:不是要|不是想|没说要|没说过要|没有要|没要|不用|不要|不想|不需要|无需|不必|先不|暂时不|别|不)';
const FILLER = '(?:再|帮我|给我|帮|给|申请|去)*';

/** The acts a buyer may decline, each with its flow. */
const DECLINES: readonly { flow: string; re: RegExp }[] = [
  { flow: ADDRESS_CHANGE, re: new RegExp(`${NEGATION}${FILLER}(?:改|修改|换)(?:收货)?地址|地址${NEGATION}(?:用)?(?:改|换)`, 'u') },
  { flow: EXCHANGE, re: new RegExp(`${NEGATION}${FILLER}换(?:货)?`, 'u') },
  { flow: REFUND, re: new RegExp(`${NEGATION}${FILLER}(?:退款|退货|退钱|退)`, 'u') },
];

/** Another act, or a question, left in the message: it is more than a decline. */
const MORE = /退|换|改|地址|吗|呢|么|多少|几|什么|怎么|哪|\?|？/u;
/** What may surround a decline without asking anything ("我", "了", "就问问"). */
const FILLER_LEFT = /[我的了啊呢吧哈哦就只是问问看看随便先啦呀嘛那算还好,，。.!！~～\s]/gu;

/** The flow a message declines, when that is all it says. */
export function declinedFlow(normalized: string): string | undefined {
  for (const { flow, re } of DECLINES) {
    const m = re.exec(normalized);
    if (!m) continue;
    const rest = normalized.slice(0, m.index) + normalized.slice(m.index + m[0].length);
    if (MORE.test(rest) || rest.replace(FILLER_LEFT, '') !== '') return undefined;
    return flow;
  }
  return undefined;
}

/** What the buyer takes back, as the withdraw reply names it, by the kind of request recorded. */
const WITHDRAWN: Record<string, string> = { return: '退货', refund: '退款', exchange: '换货', address: '地址修改' };

/**
 * The request of the declined flow this conversation already registered on `order`
 * ("算了不退了" after the return was confirmed), by its kind; undefined when none was.
 */
function registeredKind(input: PolicyInput, flow: string): string | undefined {
  const { order, conv } = input;
  if (!order) return undefined;
  if (flow === ADDRESS_CHANGE) return conv.slots.addressChange?.orderNumber === order.number ? 'address' : undefined;
  const kinds = flow === EXCHANGE ? ['exchange'] : ['return', 'refund', 'exchange'];
  const mine = (conv.slots.returnRequests ?? []).filter((r) => r.orderNumber === order.number && kinds.includes(r.kind));
  return mine[mine.length - 1]?.kind;
}

/**
 * Nothing changes. An address change declined on an order not yet shipped: the address on
 * file stands (address.confirm "confirmed"); otherwise the order stays as it is (the refund
 * flow's "kept"). The turn is recorded as the declined flow's.
 *
 * A request already registered in this conversation is not "unchanged": it was recorded for
 * the shop, so a person withdraws it (system "withdraw", with the handoff; scripts without
 * the move say the handoff notice).
 */
function declinedPolicy(flow: string) {
  return (input: PolicyInput): PolicyResult => {
    const { order } = input;
    const registered = registeredKind(input, flow);
    if (registered !== undefined && order) {
      const topic = WITHDRAWN[registered] ?? '申请';
      const note = `买家要撤销刚登记的${topic}（${order.number}）`;
      return {
        ...handedOver(input, move(input, 'system', 'withdraw', { topic }), { reason: 'after_sale', priority: 'normal', note }),
        handledAs: flow,
      };
    }
    const keepAddress = flow === ADDRESS_CHANGE && order !== undefined && !hasShipped(order);
    const reply = keepAddress
      ? move(input, ADDRESS_CONFIRM, 'confirmed', { address: effectiveAddress(input.conv, order) })
      : move(input, REFUND, 'kept');
    return { moves: [reply], pending: null, handledAs: flow };
  };
}

/** "还是原来那个吧", "改回原来的地址": back to the address on file. */
const REVERT =
  /^(?:等等|等一下|哦|嗯|那|算了)?[，,\s]*(?:还是|就)?(?:用|改回|改成|寄到|发到)?原来(?:的|那个)?(?:地址)?(?:吧|就行|就好|好了)?[。.!！~～]*$|改回(?:原来|去)(?:的)?(?:地址)?(?:吧)?$/u;

/** Routing claims (see stages/route.ts for their order). */
export const claims = {
  /**
   * "还是原来那个吧" while changing the address (a read-back open, or a change recorded in this
   * conversation): the address change is declined (and a recorded one withdrawn by a person).
   */
  revertAddress: claim('decline.revertAddress', ({ u, conv, pending, lastHandled }) => {
    const aboutAddress = pending?.owner === ADDRESS_CHANGE || lastHandled === ADDRESS_CHANGE || conv.slots.addressChange !== undefined;
    return aboutAddress && REVERT.test(u.normalized.trim()) ? { intent: ADDRESS_CHANGE, policy: declinedPolicy(ADDRESS_CHANGE) } : undefined;
  }),
  /** "我不是要退款", "不用改地址了": nothing changes, and no flow starts. */
  declined: claim('decline.act', ({ u }) => {
    const flow = declinedFlow(u.normalized);
    return flow ? { intent: flow, policy: declinedPolicy(flow) } : undefined;
  }),
};
