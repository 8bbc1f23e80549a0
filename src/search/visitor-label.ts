/**
 * A readable label for a buyer the shop does not know (an anonymous visitor): "访客#3F2A"
 * instead of a random id. The same function runs in the agent console (src/web/agent-search.js,
 * `visitorLabel`): both hash the id with 32-bit FNV-1a over UTF-16 code units and show the low
 * 16 bits as four hex digits, so a label read out on the phone finds the chat in a search.
 */

/** 32-bit FNV-1a of the string's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Four upper-case hex digits identifying the buyer id, e.g. "3F2A". */
export function visitorTag(buyerId: string): string {
  return (fnv1a(buyerId) & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

/** "访客#3F2A" for an anonymous buyer id. */
export function visitorLabel(buyerId: string): string {
  return `访客#${visitorTag(buyerId)}`;
}
