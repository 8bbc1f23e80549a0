/**
 * Signed shop identity: a shop page that knows who is logged in embeds the widget with the
 * shop's buyer id and an HMAC-SHA256 of that id keyed with SHOP_SECRET (hex). The buyer socket
 * checks the signature here before it opens that buyer's conversation, so a visitor who only
 * knows (or guesses) a buyer id never reaches that buyer's orders.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Hex HMAC-SHA256 of the shop buyer id (UTF-8) with the shop secret: what the shop page embeds. */
export function signShopBuyer(secret: string, shopBuyerId: string): string {
  return createHmac('sha256', secret).update(shopBuyerId, 'utf8').digest('hex');
}

/**
 * True when `signature` is the shop's signature of `shopBuyerId`. The comparison takes the
 * same time wherever the first wrong byte is (timingSafeEqual), so it leaks nothing usable.
 */
export function verifyShopBuyer(secret: string, shopBuyerId: string, signature: string): boolean {
  if (!HEX_SHA256.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(shopBuyerId, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
