/**
 * `npm run classify`: one JSON object per input line on stdout. Reads stdin (one message per
 * line) or the words after `--`. Diagnostics go to stderr only, so stdout stays valid JSONL.
 *
 * `--train-extra FILE` (repeatable): a shop's own labelled lines (`text<TAB>label`, label = an
 * intent id or a category meaning its main intent) are added to the training, weighted
 * EXTRA_WEIGHT, before stdin is classified. Every line carries `action`
 * (answer | clarify | handoff) and, for clarify, the `options` to offer.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { trainModel, understand, type CorpusLine, type IntentDef, type NluModel } from '../nlu';
import { labelResolver, parseLabelledLines } from '../nlu/corpus';
import { loadTrainingDir } from '../nlu/load';

function toJson(model: NluModel, text: string): string {
  const u = understand(model, text, undefined, { words: true });
  const round = (x: number): number => Number(x.toFixed(4));
  return JSON.stringify({
    text,
    intent: u.intent,
    category: u.category,
    confidence: round(u.confidence),
    probability: round(u.probability ?? 0),
    action: u.action,
    options: (u.options ?? []).map((r) => ({ ...r, confidence: round(r.confidence) })),
    entities: u.entities,
    normalized: u.normalized,
    tokens: u.tokens,
    ranking: u.ranking.map((r) => ({ ...r, confidence: round(r.confidence) })),
    flags: u.flags,
  });
}

/**
 * Reads `--train-extra` files. A line that cannot be used is an error with its file and line,
 * and nothing is trained: a silently skipped label would change the model without anyone knowing.
 */
export function readExtraFiles(files: readonly string[], intents: readonly IntentDef[]): { lines: CorpusLine[]; problems: string[] } {
  const resolve = labelResolver(intents);
  const lines: CorpusLine[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      problems.push(`${file}: cannot read (${(e as Error).message})`);
      continue;
    }
    const parsed = parseLabelledLines(text, file, resolve, `shop/${file}`);
    lines.push(...parsed.lines);
    for (const p of parsed.problems) problems.push(`${p.file}:${p.line}: ${p.reason}`);
  }
  return { lines, problems };
}

/** Splits the arguments into `--train-extra` files and the words to classify. */
export function parseClassifyArgs(argv: readonly string[]): { extraFiles: string[]; words: string[]; error?: string } {
  const extraFiles: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') continue;
    if (a === '--train-extra') {
      const f = argv[i + 1];
      if (f === undefined || f.startsWith('--')) return { extraFiles, words, error: '--train-extra needs a FILE' };
      extraFiles.push(f);
      i++;
    } else words.push(a);
  }
  return { extraFiles, words };
}

async function main(): Promise<void> {
  const args = parseClassifyArgs(process.argv.slice(2));
  if (args.error) {
    process.stderr.write(`classify: ${args.error}\nusage: npm run classify -- [--train-extra FILE]... [TEXT]\n`);
    process.exitCode = 2;
    return;
  }
  const dir = process.env.INTENTS_DIR ?? join(__dirname, '..', '..', 'intents');
  const { intents, dictionary, corpus, lexicons, errors, problems } = loadTrainingDir(dir);
  for (const e of errors) process.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
  for (const p of problems) process.stderr.write(`${p.file}:${p.line}: ${p.reason}\n`);
  const extra = readExtraFiles(args.extraFiles, intents);
  if (extra.problems.length > 0) {
    for (const p of extra.problems) process.stderr.write(`${p}\n`);
    process.stderr.write(`classify: ${extra.problems.length} unusable --train-extra line(s); nothing classified\n`);
    process.exitCode = 2;
    return;
  }
  const model = trainModel(intents, dictionary, { corpus, lexicons, extra: extra.lines });
  process.stderr.write(
    `classify: ${intents.length} intents, ${corpus.length} corpus lines${extra.lines.length ? `, ${extra.lines.length} extra lines` : ''} trained in ${model.trainMs.toFixed(0)} ms\n`,
  );
  if (args.words.length > 0) {
    process.stdout.write(toJson(model, args.words.join(' ')) + '\n');
    return;
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out: string[] = [];
  for await (const line of rl) {
    if (line.trim() === '') continue;
    out.push(toJson(model, line));
    // Write in batches: thousands of lines go out quickly without one write per line.
    if (out.length >= 256) process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`classify failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
