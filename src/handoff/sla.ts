/**
 * SLA rules and their stored timers. Two clocks from the domain:
 *  - first response: a buyer message must be answered within 5 minutes. Bot replies count,
 *    but a queued buyer waits on a person, so while queued or with an agent only an agent's
 *    message stops the clock.
 *  - logistics resolution: an after-sale logistics problem is resolved within 48 hours of
 *    the handoff (closed or returned to the bot).
 * Timers live in the Store (setTimer/takeDueTimers), so they survive restarts and any
 * instance's sweeper may fire them exactly once. A breach also leaves a stored marker
 * timer so every console can keep highlighting it until the conversation moves on.
 */
import type { Timer } from '../store/types';

export type SlaKind = 'first_response' | 'logistics_resolution';
export type SlaState = 'ok' | 'approaching' | 'breached';

export interface SlaConfig {
  firstResponseMs: number;
  /** "Approaching" when this much time (or less) is left. */
  firstResponseWarnMs: number;
  logisticsResolutionMs: number;
  logisticsWarnMs: number;
  /** How long a breach marker stays if nobody ever acts on the conversation. */
  breachMarkerTtlMs: number;
}

export const DEFAULT_SLA: SlaConfig = {
  firstResponseMs: 5 * 60_000,
  firstResponseWarnMs: 60_000,
  logisticsResolutionMs: 48 * 3_600_000,
  logisticsWarnMs: 8 * 3_600_000,
  breachMarkerTtlMs: 30 * 24 * 3_600_000,
};

/** Everything about one SLA clock of one conversation, as the console shows it. */
export interface SlaView {
  kind: SlaKind;
  startedAt: number;
  dueAt: number;
  state: SlaState;
  breachedAt?: number;
}

export const SLA_PREFIX = 'sla:';

type TimerRole = 'due' | 'warn' | 'breached';

/** Key of one SLA timer; the conversation id is last so ids containing ':' still parse. */
export function slaTimerKey(role: TimerRole, kind: SlaKind, conversationId: string): string {
  return `${SLA_PREFIX}${role}:${kind}:${conversationId}`;
}

export interface ParsedSlaKey {
  role: TimerRole;
  kind: SlaKind;
  conversationId: string;
}

export function parseSlaKey(key: string): ParsedSlaKey | undefined {
  const m = /^sla:(due|warn|breached):(first_response|logistics_resolution):(.+)$/.exec(key);
  if (!m) return undefined;
  return { role: m[1] as TimerRole, kind: m[2] as SlaKind, conversationId: m[3] as string };
}

function limits(config: SlaConfig, kind: SlaKind): { total: number; warn: number } {
  return kind === 'first_response'
    ? { total: config.firstResponseMs, warn: config.firstResponseWarnMs }
    : { total: config.logisticsResolutionMs, warn: config.logisticsWarnMs };
}

/** The due and warn timers that start one SLA clock at `startedAt`. */
export function startTimers(config: SlaConfig, kind: SlaKind, conversationId: string, startedAt: number): Timer[] {
  const { total, warn } = limits(config, kind);
  const payload = { conversationId, kind, startedAt, dueAt: startedAt + total };
  const timers: Timer[] = [{ key: slaTimerKey('due', kind, conversationId), dueAt: startedAt + total, payload }];
  if (warn > 0 && warn < total) {
    timers.push({ key: slaTimerKey('warn', kind, conversationId), dueAt: startedAt + total - warn, payload });
  }
  return timers;
}

/** The marker timer kept after a breach (fires only to clean itself up). */
export function breachMarker(config: SlaConfig, kind: SlaKind, conversationId: string, startedAt: number, dueAt: number, breachedAt: number): Timer {
  return {
    key: slaTimerKey('breached', kind, conversationId),
    dueAt: breachedAt + config.breachMarkerTtlMs,
    payload: { conversationId, kind, startedAt, dueAt, breachedAt },
  };
}

/** All keys of one clock, for clearing it. */
export function clockKeys(kind: SlaKind, conversationId: string): string[] {
  return (['due', 'warn', 'breached'] as const).map((role) => slaTimerKey(role, kind, conversationId));
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Folds stored timers into per-conversation SLA views at time `now`. Only the `due` and
 * `breached` timers matter for state; `warn` is just the trigger for the approaching event.
 */
export function slaViews(timers: readonly Timer[], config: SlaConfig, now: number): Map<string, SlaView[]> {
  const out = new Map<string, SlaView[]>();
  for (const t of timers) {
    const parsed = parseSlaKey(t.key);
    if (!parsed || parsed.role === 'warn') continue;
    const startedAt = num(t.payload['startedAt']);
    const dueAt = num(t.payload['dueAt']) ?? (parsed.role === 'due' ? t.dueAt : undefined);
    if (startedAt === undefined || dueAt === undefined) continue;
    const { warn } = limits(config, parsed.kind);
    let view: SlaView;
    if (parsed.role === 'breached') {
      const breachedAt = num(t.payload['breachedAt']) ?? dueAt;
      view = { kind: parsed.kind, startedAt, dueAt, state: 'breached', breachedAt };
    } else {
      const state: SlaState = now >= dueAt ? 'breached' : now >= dueAt - warn ? 'approaching' : 'ok';
      view = { kind: parsed.kind, startedAt, dueAt, state };
    }
    const list = out.get(parsed.conversationId) ?? [];
    // A clock is either running (due) or breached (marker); a leftover due beside a marker loses.
    const existing = list.findIndex((v) => v.kind === view.kind);
    if (existing === -1) list.push(view);
    else if (view.state === 'breached') list[existing] = view;
    out.set(parsed.conversationId, list);
  }
  return out;
}

/** Worst state of a list of clocks (for row highlighting). */
export function worstState(views: readonly SlaView[]): SlaState {
  if (views.some((v) => v.state === 'breached')) return 'breached';
  if (views.some((v) => v.state === 'approaching')) return 'approaching';
  return 'ok';
}
