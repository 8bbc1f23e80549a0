/**
 * Guard for the rule "dev.tsv is for measuring only": flags every intent example that equals a
 * dev message after normalization, or shares a run of 6 or more characters with one.
 * Placeholders ([数字x], [订单x], <num> …) break runs; whitespace and punctuation are dropped
 * first so a copy cannot hide behind a changed comma. Exits non-zero on any overlap; prints
 * nothing to fix when ../shared/data/dev.tsv is absent (other machines).
 *
 * The same check runs over the training corpus, intents/corpus/*.tsv (first column).
 *
 * Usage: npx tsx tools/check-dev-overlap.ts [dev.tsv] [intents dir] [--summary] [--write-exclusions]
 * One- and two-word generic phrases (你好, 谢谢 …: 4 characters or fewer) may equal a dev line.
 * --summary prints only the totals. --write-exclusions adds a hash of every flagged corpus line
 * to tools/corpus/dev-excluded.txt (hashes of our own lines, no dev text), which
 * tools/corpus/generate.ts drops on its next run.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIntentsDir } from '../src/nlu/load';

const RUN = 6;
const GENERIC_MAX = 4;
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const summaryOnly = process.argv.includes('--summary');
const writeExclusions = process.argv.includes('--write-exclusions');
const devPath = args[0] ?? join(__dirname, '..', '..', 'shared', 'data', 'dev.tsv');
const intentsDir = args[1] ?? join(__dirname, '..', 'intents');
const EXCLUSIONS = join(__dirname, 'corpus', 'dev-excluded.txt');

// Placeholders in the corpus and emoticon codes become a break character.
const PLACEHOLDER_RE = /\[[^\]\s]{1,8}\]|<[a-z]{1,8}>|#E-s\S*/gi;
const DROP_RE = /[\s\p{P}\p{S}]+/gu;
const BREAK = '\u0001';

/** Pieces of text between placeholders, each lower-cased, NFKC'd, without spaces and punctuation. */
function pieces(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(PLACEHOLDER_RE, BREAK)
    .split(BREAK)
    .map((p) => p.replace(DROP_RE, ''))
    .filter((p) => p.length > 0);
}
const whole = (text: string): string => pieces(text).join('');

function main(): void {
  if (!existsSync(devPath)) {
    process.stdout.write(`check-dev-overlap: ${devPath} not found, nothing to check\n`);
    return;
  }
  const devLines = readFileSync(devPath, 'utf8')
    .split('\n')
    .map((l) => l.split('\t')[0] ?? '')
    .filter((l) => l.trim() !== '');
  const runs = new Map<string, number>();
  const exact = new Map<string, number>();
  devLines.forEach((line, n) => {
    exact.set(whole(line), n + 1);
    for (const p of pieces(line)) for (let i = 0; i + RUN <= p.length; i++) runs.set(p.slice(i, i + RUN), n + 1);
  });
  const { intents, errors } = loadIntentsDir(intentsDir);
  if (errors.length > 0) process.stdout.write(`warning: ${errors.length} intent file errors (run the tests)\n`);
  let overlaps = 0;
  let generic = 0;
  for (const intent of intents) {
    for (const example of intent.examples) {
      const w = whole(example);
      const line = exact.get(w);
      if (line !== undefined) {
        if (w.length <= GENERIC_MAX) {
          generic++;
          continue;
        }
        overlaps++;
        // Only the line number is printed: the dev text stays out of logs and commits.
        process.stdout.write(`${intent.id}: "${example}" equals dev line ${line}\n`);
        continue;
      }
      for (const p of pieces(example)) {
        let hit: string | undefined;
        for (let i = 0; i + RUN <= p.length && hit === undefined; i++) if (runs.has(p.slice(i, i + RUN))) hit = p.slice(i, i + RUN);
        if (hit !== undefined) {
          overlaps++;
          process.stdout.write(`${intent.id}: "${example}" shares "${hit}" with dev line ${runs.get(hit)}\n`);
          break;
        }
      }
    }
  }
  const total = intents.reduce((s, i) => s + i.examples.length, 0);
  process.stdout.write(
    `check-dev-overlap: ${total} examples, ${devLines.length} dev lines, ${overlaps} overlaps, ${generic} generic short phrases equal to a dev line (allowed)\n`,
  );

  // The training corpus (tools/corpus/generate.ts): same rule, one line per flagged example.
  const corpusDir = join(intentsDir, 'corpus');
  const files = existsSync(corpusDir)
    ? readdirSync(corpusDir)
        .filter((f) => f.endsWith('.tsv'))
        .sort()
    : [];
  let corpusLines = 0;
  let corpusOverlaps = 0;
  let corpusGeneric = 0;
  const flagged: string[] = [];
  for (const file of files) {
    readFileSync(join(corpusDir, file), 'utf8')
      .split('\n')
      .forEach((row, n) => {
        const text = row.split('\t')[0] ?? '';
        if (text.trim() === '') return;
        corpusLines++;
        const w = whole(text);
        let why: string | undefined;
        const line = exact.get(w);
        if (line !== undefined) {
          if (w.length <= GENERIC_MAX) {
            corpusGeneric++;
            return;
          }
          why = `equals dev line ${line}`;
        } else {
          for (const p of pieces(text)) {
            for (let i = 0; i + RUN <= p.length && why === undefined; i++) {
              const at = runs.get(p.slice(i, i + RUN));
              if (at !== undefined) why = `shares a ${RUN}-character run with dev line ${at}`;
            }
            if (why !== undefined) break;
          }
        }
        if (why === undefined) return;
        corpusOverlaps++;
        flagged.push(createHash('sha256').update(text).digest('hex').slice(0, 16));
        if (!summaryOnly) process.stdout.write(`corpus/${file}:${n + 1}: "${text}" ${why}\n`);
      });
  }
  if (files.length > 0) {
    process.stdout.write(
      `check-dev-overlap: corpus ${corpusLines} lines in ${files.length} files, ${corpusOverlaps} overlaps, ${corpusGeneric} generic short phrases equal to a dev line (allowed)\n`,
    );
  }
  if (writeExclusions && flagged.length > 0) {
    appendFileSync(EXCLUSIONS, flagged.join('\n') + '\n');
    process.stdout.write(`check-dev-overlap: ${flagged.length} corpus line hashes added to ${EXCLUSIONS}; run tools/corpus/generate.ts again\n`);
  }
  if (overlaps > 0 || corpusOverlaps > 0) process.exitCode = 1;
}

main();
