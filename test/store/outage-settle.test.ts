/**
 * The end of an outage is noticed even when the last buffered write is confirmed before every
 * Redis connection is back (the bus connection reconnects on its own schedule): health turns
 * ok and "store recovered" is logged once both are ready, without another write to prompt it.
 * A stand-in for the Redis store lets the test choose that order exactly.
 */
import { withOutageFallback } from '../../src/store/outage';
import type { StoreLogger } from '../../src/store/shared';
import type { Store } from '../../src/store/types';
import { conversation } from './contract';

/** Polls until `check` holds; fails after 20 s with the condition. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not reached: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('says recovered once every connection is ready, even when the writes were confirmed before that', async () => {
  let health: ReturnType<Store['health']> = { status: 'degraded', reason: 'redis unreachable (connect ECONNREFUSED)' };
  let confirm: () => void = () => {};
  const save = new Promise<void>((resolve) => (confirm = resolve));
  const inner = new Proxy({} as Store, {
    get: (_t, name) => {
      if (name === 'kind') return 'redis';
      if (name === 'health') return () => health;
      if (name === 'saveConversation') return () => save;
      return () => Promise.resolve();
    },
  });
  const lines: string[] = [];
  const logger: StoreLogger = { warn: (_d, msg) => void lines.push(msg), info: (_d, msg) => void lines.push(msg) };
  const store = withOutageFallback(inner, { logger });

  await store.saveConversation(conversation('c1')); // acknowledged from memory: Redis is away
  expect(store.health()).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/1 acknowledged writes buffered/) });

  // The command connection is back and confirms the write; the bus connection is not yet.
  health = { status: 'degraded', reason: 'redis unreachable (connection ready/reconnecting)' };
  confirm();
  await save;
  await new Promise((r) => setImmediate(r));
  expect(lines.some((l) => l.startsWith('store recovered'))).toBe(false);

  // Then the bus connection is ready too, and nothing else is written.
  health = { status: 'ok' };
  await until(() => lines.some((l) => l.startsWith('store recovered')));
  expect(store.health()).toEqual({ status: 'ok' });
  await store.close();
});
