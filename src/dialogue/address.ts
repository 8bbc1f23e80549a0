/**
 * Address: after payment the bot shows the address on file (phone masked) and asks the buyer
 * to confirm; a change request with a new address is extracted, read back and confirmed
 * before it is noted on the order. Once the parcel has left, the address cannot change
 * here: explain, and a person contacts the courier.
 */
import { compactDetail, stripCommands } from '../nlu/entities/address';
import type { AddressEntity, Understanding } from '../nlu/types';
import type { Address, Order } from '../shop/types';
import type { ActDraft } from '../model/acts';
import { claim } from './claims';
import {
  effectiveAddress,
  isUsableAddress,
  lastEntity,
  move,
  orderMissing,
  type AddressChangeRecord,
  type PolicyInput,
  type PolicyResult,
} from './policy';

export type { AddressChangeRecord } from './policy';

export const ADDRESS_CONFIRM = 'address.confirm';
export const ADDRESS_CHANGE = 'address.change';

export function hasShipped(order: Order): boolean {
  return order.status === 'shipped' || order.status === 'delivered' || order.status === 'disputed';
}

/**
 * Merges what the buyer typed over the address on file (a new street keeps the old phone). A
 * new city without its province keeps the province on file when the city is the same one
 * ("杭州市余杭区…" from a buyer in 浙江省杭州市); another city's province is left for a person.
 */
export function mergeAddress(entity: AddressEntity, base: Address): Address {
  const sameCity = entity.city !== undefined && entity.city === base.city;
  return {
    recipient: entity.recipient ?? base.recipient,
    phone: entity.phone ?? base.phone,
    province: entity.province ?? (entity.city && !sameCity ? '' : base.province),
    city: entity.city ?? (entity.province ? '' : base.city),
    district: entity.district ?? (entity.province || entity.city ? '' : base.district),
    detail: entity.detail ?? (entity.province || entity.city || entity.district ? '' : base.detail),
  };
}

/** "我电话换了，新号码137…": a new phone for the delivery address, handled as an address change. */
const PHONE_CHANGE = /(?:电话|手机|号码|联系方式).{0,6}(?:换|改|变|更新)|(?:换|改|变|更新)了?.{0,4}(?:电话|手机|号码)|新的?(?:电话|手机|号码)/;

/** Whether the buyer is giving a new phone number for delivery. */
export function isPhoneChange(u: Understanding): boolean {
  return u.entities.some((e) => e.kind === 'phone') && PHONE_CHANGE.test(u.normalized);
}

/** "电话改成138": the buyer changes the phone but gave no whole number (ask for it, not for an address). */
function isIncompletePhoneChange(u: Understanding): boolean {
  return !u.entities.some((e) => e.kind === 'phone') && PHONE_CHANGE.test(u.normalized);
}

/** One unit of a street address a correction may name alone: "是101号", "5号楼", "1102室". */
const UNIT_RE = /(\d+)\s*(号楼|号院|号|室|栋|幢|单元|楼|弄)/g;
/** The street name at the start of a detail: "中山北路", "天府大道北段", "湖滨南路". */
const STREET_NAME_RE = /^([\u4e00-\u9fff]{1,12}?(?:大道|路|街|巷|胡同|里)(?:[东西南北中]段)?)/u;

function replaceUnit(detail: string, value: string, unit: string): string {
  const same = new RegExp(`\\d+\\s*${unit}${unit === '号' ? '(?![楼院])' : ''}`, 'g');
  const hits = [...detail.matchAll(same)];
  const last = hits[hits.length - 1];
  if (!last) return `${detail}${value}${unit}`;
  const at = last.index ?? 0;
  return `${detail.slice(0, at)}${value}${unit}${detail.slice(at + last[0].length)}`;
}

/**
 * `base` with the buyer's correction merged in, or undefined when the message corrects
 * nothing: a new phone, a recipient, a whole address with its place, another street
 * ("不对，是中山北路" keeps the house number), or one unit of the street ("不对，是101号").
 */
export function correctAddress(u: Understanding, base: Address): Address | undefined {
  let out: Address = { ...base };
  let changed = false;
  const entity = lastEntity(u, 'address');
  if (entity && isUsableAddress(entity) && (entity.province || entity.city || entity.district)) {
    out = { ...mergeAddress(entity, base), district: entity.district ?? (entity.city || entity.province ? '' : base.district) };
    changed = true;
  } else {
    if (entity?.recipient) {
      out.recipient = entity.recipient;
      changed = true;
    }
    const typed = stripCommands(entity?.detail ?? (entity?.recipient ? '' : u.normalized.replace(/[\s。!！?？~～]+$/u, '')));
    const street = STREET_NAME_RE.exec(typed)?.[1];
    const baseDetail = compactDetail(base.detail);
    if (street && !baseDetail.startsWith(typed)) {
      // Another street: it replaces the street name; the number stays unless one was typed too.
      const rest = typed.slice(street.length);
      const baseStreet = STREET_NAME_RE.exec(baseDetail)?.[1];
      const baseRest = baseStreet ? baseDetail.slice(baseStreet.length) : '';
      out.detail = rest.length > 0 ? typed : `${street}${baseRest}`;
      changed = true;
    } else if (!entity?.recipient) {
      for (const m of typed.matchAll(UNIT_RE)) {
        out.detail = replaceUnit(out.detail, m[1] as string, m[2] as string);
        changed = true;
      }
    }
  }
  const phone = lastEntity(u, 'phone') ?? (entity?.phone ? { value: entity.phone } : undefined);
  if (phone) {
    out.phone = phone.value;
    changed = true;
  }
  return changed && !sameAddress(out, base) ? out : undefined;
}

