/**
 * Values shared read-only instead of copied: deep-frozen plain data.
 *
 * The embedded store used to copy a conversation (JSON round trip) on every read and write so
 * callers never shared objects with it; at a thousand turns a second those copies, and the
 * garbage they left, were a large part of a turn's CPU.
 * Instead the store keeps deep-frozen plain JSON values and hands them out as they are:
 * nobody can change what the store holds (a write to a frozen object throws in strict mode,
 * which all our modules are), a read costs nothing, and a new state that keeps most of the
 * old one (the engine builds it with spreads) shares the unchanged parts, which are already
 * frozen and are skipped. That sharing also makes the journal's patch cheap to compute
 * (./conversation-patch.ts compares shared parts by identity).
 */

/**
 * Freezes `value` deeply in place while checking that JSON keeps it exactly (no undefined,
 * functions, symbols, non-finite numbers, class instances or cycles); false at the first part
 * that is not, with what came before it frozen. Parts frozen already were checked when they
 * were frozen and are skipped, so a new state costs only its new objects.
 */
function freezePlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null || Object.isFrozen(value)) return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!freezePlain(value[i], depth + 1)) return false;
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    // for…in rather than Object.keys: no key array per object (own keys only, as keys would give).
    for (const key in value) {
      if (Object.hasOwn(value, key) && !freezePlain((value as Record<string, unknown>)[key], depth + 1)) return false;
    }
  }
  // Children first: a frozen object always has frozen, checked children.
  Object.freeze(value);
  return true;
}

function freezeWalk(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) freezeWalk(value[i]);
  else for (const key of Object.keys(value)) freezeWalk((value as Record<string, unknown>)[key]);
}

/**
 * `value` as a deep-frozen plain JSON value the store can keep: `value` itself, frozen, when it
 * is plain JSON already (parts frozen before are skipped); otherwise its JSON round trip,
 * frozen (undefined fields dropped, dates as strings), as a JSON store would keep it.
 */
export function frozenPlain<T>(value: T): T {
  if (freezePlain(value, 0)) return value;
  const copy = JSON.parse(JSON.stringify(value)) as T;
  freezeWalk(copy);
  return copy;
}

/**
 * Freezes `value` in place, deeply (parts already frozen are skipped), and returns it. For
 * values their owner built itself: the store's replayed JSON, the shop's data (src/shop/demo.ts).
 */
export function frozen<T>(value: T): T {
  freezeWalk(value);
  return value;
}
