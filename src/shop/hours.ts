/**
 * The shop's business hours (policy `businessHours`, in the shop's wall clock): whether people
 * answer chats now and, if not, when they are back. The waiting room says it to queued buyers;
 * the handoff replies promise no one "马上" outside them.
 */
import { instantAt, parseHhmm, wallTime } from './clock';
import type { ShopPolicy } from './types';

/** Whether people answer chats at `now`, and if not, when they are back. */
export interface HoursState {
  open: boolean;
  /** "09:00-23:00", when the shop has business hours. */
  hours?: string;
  /** Next opening, when closed. */
  backAt?: Date;
}

/** Business hours at `now` (always open when the policy sets none). */
export function businessHoursAt(policy: Pick<ShopPolicy, 'businessHours' | 'utcOffsetMinutes'>, now: Date): HoursState {
  const bh = policy.businessHours;
  if (!bh) return { open: true };
  const offset = policy.utcOffsetMinutes;
  const w = wallTime(now, offset);
  const minute = w.hour * 60 + w.minute;
  const toMin = (s: string): number => {
    const { hour, minute: m } = parseHhmm(s);
    return hour * 60 + m;
  };
  const hours = `${bh.open}-${bh.close}`;
  if (minute >= toMin(bh.open) && minute < toMin(bh.close)) return { open: true, hours };
  const day = minute < toMin(bh.open) ? w.dayNumber : w.dayNumber + 1;
  return { open: false, hours, backAt: instantAt(day, bh.open, offset) };
}

/** The template variables that say when people are back (`hours`, `backAt` as ISO) while closed; none while open. */
export function hoursVars(h: HoursState): { hours?: string; backAt?: string } {
  if (h.open) return {};
  return { ...(h.hours ? { hours: h.hours } : {}), ...(h.backAt ? { backAt: h.backAt.toISOString() } : {}) };
}
