/**
 * Test fixtures: the demo shop at a fixed instant, the shipped scripts, and Understanding
 * values built by hand so policy tests do not depend on the classifier.
 */
import { join } from 'node:path';
import type { Entity, Understanding } from '../../src/nlu/types';
import { buildScriptBundle, loadScriptFiles, type ScriptBundle } from '../../src/scripts/bundle';
import { loadDemoShop } from '../../src/shop/demo';
import type { ShopData } from '../../src/shop/types';

export const ROOT = join(__dirname, '..', '..');
/** Monday 2025-03-10 10:00 in the shop's time zone (UTC+8). */
export const NOW = new Date('2025-03-10T10:00:00+08:00');

export function demoShop(now: Date = NOW): ShopData {
  return loadDemoShop(join(ROOT, 'demo', 'shop'), { now });
}

let cached: ScriptBundle | undefined;
/** The shipped intents and templates, built once per test file. */
export function shippedBundle(): ScriptBundle {
  if (!cached) {
    const built = buildScriptBundle(loadScriptFiles(ROOT));
    if (!built.bundle) throw new Error(JSON.stringify(built.errors));
    cached = built.bundle;
  }
  return cached;
}

/** An Understanding as the NLU would return it, for policy tests. */
export function understood(intent: string, entities: Entity[] = [], confidence = 0.95): Understanding {
  const category = (intent.split('.')[0] ?? 'other') as Understanding['category'];
  return {
    raw: 'x',
    normalized: 'x',
    tokens: ['x'],
    intent,
    category,
    confidence,
    ranking: [{ intent, category, confidence }],
    entities,
    flags: { mojibakeRepaired: false, garbled: false, truncated: false, traditional: false, emoticons: 0 },
  };
}

export function offerEntity(value: number, freeShipping = false): Entity {
  return { kind: 'money', text: String(value), span: { start: 0, end: String(value).length }, value, role: 'offer', freeShipping };
}

/** A bundle whose understand() returns what the test scripts, with the shipped templates. */
export function scriptedBundle(next: (text: string) => Understanding): ScriptBundle {
  return { ...shippedBundle(), understand: next };
}
