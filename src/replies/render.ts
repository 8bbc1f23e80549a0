/**
 * Rendering a move: pick a variant, clean the variables, run the template. Replies are plain
 * text; every string that goes in is stripped of control, zero-width and bidi-override
 * characters and squeezed to one line, so buyer-supplied text (an address, a name) can
 * neither break the layout nor spoof the direction of what the buyer reads. Front-ends put
 * the text in with textContent; `escapeHtml` is here for anyone who builds HTML instead.
 */
import { AppError } from '../errors';
import type { RenderData } from './helpers';
import type { TemplateSet, TemplateVariant } from './templates';

/** A rendered reply, before the engine adds intent and category. */
export interface RenderedMove {
  text: string;
  templateId: string;
  quickReplies?: string[];
}

export interface RenderOptions extends RenderData {
  /** Chooses a variant index in [0, count) for the given move key (rotation or random). */
  pick?: (count: number, key: string) => number;
  /** Pick this exact variant (suggestions show more than one variant of a move). */
  variant?: number;
}

const MAX_VALUE_CHARS = 200;
// C0/C1 controls, zero-width characters, bidi embeddings/overrides/isolates, BOM.
const UNSAFE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
// Everything either replace below could touch (UNSAFE_CHARS plus \t \n \r); most strings have none.
const NEEDS_CLEANING = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/;

/** Makes one interpolated string safe for a plain-text chat bubble. */
export function cleanText(value: string): string {
  const cleaned = NEEDS_CLEANING.test(value) ? value.replace(UNSAFE_CHARS, '').replace(/\s*[\r\n\t]+\s*/g, ' ') : value;
  return cleaned.length > MAX_VALUE_CHARS ? `${cleaned.slice(0, MAX_VALUE_CHARS)}…` : cleaned;
}

/** Deep copy of template variables with every string cleaned; Dates become ISO strings. */
export function cleanVars(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(cleanVars);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Like Object.fromEntries: an own "__proto__" key stays a key.
      if (k === '__proto__') Object.defineProperty(out, k, { value: cleanVars(v), writable: true, enumerable: true, configurable: true });
      else out[k] = cleanVars(v);
    }
    return out;
  }
  return value;
}

/** HTML-escapes a rendered reply for a front-end that inserts HTML rather than text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** True when `templates` has the move (engine falls back when a manager's intent lacks one). */
export function hasMove(templates: TemplateSet, intent: string, move: string): boolean {
  return (templates[intent]?.moves[move]?.variants.length ?? 0) > 0;
}

/** Number of variants a move has (0 when missing). */
export function variantCount(templates: TemplateSet, intent: string, move: string): number {
  return templates[intent]?.moves[move]?.variants.length ?? 0;
}

/**
 * Renders `intent`/`move` with `vars`. Throws AppError TEMPLATE_ERROR when the move is missing
 * or the template needs a variable this situation does not have (the engine turns that into
 * a holding reply and a handoff).
 */
export function renderMove(
  templates: TemplateSet,
  intent: string,
  move: string,
  vars: Record<string, unknown>,
  options: RenderOptions,
): RenderedMove {
  const m = templates[intent]?.moves[move];
  if (!m || m.variants.length === 0) {
    throw new AppError('TEMPLATE_ERROR', `no template for ${intent}/${move}`, { intent, move });
  }
  const count = m.variants.length;
  const index = options.variant ?? options.pick?.(count, `${intent}/${move}`) ?? 0;
  const variant = m.variants[((index % count) + count) % count] as TemplateVariant;
  let text: string;
  try {
    text = variant.render(cleanVars(vars), {
      data: { now: options.now, utcOffsetMinutes: options.utcOffsetMinutes },
    });
  } catch (e) {
    throw new AppError('TEMPLATE_ERROR', `${variant.id}: ${(e as Error).message}`, { templateId: variant.id }, { cause: e });
  }
  // "{{size}}码" for a size that already ends in 码 ("均码", "38码") would say "均码码".
  const out: RenderedMove = { text: text.replace(/\s+/g, ' ').replace(/码码/gu, '码').trim(), templateId: variant.id };
  if (m.quickReplies.length > 0) out.quickReplies = [...m.quickReplies];
  return out;
}
