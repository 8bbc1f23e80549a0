/**
 * Held-out figures for the corpus with today's model (trainModel/understand from src/nlu), so
 * the corpus can be judged without the measuring file. Three comparisons, category macro-F1:
 *  1. cross-writer: trained on the corpus only → scored on the intent files' own examples
 *     (written by other people, another style), against a model trained on those files alone
 *     scored on the corpus;
 *  2. held-out families: intent files + corpus minus six families → scored on those six
 *     families, against the intent files alone (frames are shared between families, so this
 *     one flatters the corpus; see README).
 * Usage: npx tsx tools/corpus/holdout.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainModel, understand, type IntentDef } from '../../src/nlu';
import { loadIntentsDir } from '../../src/nlu/load';

const ROOT = join(__dirname, '..', '..');
const HELD_OUT = new Set(['fresh', 'tools', 'jewellery', 'pets', 'books', 'car']);

interface Line {
  text: string;
  intent: string;
  family: string;
}

function readCorpus(): Line[] {
  const dir = join(ROOT, 'intents', 'corpus');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [text = '', intent = '', theme = ''] = l.split('\t');
          return { text, intent, family: theme.split('/')[0] ?? '' };
        }),
    );
}

function withExamples(intents: readonly IntentDef[], lines: readonly Line[], keepOwn: boolean): IntentDef[] {
  return intents.map((i) => ({ ...i, examples: [...(keepOwn ? i.examples : []), ...lines.filter((l) => l.intent === i.id).map((l) => l.text)] }));
}

function score(
  name: string,
  intents: IntentDef[],
  dictionary: string,
  test: ReadonlyArray<{ text: string; intent: string }>,
  categoryOf: Map<string, string>,
): void {
  const t0 = Date.now();
  const model = trainModel(intents, dictionary);
  const cats = [...new Set(categoryOf.values())];
  const tp = new Map<string, number>(),
    fp = new Map<string, number>(),
    fn = new Map<string, number>();
  let right = 0;
  for (const ex of test) {
    const gold = categoryOf.get(ex.intent) ?? '?';
    const got = understand(model, ex.text).category;
    if (got === gold) {
      right++;
      tp.set(gold, (tp.get(gold) ?? 0) + 1);
    } else {
      fp.set(got, (fp.get(got) ?? 0) + 1);
      fn.set(gold, (fn.get(gold) ?? 0) + 1);
    }
  }
  const f1 = (c: string): number => {
    const p = tp.get(c) ?? 0;
    const d = 2 * p + (fp.get(c) ?? 0) + (fn.get(c) ?? 0);
    return d === 0 ? 0 : (2 * p) / d;
  };
  const present = cats.filter((c) => test.some((ex) => categoryOf.get(ex.intent) === c));
  const macro = present.reduce((s, c) => s + f1(c), 0) / present.length;
  process.stdout.write(
    `${name}: ${test.length} lines, accuracy ${(right / test.length).toFixed(3)}, macro-F1 ${macro.toFixed(3)} (${present.map((c) => `${c} ${f1(c).toFixed(2)}`).join(', ')}) [${((Date.now() - t0) / 1000).toFixed(0)} s]\n`,
  );
}

function main(): void {
  const { intents, dictionary } = loadIntentsDir(join(ROOT, 'intents'));
  const categoryOf = new Map(intents.map((i) => [i.id, i.category as string] as const));
  const corpus = readCorpus();
  const own = intents.flatMap((i) => i.examples.map((text) => ({ text, intent: i.id })));
  score('1a intent files only → corpus', [...intents], dictionary, corpus, categoryOf);
  score('1b corpus only → intent files', withExamples(intents, corpus, false), dictionary, own, categoryOf);
  const train = corpus.filter((l) => !HELD_OUT.has(l.family));
  const test = corpus.filter((l) => HELD_OUT.has(l.family));
  score(`2a intent files only → held-out families (${[...HELD_OUT].join(', ')})`, [...intents], dictionary, test, categoryOf);
  score('2b intent files + corpus of the other families → held-out families', withExamples(intents, train, true), dictionary, test, categoryOf);
}

main();
