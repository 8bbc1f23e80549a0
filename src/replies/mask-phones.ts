/**
 * Masking phone numbers inside free text (a buyer's message, a log line). Replies mask the
 * phone fields they render with the maskPhone helper; this is for text nobody structured.
 */

// Mainland mobile numbers (optionally +86 / 86 prefixed, optionally split by spaces or
// dashes as buyers type them), not inside a longer run of digits such as an order number.
const MOBILE = /(?<!\d)((?:\+?86[ -]?)?1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)/g;
// Landlines such as 010-12345678 or 0755-1234567.
const LANDLINE = /(?<!\d)(0\d{2,3})-(\d{3,4})(\d{4})(?!\d)/g;

/** Masks phone numbers in a string: 13812345678 → 138****5678, 010-12345678 → 010-****5678. */
export function maskPhonesInText(text: string): string {
  return text
    .replace(MOBILE, '$1****$3')
    .replace(LANDLINE, (_m, area: string, mid: string, last: string) => `${area}-${'*'.repeat(mid.length)}${last}`);
}
