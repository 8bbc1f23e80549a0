/**
 * Shop wall-clock arithmetic. China has no daylight saving, so a fixed UTC offset is exact;
 * using it (rather than the host's TZ) keeps replies and tests identical on any machine.
 */

/** Calendar parts of an instant as seen on the shop's wall clock. */
export interface WallTime {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  /** Days since 1970-01-01 on the wall clock, for comparing calendar days. */
  dayNumber: number;
}

const DAY_MS = 86_400_000;

/** The wall-clock parts of `date` at `offsetMinutes` from UTC. */
export function wallTime(date: Date, offsetMinutes: number): WallTime {
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    dayNumber: Math.floor(shifted.getTime() / DAY_MS),
  };
}

/** The instant at wall-clock `hh:mm` on the calendar day `dayNumber`. */
export function instantAt(dayNumber: number, hhmm: string, offsetMinutes: number): Date {
  const { hour, minute } = parseHhmm(hhmm);
  return new Date(dayNumber * DAY_MS + (hour * 60 + minute - offsetMinutes) * 60_000);
}

/** "16:00" → { hour: 16, minute: 0 }; throws on anything else (config is validated at load). */
export function parseHhmm(hhmm: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`not a time of day: ${hhmm}`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59) throw new Error(`not a time of day: ${hhmm}`);
  return { hour, minute };
}

/** Whole calendar days from `earlier` to `later` on the wall clock (today = 0). */
export function calendarDaysBetween(earlier: Date, later: Date, offsetMinutes: number): number {
  return wallTime(later, offsetMinutes).dayNumber - wallTime(earlier, offsetMinutes).dayNumber;
}

/**
 * Resolves a demo-data time: an ISO string, or relative to `now` — "-2h", "-70m", "-3d",
 * "-3d 14:00" (three calendar days ago at 14:00 wall clock), "now".
 */
export function resolveRelativeTime(spec: string, now: Date, offsetMinutes: number): Date {
  const s = spec.trim();
  if (s === 'now') return new Date(now.getTime());
  const rel = /^-(\d+)([mhd])(?:\s+(\d{1,2}:\d{2}))?$/.exec(s);
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2];
    if (unit === 'd' && rel[3] !== undefined) {
      return instantAt(wallTime(now, offsetMinutes).dayNumber - n, rel[3], offsetMinutes);
    }
    const ms = unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : DAY_MS;
    return new Date(now.getTime() - n * ms);
  }
  const abs = new Date(s);
  if (Number.isNaN(abs.getTime())) throw new Error(`not a time: ${spec}`);
  return abs;
}
