/**
 * The training corpus beside the intent files: `intents/corpus/*.tsv`, lines
 * `text<TAB>intentId<TAB>theme[<TAB>frame]` (theme = product family / situation, e.g.
 * `kitchen/fault-symptom`), written by us (docs/nlu.md), and the lexicons
 * `intents/lexicon/*.txt` (one word a line: product families, fault symptoms, usage words).
 * Extra labelled lines from a shop (`text<TAB>label`, label = intent id or category) use the
 * same shape with the theme `shop/<file>`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isCategory, type Category } from './types';

/** One labelled training line. */
export interface CorpusLine {
  text: string;
  /** Intent id. */
  label: string;
  /** `family/situation`; the held-out split groups by the family. */
  theme: string;
  /**
   * The sentence frame a grammar filling came from (fourth column, e.g. `f1x2y3z`): one frame is
   * filled by every family, so the held-out split holds frames out as well as families.
   */
  frame?: string;
}

/** A named word list; a message containing one of its words gets the list's mark as a feature. */
export interface Lexicon {
  name: string;
  words: string[];
}

/** A line that could not be read, with where it is. */
export interface CorpusProblem {
  file: string;
  line: number;
  reason: string;
}

/** What a corpus needs of an intent: its id and category (to map a category label to its main intent). */
export interface LabelSource {
  id: string;
  category: Category;
  examples: readonly string[];
}

/**
 * The intent a label means: an intent id as is, a category its main intent (the intent of that
 * category with the most examples; ties by id). Undefined when neither.
 */
export function labelResolver(intents: readonly LabelSource[]): (label: string) => string | undefined {
  const ids = new Set(intents.map((i) => i.id));
  const main = new Map<Category, LabelSource>();
  for (const i of [...intents].sort((a, b) => a.id.localeCompare(b.id))) {
    const best = main.get(i.category);
    if (best === undefined || i.examples.length > best.examples.length) main.set(i.category, i);
  }
  return (label) => {
    const l = label.trim();
    if (ids.has(l)) return l;
    return isCategory(l) ? main.get(l)?.id : undefined;
  };
}

/**
 * Parses labelled lines (`text<TAB>label[<TAB>theme]`). Lines without a known label are reported,
 * never guessed; blank lines and lines starting with `#` are skipped.
 */
export function parseLabelledLines(
  text: string,
  file: string,
  resolve: (label: string) => string | undefined,
  defaultTheme: string,
): { lines: CorpusLine[]; problems: CorpusProblem[] } {
  const lines: CorpusLine[] = [];
  const problems: CorpusProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const cols = raw.split('\t');
    const body = (cols[0] ?? '').trim();
    const label = cols.length >= 2 ? resolve(cols[1] ?? '') : undefined;
    if (body === '' || label === undefined) {
      problems.push({ file, line: i + 1, reason: cols.length < 2 ? 'expected text<TAB>label' : `unknown label "${(cols[1] ?? '').trim()}"` });
      return;
    }
    const theme = (cols[2] ?? '').trim() || defaultTheme;
    const frame = (cols[3] ?? '').trim();
    lines.push(frame === '' ? { text: body, label, theme } : { text: body, label, theme, frame });
  });
  return { lines, problems };
}

/** Reads `corpus/*.tsv` and `lexicon/*.txt` under an intents directory (both optional). */
export function loadCorpusDir(
  intentsDir: string,
  intents?: readonly LabelSource[],
): { lines: CorpusLine[]; lexicons: Lexicon[]; problems: CorpusProblem[] } {
  // Without intents every label is kept as written; training leaves out intents it does not have.
  const resolve = intents ? labelResolver(intents) : (l: string) => l.trim() || undefined;
  const lines: CorpusLine[] = [];
  const problems: CorpusProblem[] = [];
  const corpusDir = join(intentsDir, 'corpus');
  if (existsSync(corpusDir)) {
    for (const name of readdirSync(corpusDir)
      .filter((n) => n.endsWith('.tsv'))
      .sort()) {
      const parsed = parseLabelledLines(
        readFileSync(join(corpusDir, name), 'utf8'),
        `intents/corpus/${name}`,
        resolve,
        `${basename(name, '.tsv')}/misc`,
      );
      lines.push(...parsed.lines);
      problems.push(...parsed.problems);
    }
  }
  const lexicons: Lexicon[] = [];
  const lexiconDir = join(intentsDir, 'lexicon');
  if (existsSync(lexiconDir)) {
    for (const name of readdirSync(lexiconDir)
      .filter((n) => n.endsWith('.txt'))
      .sort()) {
      const words = readFileSync(join(lexiconDir, name), 'utf8')
        .split(/\r?\n/)
        .map((w) => w.split('\t')[0]?.trim() ?? '')
        .filter((w) => w !== '' && !w.startsWith('#'));
      lexicons.push({ name: basename(name, '.txt'), words });
    }
  }
  return { lines, lexicons, problems };
}