/** Two addresses are the same when every field is (spaces in the street do not count). */
export function sameAddress(a: Address, b: Address): boolean {
  return (
    a.recipient === b.recipient &&
    a.phone === b.phone &&
    a.province === b.province &&
    a.city === b.city &&
    a.district === b.district &&
    compactDetail(a.detail) === compactDetail(b.detail)
  );
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

/** A street with no house number, building or place in it ("文三路"): not deliverable yet. */
function lacksNumber(detail: string | undefined): boolean {
  const d = (detail ?? '').trim();
  return (
    d !== '' &&
    !/[0-9一二三四五六七八九十百]+\s*[号栋幢楼室座弄]|\d|村|组|小区|大厦|公寓|花园|苑|院|学校|大学|公司|广场|中心|市场|医院|酒店|宾馆|商场|驿站|园区|社区|宿舍|府|城|湾|庭/u.test(
      d,
    )
  );
}

/** address.confirm: show the address on file and ask the buyer to confirm it. */
export function addressConfirmPolicy(input: PolicyInput): PolicyResult {
  const { order } = input;
  if (!order) return { moves: [orderMissing(input, ADDRESS_CONFIRM)] };
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
  if (!order) return { ...base, moves: [orderMissing(input, ADDRESS_CHANGE)] };
  if (hasShipped(order)) return { ...base, ...shippedOutcome(input, ADDRESS_CHANGE, order, true) };
  const current = effectiveAddress(input.conv, order);
  // The read-back still open, also when this turn did not answer it ("对吧" asks back).
  const open = input.pending ?? (input.conv.slots.pending?.owner === ADDRESS_CHANGE ? input.conv.slots.pending : undefined);
  const pendingAddress = open?.kind === 'read_back' ? open.data?.address : undefined;
  if (input.answer === 'yes' && pendingAddress) {
    const record: AddressChangeRecord = { orderNumber: order.number, address: pendingAddress, at: input.now.toISOString() };
    const act: ActDraft = { kind: 'address_change', orderNumber: order.number, address: pendingAddress, previous: current };
    return {
      ...base,
      moves: [move(input, ADDRESS_CHANGE, 'changed', { address: current, newAddress: pendingAddress })],
      slots: { addressChange: record, awaitingAddress: undefined },
      acts: [act],
      pending: null,
    };
  }
  const readBack = (newAddress: Address): PolicyResult => ({
    ...base,
    moves: [move(input, ADDRESS_CHANGE, 'read_back', { address: current, newAddress })],
    slots: { awaitingAddress: undefined },
    pending: { owner: ADDRESS_CHANGE, kind: 'read_back', choices: [], data: { address: newAddress } },
  });
  if (input.answer !== 'no') {
    // A correction while the read-back is pending ("不对，是101号") is merged into it and read back again.
    const corrected = pendingAddress ? correctAddress(input.u, pendingAddress) : undefined;
    if (corrected) return readBack(corrected);
    const entity = lastEntity(input.u, 'address');
    // "杭州市西湖区 文三路": a street with no number cannot be delivered to; ask for it, record nothing.
    if (entity && isUsableAddress(entity) && lacksNumber(entity.detail)) {
      return {
        ...base,
        moves: [move(input, ADDRESS_CHANGE, 'ask_new', { address: current, askNumber: true, street: entity.detail })],
        slots: { awaitingAddress: true },
        pending: null,
      };
    }
    if (entity && (isUsableAddress(entity) || entity.recipient !== undefined)) return readBack(mergeAddress(entity, current));
    // A new phone alone keeps the address on file and changes only the number.
    const phone = lastEntity(input.u, 'phone');
    if (phone) return readBack({ ...current, phone: phone.value });
    // Neither yes, no nor a new address while the read-back is open: read it back again.
    if (pendingAddress && input.answer === undefined) return readBack(pendingAddress);
  }
  // askPhone: the template asks for the whole mobile number (scripts without the branch ask for the address).
  const askPhone = input.answer !== 'no' && isIncompletePhoneChange(input.u);
  return {
    ...base,
    moves: [move(input, ADDRESS_CHANGE, 'ask_new', { address: current, ...(askPhone ? { askPhone: true } : {}) })],
    slots: { awaitingAddress: true },
    pending: null,
  };
}

/** Routing claims of the address flows (see stages/route.ts for their order). */
export const claims = {
  /** A correction while the new address is read back ("不对，是101号", "不对，是中山北路"): amend it. */
  correction: claim('address.correction', ({ pending, u }) => {
    const readBack = pending?.owner === ADDRESS_CHANGE && pending.kind === 'read_back' ? pending.data?.address : undefined;
    return readBack && correctAddress(u, readBack) ? { intent: ADDRESS_CHANGE, pending } : undefined;
  }),
  /** The new address the bot asked for. */
  awaited: claim('address.awaited', ({ conv, u }) =>
    conv.slots.awaitingAddress && u.entities.some((e) => (e.kind === 'address' && isUsableAddress(e)) || e.kind === 'phone')
      ? { intent: ADDRESS_CHANGE }
      : undefined,
  ),
  /** "我电话换了，新号码137…": a new phone for delivery. */
  phoneChange: claim('address.phoneChange', ({ u }) => (isPhoneChange(u) ? { intent: ADDRESS_CHANGE } : undefined)),
};
