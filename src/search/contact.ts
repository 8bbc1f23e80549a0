/** Small shapes for the contact panel: an order's address as one masked line. */
import { formatPlace, maskPhone } from '../replies/helpers';
import type { Address } from '../shop/types';

/** "张三 138****5678 浙江省杭州市…", the phone masked as everywhere on agent screens. */
export function addressLine(a: Address): string {
  return `${a.recipient} ${maskPhone(a.phone)} ${formatPlace(a)}`;
}
