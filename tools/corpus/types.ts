/**
 * The data a product family contributes to the corpus. Every list is written by hand; the
 * generator combines them with the situation frames in frames.ts. Predicates (`faults`, `use`,
 * `care`, `size`, `good`) are written to follow a product noun directly: 电饭煲 + 一开就跳闸.
 */
export interface Family {
  /** Family id, the first half of every theme: `kitchen/fault-symptom`. */
  id: string;
  /** Product nouns a buyer uses for this family. */
  products: string[];
  /** Parts and accessories (used for missing-part and fault frames). */
  parts: string[];
  /** Faults told by their symptom, never with 坏/退/质量; may end in 了 (a doubled 了 is merged). */
  faults: string[];
  /** Usage and capability questions (product.info), full predicates ending in a question. */
  use: string[];
  /** Care, cleaning, material, spec and warranty questions (product.info). */
  care: string[];
  /** Size and fit questions (product.size_color). */
  size: string[];
  /** Colours or styles sold. */
  colours: string[];
  /** Variants a buyer may ask stock of or exchange to (sizes, capacities, flavours …). */
  variants: string[];
  /** Praise predicates: 煮饭很香, 穿着很舒服. */
  good: string[];
  /** Price range in yuan, for offers and order cards. */
  price: [number, number];
  /** Hand-written lines: [text, intent id, situation]. */
  seeds: Array<[string, string, string]>;
}

/** One corpus line. */
export interface Example {
  text: string;
  intent: string;
  theme: string;
  /** Noise applied (noise.ts), for the printed figures only; not written to the corpus. */
  kinds?: string[];
  /** A line written whole by hand (a seed), as opposed to a grammar filling. */
  hand?: boolean;
  /** Id of the sentence frame a grammar filling came from (absent on hand-written lines). */
  frame?: string;
}

/** Splits a `|`-separated list written inline. */
export const L = (s: string): string[] =>
  s
    .split('|')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** Seeds written as `text => intent @situation` lines, one per line, `#` comments allowed. */
export function seeds(block: string): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(.*?)\s*=>\s*([a-z_]+\.[a-z_]+)\s*@([a-z-]+)$/.exec(line);
    if (!m) throw new Error(`bad seed line: ${line}`);
    out.push([m[1] as string, m[2] as string, m[3] as string]);
  }
  return out;
}
