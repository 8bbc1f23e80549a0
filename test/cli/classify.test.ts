/**
 * `npm run classify`: every line carries an action; `--train-extra FILE` teaches the shop's own
 * lines before classifying, and refuses a file with an unusable line without classifying anything.
 * Runs over a copy of the intent files without the corpus (INTENTS_DIR) and without the model
 * cache, so the figures do not depend on the corpus or on earlier runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'classify-cli-'));
  const intents = join(dir, 'intents');
  mkdirSync(intents);
  for (const name of readdirSync(join(root, 'intents')))
    if (/\.(ya?ml|txt)$/.test(name)) copyFileSync(join(root, 'intents', name), join(intents, name));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function classify(args: string[], input: string) {
  return spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/classify.ts', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 110_000,
    env: { ...process.env, INTENTS_DIR: join(dir, 'intents'), NLU_CACHE_DIR: 'off' },
  });
}

test('learns a shop phrase from --train-extra and gives every line an action', () => {
  const extra = join(dir, 'extra.tsv');
  // Labels as an intent id and as a category (meaning its main intent).
  writeFileSync(
    extra,
    [
      '咕噜噜机的滤网怎么拆下来洗\tproduct.info',
      '咕噜噜机滤网在哪拆\tproduct',
      '咕噜噜机的滤网要怎么取出来\tproduct.info',
      '咕噜噜机滤网拆装方法\tproduct',
    ].join('\n') + '\n',
  );
  const out = classify(['--train-extra', extra], '咕噜噜机的滤网怎么拆\n能便宜点吗\n');
  expect(out.status).toBe(0);
  expect(out.stderr).toContain('4 extra lines');
  const lines = out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { category: string; action: string; options: unknown[] });
  expect(lines).toHaveLength(2);
  expect(lines[0]?.category).toBe('product');
  expect(lines[1]?.category).toBe('haggle');
  for (const l of lines) expect(['answer', 'clarify', 'handoff']).toContain(l.action);
  expect(lines[1]?.action).toBe('answer');
});

test('refuses an extra file with an unknown label, naming the line, and classifies nothing', () => {
  const bad = join(dir, 'bad.tsv');
  writeFileSync(bad, '滤网怎么拆\tproduct.info\n这行标签不对\tno.such_intent\n');
  const out = classify(['--train-extra', bad], '能便宜点吗\n');
  expect(out.status).toBe(2);
  expect(out.stderr).toContain(`${bad}:2: unknown label "no.such_intent"`);
  expect(out.stdout).toBe('');
});
