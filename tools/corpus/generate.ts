/**
 * Builds the training corpus in intents/corpus/ from our own grammar (frames.ts × the product
 * families in families/) and hand-written lines (each family's seeds, general.ts). Seeded: the
 * same files on every run. Prints the checks README.md quotes: dedupe, counts per family,
 * intent and category, diversity, lengths, and the dev-overlap check.
 *
 * Usage: npx tsx tools/corpus/generate.ts [--no-write] [--prune-exclusions]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIntentsDir } from '../../src/nlu/load';
import { dedupeKey, devPath, figures, lineHash } from './checks';
import { MULTI, SITUATIONS } from './frames';
import { FAMILIES } from './families';
import { generalExamples } from './general';
import { addNoise } from './noise';
import { hash32, Rng } from './rng';
import { bare, fill } from './slots';
import { Example, Family } from './types';

const SEED = 20261205;
const ROOT = join(__dirname, '..', '..');
const CORPUS_DIR = join(ROOT, 'intents', 'corpus');
const LEXICON_DIR = join(ROOT, 'intents', 'lexicon');
const EXCLUDED_FILE = join(__dirname, 'dev-excluded.txt');
const MULTI_QUOTA = 25;
const NON_ACTIONABLE = new Set(['greeting.hello', 'greeting.thanks', 'other.fallback']);

// Slot → the family list it draws from: a frame whose list is empty for a family is skipped.
// (variants may carry a product restriction too: 160ml@奶瓶,儿童水杯)
const SLOT_FIELD: Record<string, keyof Family> = {
  c: 'colours',
  c2: 'colours',
  v: 'variants',
  v2: 'variants',
  size: 'size',
  care: 'care',
  good: 'good',
  part: 'parts',
  fault: 'faults',
  use: 'use',
};
function usable(frame: string, fam: Family): boolean {
  for (const m of frame.matchAll(/\{(\w+)\}/g)) {
    const field = SLOT_FIELD[m[1] as string];
    if (field !== undefined && (fam[field] as unknown[]).length === 0) return false;
  }
  return true;
}

/** `quota` distinct fillings of the frames, spread over the frames, each with the frame it came from. */
function fillFrames(frames: readonly string[], quota: number, fam: Family, rng: Rng): Array<{ text: string; frame: string }> {
  const out: Array<{ text: string; frame: string }> = [];
  const seen = new Set<string>();
  for (let attempt = 0; attempt < quota * 6 && out.length < quota; attempt++) {
    const frame = frames[attempt % frames.length] as string;
    const text = fill(frame, fam, rng);
    const key = dedupeKey(text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ text, frame });
  }
  return out;
}

/**
 * The id of a sentence frame (the fourth corpus column): the same frame filled by any family
 * has the same id, so the held-out split (src/nlu/split.ts) can hold out frames as well as families.
 */
export function frameId(frame: string): string {
  return `f${hash32(frame).toString(36)}`;
}

function noisy(text: string, intent: string, theme: string, rng: Rng): Example {
  const n = addNoise(text, rng, {
    actionable: !NON_ACTIONABLE.has(intent),
    plain: theme.endsWith('/order-card'),
    angry: intent === 'bad_review.complaint',
  });
  return { text: n.text, intent, theme, kinds: n.kinds };
}

// Buyers often point instead of naming: 这个一开就跳闸. A line that opens with the product noun
// sometimes gets a pointer in its place (not in fragments or cards, where the noun is the message).
const POINTERS = ['这个', '东西', '宝贝', '这款', '买的东西', '你们这个', '这玩意'];
const NAMED_ONLY = new Set(['fragment', 'order-card', 'authenticity-warranty']);
function point(text: string, fam: Family, situation: string, rng: Rng): string {
  if (NAMED_ONLY.has(situation) || !rng.chance(0.12)) return text;
  const p = [...fam.products].sort((a, b) => b.length - a.length).find((x) => text.startsWith(x));
  return p === undefined ? text : rng.pick(POINTERS) + text.slice(p.length);
}

