/**
 * `npx tsx src/cli/import-examples.ts FILE... [--name NAME] [--dry-run]`: imports a shop's own
 * labelled chat lines (`text<TAB>label`, label = intent id or category meaning its main intent;
 * the same format as `npm run classify -- --train-extra`) into `intents/corpus/shop-NAME.tsv`,
 * theme `shop/NAME`, where every later training (server start, publish, classify, eval) reads
 * them. Lines are checked first: one unusable line and nothing is written (file:line on stderr).
 * Duplicates (same text after removing spaces, punctuation and width differences) are kept once;
 * a text already in the file is not added again, so importing twice changes nothing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIntentsDir } from '../nlu/load';
import { labelResolver, parseLabelledLines, type CorpusLine } from '../nlu/corpus';
import { dedupeKey } from '../nlu/split';
import { readExtraFiles } from './classify';

/** The lines of `incoming` not yet in `existing` (by dedupe key), each text once. */
export function newLines(existing: readonly CorpusLine[], incoming: readonly CorpusLine[]): CorpusLine[] {
  const seen = new Set(existing.map((l) => dedupeKey(l.text)));
  const out: CorpusLine[] = [];
  for (const l of incoming) {
    const k = dedupeKey(l.text);
    if (k === '' || seen.has(k)) continue;
    seen.add(k);
    out.push(l);
  }
  return out;
}

function main(): void {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const nameAt = argv.indexOf('--name');
  const name = nameAt >= 0 ? (argv[nameAt + 1] ?? '') : 'import';
  const dryRun = argv.includes('--dry-run');
  const files = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--name');
  if (files.length === 0 || !/^[a-z0-9-]{1,40}$/.test(name)) {
    process.stderr.write('usage: npx tsx src/cli/import-examples.ts FILE... [--name NAME] [--dry-run]   (NAME: a-z, 0-9, -)\n');
    process.exitCode = 2;
    return;
  }
  const dir = process.env.INTENTS_DIR ?? join(__dirname, '..', '..', 'intents');
  const { intents } = loadIntentsDir(dir);
  const incoming = readExtraFiles(files, intents);
  if (incoming.problems.length > 0) {
    for (const p of incoming.problems) process.stderr.write(`${p}\n`);
    process.stderr.write(`import: ${incoming.problems.length} unusable line(s); nothing written\n`);
    process.exitCode = 2;
    return;
  }
  const target = join(dir, 'corpus', `shop-${name}.tsv`);
  const existing = existsSync(target) ? parseLabelledLines(readFileSync(target, 'utf8'), target, labelResolver(intents), `shop/${name}`).lines : [];
  const added = newLines(existing, incoming.lines).map((l) => ({ ...l, theme: `shop/${name}` }));
  process.stdout.write(`import: ${incoming.lines.length} lines read, ${added.length} new, ${existing.length} already in ${target}\n`);
  if (dryRun || added.length === 0) return;
  const text = [...existing, ...added].map((l) => `${l.text.replace(/[\t\r\n]+/g, ' ')}\t${l.label}\t${l.theme}`).join('\n') + '\n';
  mkdirSync(join(dir, 'corpus'), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, text, 'utf8');
  renameSync(tmp, target);
}

if (require.main === module) main();
