/**
 * The import command: a shop's labelled lines land in intents/corpus/shop-NAME.tsv once each;
 * a file with an unusable line writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLines } from '../../src/cli/import-examples';

const root = join(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'import-cli-'));
  mkdirSync(join(dir, 'intents'));
  for (const name of readdirSync(join(root, 'intents')))
    if (/\.(ya?ml|txt)$/.test(name)) copyFileSync(join(root, 'intents', name), join(dir, 'intents', name));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function importLines(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/import-examples.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, INTENTS_DIR: join(dir, 'intents') },
  });
}

test('newLines keeps each text once, ignoring spaces, punctuation and width', () => {
  const line = (text: string) => ({ text, label: 'product.info', theme: 'shop/x' });
  expect(newLines([line('滤网怎么拆')], [line('滤网 怎么拆？'), line('内胆多大'), line('内胆多大！')])).toEqual([line('内胆多大')]);
});

test('imports a file once, with intent ids and categories as labels', () => {
  const file = join(dir, 'chats.tsv');
  writeFileSync(file, '滤网怎么拆下来洗\tproduct.info\n麻烦找个真人来\thuman\n');
  const first = importLines([file, '--name', 'demo']);
  expect(first.status).toBe(0);
  const target = join(dir, 'intents', 'corpus', 'shop-demo.tsv');
  expect(readFileSync(target, 'utf8')).toBe('滤网怎么拆下来洗\tproduct.info\tshop/demo\n麻烦找个真人来\thuman.request\tshop/demo\n');
  const again = importLines([file, '--name', 'demo']);
  expect(again.stdout).toContain('0 new');
  expect(readFileSync(target, 'utf8').trim().split('\n')).toHaveLength(2);
});

test('writes nothing when a line has an unknown label', () => {
  const file = join(dir, 'bad.tsv');
  writeFileSync(file, '滤网怎么拆\tproduct.info\n随便写的\tnot_a_label\n');
  const out = importLines([file, '--name', 'bad']);
  expect(out.status).toBe(2);
  expect(out.stderr).toContain(`${file}:2: unknown label "not_a_label"`);
  expect(existsSync(join(dir, 'intents', 'corpus', 'shop-bad.tsv'))).toBe(false);
});
