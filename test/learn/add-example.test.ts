/** Adding an accepted phrase to an intent file: one more line, the rest of the file untouched. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { addExample, exampleText } from '../../src/learn/add-example';
import { countSimilar, similarity } from '../../src/learn/similar';
import { parseIntentFile } from '../../src/nlu/intents';

const FILE = 'intents/human.request.yaml';
const original = readFileSync(join(__dirname, '../..', FILE), 'utf8');

function examplesOf(text: string): string[] {
  return (parse(text) as { examples: string[] }).examples;
}

describe('addExample', () => {
  it('adds exactly one line after the last example and keeps comments and order', () => {
    const { text, added } = addExample(original, '我要找你们老板');
    expect(added).toBe(true);
    const before = original.split('\n');
    const after = text.split('\n');
    expect(after).toHaveLength(before.length + 1);
    const inserted = after.findIndex((line, i) => line !== before[i]);
    expect(after[inserted]).toBe('- 我要找你们老板');
    expect([...after.slice(0, inserted), ...after.slice(inserted + 1)]).toEqual(before);
    expect(examplesOf(text)).toEqual([...examplesOf(original), '我要找你们老板']);
    expect(parseIntentFile(FILE, text).errors).toEqual([]);
  });

  it.each([
    ['key: value 的写法', '冒号'],
    ['- 开头是破折号', '破折号'],
    ['#开头是井号', '井号'],
    ['"引号" 和 \'单引号\' 还有 \\ 反斜杠', '引号'],
    ['[方括号] {花括号} & * ! | > %', '符号'],
    ['yes', '布尔'],
    ['123', '数字'],
  ])('writes %s so that YAML reads back the same string (%s)', (phrase) => {
    const { text, added } = addExample(original, phrase);
    expect(added).toBe(true);
    expect(examplesOf(text).at(-1)).toBe(phrase);
    expect(parseIntentFile(FILE, text).errors).toEqual([]);
  });

  it('changes nothing when the phrase already is an example, written differently', () => {
    const first = examplesOf(original)[0]!;
    expect(addExample(original, ` ${first}！！ `)).toEqual({ text: original, added: false });
    expect(addExample(original, '！！！')).toEqual({ text: original, added: false });
  });

  it('handles a flow-style list and a file without a trailing newline', () => {
    expect(examplesOf(addExample('id: a.b\nexamples: [你好, 在吗]\n', '有人吗').text)).toEqual(['你好', '在吗', '有人吗']);
    const noNewline = 'id: a.b\nexamples:\n  - 你好\n  - 在吗';
    const { text } = addExample(noNewline, '有人吗');
    expect(text).toBe('id: a.b\nexamples:\n  - 你好\n  - 在吗\n  - 有人吗\n');
    expect(() => addExample('id: a.b\n', '有人吗')).toThrow('no examples list');
  });

  it('makes one line of a message: NFKC, single spaces', () => {
    expect(exampleText('  我要\n找  你们　老板 ')).toBe('我要 找 你们 老板');
    expect(exampleText('ＡＢＣ１２３')).toBe('ABC123');
  });
});

describe('similar phrases', () => {
  it('counts near-duplicates, ignoring punctuation and spaces', () => {
    expect(similarity('我要找你们老板', '我要找你们老板！')).toBe(1);
    expect(similarity('我要找你们老板', '我找你们老板谈谈')).toBeGreaterThan(0.6);
    expect(similarity('我要找你们老板', '发票怎么开')).toBe(0);
    expect(countSimilar(['我要找你们老板', '我要找你们老板!', '发票怎么开', '叫你们老板来'])).toEqual([1, 1, 0, 0]);
  });
});