function familyExamples(fam: Family): Example[] {
  const rng = new Rng(SEED ^ hash32(fam.id));
  const out: Example[] = [];
  for (const [text, intent, situation] of fam.seeds) out.push({ ...noisy(text, intent, `${fam.id}/${situation}`, rng), hand: true });
  for (const s of SITUATIONS) {
    if (s.quota === 0) continue;
    if ((s.needs ?? []).some((f) => (fam[f] as unknown[]).length === 0)) continue;
    const frames = rng.shuffle(s.frames.filter((f) => usable(f, fam)));
    if (frames.length === 0) continue;
    for (const { text, frame } of fillFrames(frames, s.quota, fam, rng))
      out.push({ ...noisy(point(text, fam, s.name, rng), s.intent, `${fam.id}/${s.name}`, rng), frame: frameId(frame) });
  }
  const multi = rng.shuffle(MULTI.filter(([f]) => usable(f, fam)));
  for (let i = 0; i < MULTI_QUOTA; i++) {
    const [frame, intent] = multi[i % multi.length] as [string, string];
    out.push({ ...noisy(fill(frame, fam, rng), intent, `${fam.id}/multi`, rng), frame: frameId(frame) });
  }
  return out;
}

function clean(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ').trim();
}

function main(): void {
  const write = !process.argv.includes('--no-write');
  const prune = process.argv.includes('--prune-exclusions');
  const { intents, errors } = loadIntentsDir(join(ROOT, 'intents'));
  if (errors.length > 0) throw new Error(`intents/ has ${errors.length} errors`);
  const categoryOf = new Map(intents.map((i) => [i.id, i.category] as const));
  const excluded = new Set(
    existsSync(EXCLUDED_FILE)
      ? readFileSync(EXCLUDED_FILE, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
      : [],
  );

  const ids = new Set<string>();
  for (const f of FAMILIES) {
    if (ids.has(f.id)) throw new Error(`family ${f.id} twice`);
    ids.add(f.id);
    // The point of the symptom lists: faults a buyer tells without the cue words.
    for (const fault of f.faults) if (/[坏退]|质量/.test(bare(fault))) throw new Error(`${f.id}: fault "${fault}" uses a cue word`);
    for (const list of [f.parts, f.faults, f.use, f.care, f.size, f.good, f.variants]) {
      for (const item of list) {
        const at = item.indexOf('@');
        if (at >= 0)
          for (const p of item.slice(at + 1).split(','))
            if (!f.products.includes(p)) throw new Error(`${f.id}: "${item}" names unknown product ${p}`);
      }
    }
  }
  const generalRng = new Rng(SEED ^ hash32('general'));
  const general = generalExamples(generalRng).map((e) => ({
    ...noisy(e.text, e.intent, e.theme, generalRng),
    hand: e.hand,
    ...(e.frame !== undefined ? { frame: e.frame } : {}),
  }));
  const raw: Example[] = [...FAMILIES.flatMap(familyExamples), ...general];

  const seenExact = new Set<string>();
  const seenKey = new Set<string>();
  let exactDupes = 0;
  let normDupes = 0;
  let devExcluded = 0;
  const usedExclusions = new Set<string>();
  const kept: Example[] = [];
  for (const ex0 of raw) {
    const ex = { ...ex0, text: clean(ex0.text) };
    if (!categoryOf.has(ex.intent)) throw new Error(`unknown intent ${ex.intent} (${ex.theme}: ${ex.text})`);
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(ex.theme)) throw new Error(`bad theme ${ex.theme}`);
    if (ex.text === '') continue;
    if (seenExact.has(ex.text)) {
      exactDupes++;
      continue;
    }
    seenExact.add(ex.text);
    const key = dedupeKey(ex.text);
    if (key === '' || seenKey.has(key)) {
      normDupes++;
      continue;
    }
    seenKey.add(key);
    if (excluded.has(lineHash(ex.text))) {
      devExcluded++;
      usedExclusions.add(lineHash(ex.text));
      continue;
    }
    kept.push(ex);
  }

  if (write) {
    mkdirSync(CORPUS_DIR, { recursive: true });
    for (const f of readdirSync(CORPUS_DIR)) if (f.endsWith('.tsv')) unlinkSync(join(CORPUS_DIR, f));
    const byFamily = new Map<string, Example[]>();
    for (const ex of kept) {
      const fam = ex.theme.split('/')[0] as string;
      byFamily.set(fam, [...(byFamily.get(fam) ?? []), ex]);
    }
    for (const [fam, list] of byFamily)
      writeFileSync(
        join(CORPUS_DIR, `${fam}.tsv`),
        list.map((e) => `${e.text}\t${e.intent}\t${e.theme}${e.frame !== undefined ? `\t${e.frame}` : ''}`).join('\n') + '\n',
      );
    writeLexicon();
    if (prune) {
      // Hashes of lines the grammar no longer makes are dead weight; the header stays.
      const header = readFileSync(EXCLUDED_FILE, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('#'));
      writeFileSync(EXCLUDED_FILE, [...header, ...[...usedExclusions].sort()].join('\n') + '\n');
    }
  }

  const productWords = FAMILIES.flatMap((f) => f.products);
  const fig = figures(kept, (i) => categoryOf.get(i) ?? '?', productWords);
  const out: string[] = [];
  out.push(`corpus: ${fig.total} examples, ${fig.families.size} families (${FAMILIES.length} product families + general), ${fig.themes} themes`);
  out.push(
    `dedupe: ${raw.length} generated, ${exactDupes} exact duplicates and ${normDupes} duplicates after normalization dropped, ${devExcluded} dropped by the dev-overlap exclusion list`,
  );
  out.push(
    `diversity: ${fig.distinctBigrams} distinct character bigrams, ${fig.distinctTrigrams} distinct trigrams (type/token ${fig.trigramTypeTokenRatio.toFixed(3)}), ${fig.distinctSkeletons} distinct skeletons (products masked)`,
  );
  const L = fig.lengths;
  out.push(
    `length (characters): min ${L.min}, p10 ${L.p10}, median ${L.p50}, p90 ${L.p90}, max ${L.max}, mean ${L.mean.toFixed(1)}; ${L.histogram.map(([b, n]) => `${b}: ${n}`).join(', ')}`,
  );
  out.push(`categories: ${[...fig.categories].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out.push(`intents: ${[...fig.intents].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out.push(`families: ${[...fig.families].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const kinds = new Map<string, number>();
  for (const ex of kept) for (const k of ex.kinds ?? []) kinds.set(k, (kinds.get(k) ?? 0) + 1);
  out.push(
    `noise (lines): ${[...kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}; ${kept.filter((e) => e.hand === true).length} lines written whole by hand, the rest grammar fillings`,
  );
  process.stdout.write(out.join('\n') + '\n');
  const dev = devPath(ROOT);
  if (write && dev === undefined) process.stdout.write('dev overlap: no dev.tsv on this machine, not checked\n');
  if (write && dev !== undefined) {
    try {
      const res = execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'tools', 'check-dev-overlap.ts'), dev, join(ROOT, 'intents'), '--summary'],
        { encoding: 'utf8' },
      );
      process.stdout.write(res);
    } catch (e) {
      const err = e as { stdout?: string };
      process.stdout.write(err.stdout ?? String(e));
      process.stdout.write('dev overlap is not zero: run `npx tsx tools/check-dev-overlap.ts --write-exclusions` and generate again\n');
      process.exitCode = 1;
    }
  }
}

/** Lexicon lists derived from the families (the hand-written lists live beside them). */
function writeLexicon(): void {
  mkdirSync(LEXICON_DIR, { recursive: true });
  const header = (what: string): string =>
    `# ${what}, by product family. Generated by tools/corpus/generate.ts from tools/corpus/families/; do not edit by hand.\n`;
  const section = (pick: (f: Family) => string[]): string => FAMILIES.map((f) => `# ${f.id}\n${[...new Set(pick(f))].join('\n')}`).join('\n');
  writeFileSync(join(LEXICON_DIR, 'products.txt'), header('Product nouns') + section((f) => f.products) + '\n');
  writeFileSync(join(LEXICON_DIR, 'parts.txt'), header('Parts and accessories') + section((f) => f.parts.map(bare)) + '\n');
  writeFileSync(
    join(LEXICON_DIR, 'fault-symptoms.txt'),
    header('Faults told by their symptom (no 坏/退/质量)') + section((f) => f.faults.map(bare)) + '\n',
  );
}

main();
