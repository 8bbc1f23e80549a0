/** The quick phrase file: what a manager may write, and the coded error for each mistake. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuickPhrases, QUICK_PHRASES_PATH } from '../../src/scripts/quick-phrases';

const parse = (text: string) => parseQuickPhrases(QUICK_PHRASES_PATH, text);
const codes = (text: string) => parse(text).errors.map((e) => [e.code, e.line]);

describe('quick phrases file', () => {
  it("the shop's own file parses with its variables left for the console to fill", () => {
    const { phrases, errors } = parse(readFileSync(join(__dirname, '../..', QUICK_PHRASES_PATH), 'utf8'));
    expect(errors).toEqual([]);
    expect(phrases.find((p) => p.code === 'hi')?.text).toContain('{{agentName}}');
  });

  it('reports each mistake at its line with a Chinese message', () => {
    expect(codes('phrases: 3')).toEqual([['QUICK_PHRASES_SHAPE', 1]]);
    expect(codes('phrases:\n  - code: hi\n    title: 问候\n')).toEqual([['QUICK_PHRASE_FIELD', 2]]);
    expect(codes('phrases:\n  - { code: Hi!, title: 问候, text: 您好 }\n')).toEqual([['QUICK_PHRASE_CODE', 2]]);
    expect(codes('phrases:\n  - { code: hi, title: 问候, text: 您好 }\n  - { code: hi, title: 又一个, text: 在的 }\n')).toEqual([
      ['QUICK_PHRASE_DUPLICATE', 3],
    ]);
    expect(codes('phrases:\n  - { code: hi, title: 问候, text: "{{name}}您好" }\n')).toEqual([['QUICK_PHRASE_VARIABLE', 2]]);
    expect(codes('phrases:\n  - code: hi\n   title: x\n')[0]?.[0]).toBe('YAML_SYNTAX');
    const [err] = parse('phrases:\n  - { code: hi, title: 问候, text: "{{constructor}}" }\n').errors;
    expect(err?.localized).toContain('没有“constructor”这个变量');
  });
});
