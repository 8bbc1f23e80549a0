/** Mainland mobile numbers (11 digits, 13x–19x), written whole or as 138-1234-5678 / 138 1234 5678. */
import type { PhoneEntity } from '../types';

const PHONE_RE = /(?<!\d)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g;

export function extractPhones(text: string): PhoneEntity[] {
  return [...text.matchAll(PHONE_RE)].map((m) => ({
    kind: 'phone' as const,
    text: m[0],
    span: { start: m.index ?? 0, end: (m.index ?? 0) + m[0].length },
    value: `${m[1]}${m[2]}${m[3]}`,
  }));
}

/** 138****5678: how a phone number may appear in logs. */
export function maskPhone(value: string): string {
  return value.length === 11 ? `${value.slice(0, 3)}****${value.slice(7)}` : '***';
}
