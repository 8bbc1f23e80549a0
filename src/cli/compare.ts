/**
 * `npx tsx src/cli/compare.ts FILE.tsv`: the classifier comparison behind docs/nlu.md. Each
 * classifier is trained on the same intents/ examples and the same features; prints macro-F1
 * on both parts of the file, training time and classifier throughput as a markdown table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCategory, normalize, trainModel, understand, type Category, type Classifier, type TrainingExample } from '../nlu';
import { trainLinearClassifier } from '../nlu/classify';
import { loadIntentsDir } from '../nlu/load';
import { fillPlaceholders, scores } from './eval';
import { trainNaturalBayes, trainNaturalLogistic } from './natural-baseline';
import { trainNlpJs } from './nlpjs-baseline';

async function main(): Promise<void> {
  const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: compare FILE.tsv');
  const rows = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.includes('\t'))
    .map((l) => ({ text: fillPlaceholders(l.slice(0, l.lastIndexOf('\t'))), gold: l.slice(l.lastIndexOf('\t') + 1).trim() }))
    .filter((r): r is { text: string; gold: Category } => isCategory(r.gold));
  const { intents, dictionary } = loadIntentsDir(join(__dirname, '..', '..', 'intents'));
  const gold = rows.map((r) => r.gold);
  const table: string[] = [
    '| classifier | macro-F1 lines 1–900 | macro-F1 lines 901–end | macro-F1 all | train ms | classify msg/s (classifier only) |',
    '|---|---|---|---|---|---|',
  ];
  const trainers: Array<[string, (ex: TrainingExample[]) => Classifier]> = [
    ['linear (ours: softmax regression, AdaGrad)', (ex) => trainLinearClassifier(ex)],
    ['natural BayesClassifier', trainNaturalBayes],
  ];
  // natural's LogisticRegression trains on dense vectors: minutes on our ~1,100 examples × ~10k features.
  if (process.argv.includes('--with-natural-lr')) trainers.push(['natural LogisticRegressionClassifier', trainNaturalLogistic]);
  for (const [name, trainer] of trainers) {
    let trainMs = 0;
    const model = trainModel(intents, dictionary, {
      trainClassifier: (ex) => {
        const t = performance.now();
        const c = trainer(ex);
        trainMs = performance.now() - t;
        return c;
      },
    });
    const understood = rows.map((r) => understand(model, r.text));
    const pred = understood.map((u) => u.category);
    // Classifier-only speed: featurize once, then time classify().
    const { featurize } = await import('../nlu/features.js');
    const { extractEntities } = await import('../nlu/entities/index.js');
    const featureSets = understood.map((u) => featurize(u.normalized, extractEntities(u.normalized), model.keywords));
    const t = performance.now();
    let n = 0;
    while (performance.now() - t < 1000)
      for (const f of featureSets.slice(0, 300)) {
        model.classifier.classify(f);
        n++;
      }
    const rate = n / ((performance.now() - t) / 1000);
    const a = scores(gold.slice(0, 900), pred.slice(0, 900)).macroF1;
    const b = scores(gold.slice(900), pred.slice(900)).macroF1;
    const all = scores(gold, pred).macroF1;
    table.push(
      `| ${name} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${all.toFixed(3)} | ${trainMs.toFixed(0)} | ${Math.round(rate).toLocaleString('en')} |`,
    );
    process.stderr.write(`${name} done\n`);
  }
  const categoryOf = new Map(intents.map((i) => [i.id, i.category]));
  // natural as its authors intend it: a bag of words, here jieba's words of the normalized text.
  const { BayesClassifier, LogisticRegressionClassifier } = await import('natural/lib/natural/classifiers/index.js');
  const base = trainModel(intents, dictionary);
  const words = (text: string): string[] => base.segmenter.cut(normalize(text).text);
  const naturalOnWords: Array<[string, { addDocument(d: string[], l: string): void; train(): void; classify(d: string[]): string }]> = [
    ['natural BayesClassifier over jieba words', new BayesClassifier()],
  ];
  if (process.argv.includes('--with-natural-lr'))
    naturalOnWords.push(['natural LogisticRegressionClassifier over jieba words', new LogisticRegressionClassifier()]);
  for (const [name, clf] of naturalOnWords) {
    const t = performance.now();
    for (const intent of intents) for (const ex of intent.examples) clf.addDocument(words(ex), intent.id);
    clf.train();
    const trainMs = performance.now() - t;
    const docs = rows.map((r) => words(r.text));
    const pred = docs.map((d) => categoryOf.get(clf.classify(d)) ?? 'other');
    const t2 = performance.now();
    let n = 0;
    while (performance.now() - t2 < 1000)
      for (const d of docs.slice(0, 200)) {
        clf.classify(d);
        n++;
      }
    const rate = n / ((performance.now() - t2) / 1000);
    table.push(
      `| ${name} | ${scores(gold.slice(0, 900), pred.slice(0, 900)).macroF1.toFixed(3)} | ${scores(gold.slice(900), pred.slice(900)).macroF1.toFixed(3)} | ${scores(gold, pred).macroF1.toFixed(3)} | ${trainMs.toFixed(0)} | ${Math.round(rate).toLocaleString('en')} |`,
    );
    process.stderr.write(`${name} done\n`);
  }
  const nlp = await trainNlpJs(intents);
  const pred: Category[] = [];
  for (const r of rows) pred.push(categoryOf.get((await nlp.process(r.text)).intent) ?? 'other');
  table.push(
    `| nlp.js (@nlpjs/basic + lang-zh, own pipeline) | ${scores(gold.slice(0, 900), pred.slice(0, 900)).macroF1.toFixed(3)} | ${scores(gold.slice(900), pred.slice(900)).macroF1.toFixed(3)} | ${scores(gold, pred).macroF1.toFixed(3)} | ${nlp.trainMs.toFixed(0)} | see bench:nlu |`,
  );
  process.stdout.write(table.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`compare failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
