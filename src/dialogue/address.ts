/**
 * Address: after payment the bot shows the address on file (phone masked) and asks the buyer
 * to confirm; a change request with a new address is extracted, read back and confirmed
 * before it is noted on the order. Once the parcel has left, the address cannot change
 * here: explain, and a person contacts the courier.
 */
import type { AddressEntity } from '../nlu/types';
import type { Address, Order } from '../shop/types';
import { effectiveAddress, isUsableAddress, lastEntity, move, type AddressChangeRecord, type PolicyInput, type PolicyResult } from './policy';

export type { AddressChangeRecord } from './policy';

export const ADDRESS_CONFIRM = 'address.confirm';
export const ADDRESS_CHANGE = 'address.change';

function hasShipped(order: Order): boolean {
  return order.status === 'shipped' || order.status === 'delivered' || order.status === 'disputed';
}


/** Merges what the buyer typed over the address on file (a new street keeps the old phone). */
export function mergeAddress(entity: AddressEntity, base: Address): Address {
  return {
    recipient: entity.recipient ?? base.recipient,
    phone: entity.phone ?? base.phone,
    province: entity.province ?? (entity.city ? '' : base.province),
    city: entity.city ?? (entity.province ? '' : base.city),
    district: entity.district ?? '',
    detail: entity.detail ?? entity.text,
  };
}

function shippedOutcome(input: PolicyInput, intent: string, order: Order, handoff: boolean): PolicyResult {
  const vars: Record<string, unknown> = { address: order.address };
  if (order.shipment) {
    vars['carrier'] = input.shop.courierName(order.shipment.carrier);
    vars['trackingNumber'] = order.shipment.trackingNumber;
  }
  const result: PolicyResult = { moves: [move(input, intent, 'shipped', vars)], pending: null };
  if (handoff) {
    result.handoff = { reason: 'after_sale', priority: 'high', note: `已发货后要求改地址（${order.number}），需联系快递转寄` };
  }
  return result;
}

/** address.confirm: show the address on file and ask the buyer to confirm it. */
export function addressConfirmPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  if (!order) return { moves: [move(input, ADDRESS_CONFIRM, 'no_order')] };
  const address = effectiveAddress(input.conv, order);
  if (input.answer === 'yes') return { moves: [move(input, ADDRESS_CONFIRM, 'confirmed', { address })], pending: null };
  if (input.answer === 'no') return addressChangePolicy({ ...input, answer: undefined, pending: undefined, intent: ADDRESS_CHANGE });
  const typed = lastEntity(input.u, 'address');
  if (typed && isUsableAddress(typed)) return addressChangePolicy({ ...input, intent: ADDRESS_CHANGE });
  if (hasShipped(order)) return shippedOutcome(input, ADDRESS_CONFIRM, order, false);
  return {
    moves: [move(input, ADDRESS_CONFIRM, 'show', { address })],
    pending: { owner: ADDRESS_CONFIRM, kind: 'confirm', choices: [] },
  };
}

/** address.change: take the new address, read it back, and note it once confirmed. */
export function addressChangePolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  const base = { handledAs: ADDRESS_CHANGE };
  if (!order) return { ...base, moves: [move(input, ADDRESS_CHANGE, 'no_order')] };
  if (hasShipped(order)) return { ...base, ...shippedOutcome(input, ADDRESS_CHANGE, order, true) };
  const current = effectiveAddress(input.conv, order);
  const pendingAddress = input.pending?.kind === 'read_back' ? (input.pending.data?.['address'] as Address | undefined) : undefined;
  if (input.answer === 'yes' && pendingAddress) {
    const record: AddressChangeRecord = { orderNumber: order.number, address: pendingAddress, at: input.now.toISOString() };
    return {
      ...base,
      moves: [move(input, ADDRESS_CHANGE, 'changed', { address: current, newAddress: pendingAddress })],
      slots: { addressChange: record, awaitingAddress: undefined },
      pending: null,
    };
  }
  const entity = lastEntity(input.u, 'address');
  if (entity && isUsableAddress(entity) && input.answer !== 'no') {
    const newAddress = mergeAddress(entity, current);
    return {
      ...base,
      moves: [move(input, ADDRESS_CHANGE, 'read_back', { address: current, newAddress })],
      slots: { awaitingAddress: undefined },
      pending: { owner: ADDRESS_CHANGE, kind: 'read_back', choices: [], data: { address: newAddress } },
    };
  }
  return {
    ...base,
    moves: [move(input, ADDRESS_CHANGE, 'ask_new', { address: current })],
    slots: { awaitingAddress: true },
    pending: null,
  };
}
