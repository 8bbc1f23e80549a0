/**
 * Runs the store's session life cycle (Store.sweepIdle, issue 15) on a timer: anonymous
 * sessions that never sent a message expire after ANON_SESSION_TTL_MS and bot conversations
 * idle for IDLE_CONVERSATION_MS are closed. Stores without a sweep (Redis) are left alone.
 */
import type { AbuseLimits } from '../config';
import type { Store } from '../store/types';
import type { Logger } from './logger';

/** Starts sweeping; returns the function that stops it. */
export function startIdleSweeper(store: Store, limits: AbuseLimits, logger: Logger): () => void {
  const sweep = store.sweepIdle?.bind(store);
  if (!sweep) return () => undefined;
  const everyMs = Math.max(500, Math.min(60_000, Math.floor(limits.anonSessionTtlMs / 4)));
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep({ anonSessionTtlMs: limits.anonSessionTtlMs, idleConversationMs: limits.idleConversationMs })
      .then(({ removed, closed }) => {
        if (removed > 0 || closed > 0) logger.info({ removed, closed }, 'expired idle sessions and conversations');
      })
      .catch((err: unknown) => logger.warn({ err }, 'idle session sweep failed'))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
