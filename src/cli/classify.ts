/**
 * `npm run classify`: one JSON object per input line on stdout. Reads stdin (one message per
 * line) or the words after `--`. Diagnostics go to stderr only, so stdout stays valid JSONL.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { trainModel, understand, type NluModel } from '../nlu';
import { loadIntentsDir } from '../nlu/load';

function toJson(model: NluModel, text: string): string {
  const u = understand(model, text);
  return JSON.stringify({
    text,
    intent: u.intent,
    category: u.category,
    confidence: Number(u.confidence.toFixed(4)),
    entities: u.entities,
    normalized: u.normalized,
    tokens: u.tokens,
    ranking: u.ranking.map((r) => ({ ...r, confidence: Number(r.confidence.toFixed(4)) })),
    flags: u.flags,
  });
}

async function main(): Promise<void> {
  const dir = process.env.INTENTS_DIR ?? join(__dirname, '..', '..', 'intents');
  const { intents, dictionary, errors } = loadIntentsDir(dir);
  for (const e of errors) process.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
  const model = trainModel(intents, dictionary);
  process.stderr.write(`classify: ${intents.length} intents trained in ${model.trainMs.toFixed(0)} ms\n`);
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.length > 0) {
    process.stdout.write(toJson(model, args.join(' ')) + '\n');
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

main().catch((err: unknown) => {
  process.stderr.write(`classify failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
