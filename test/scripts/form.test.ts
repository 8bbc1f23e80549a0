import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyForm, fieldAt, formKind, readForm, type IntentForm, type TemplateForm } from '../../src/scripts/form';

const ROOT = join(__dirname, '../..');
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

const INTENT = `# a comment that must survive
id: greeting.wave
category: greeting
description: buyer says hello
examples:
- 你好
- "在吗" # kept quoted
- 有人吗
keywords:
- 你好
`;

const TEMPLATE = `intent: greeting.wave
moves:
  reply:
    - 亲，您好～
    - 在的亲
  later:
    variants:
      - 稍等哦
    quickReplies: [好的, 不用了]
`;

describe('form view of script files', () => {
  it('knows which files have a form', () => {
    expect(formKind('intents/greeting.wave.yaml')).toBe('intent');
    expect(formKind('templates/greeting.wave.yaml')).toBe('template');
    expect(formKind('templates/quick_phrases.yaml')).toBeUndefined();
    expect(formKind('intents/dictionary.txt')).toBeUndefined();
    expect(formKind('stories/a.yaml')).toBeUndefined();
  });

  it('reads an intent: id, name, description and examples', () => {
    expect(readForm('intents/greeting.wave.yaml', INTENT)).toEqual({
      kind: 'intent',
      id: 'greeting.wave',
      name: '',
      description: 'buyer says hello',
      examples: ['你好', '在吗', '有人吗'],
    });
    expect(readForm('intents/x.yaml', 'id: [')).toBeUndefined();
  });

  it('writes a name after the id and edited examples back, keeping comments, quoting and other fields', () => {
    const form = readForm('intents/greeting.wave.yaml', INTENT) as IntentForm;
    const out = applyForm('intents/greeting.wave.yaml', INTENT, { ...form, name: '打招呼', examples: ['你好', '在吗', '哈喽'] });
    expect(out).toBe(INTENT.replace('id: greeting.wave\n', 'id: greeting.wave\nname: 打招呼\n').replace('- 有人吗', '- 哈喽'));
    // Clearing the name removes the field again.
    expect(applyForm('intents/greeting.wave.yaml', out, { ...form, name: '', examples: ['你好', '在吗', '哈喽'] })).not.toContain('name:');
  });

  it('writes template variants and quick replies per move, multi-line replies included', () => {
    const form = readForm('templates/greeting.wave.yaml', TEMPLATE) as TemplateForm;
    expect(form.moves).toEqual([
      { move: 'reply', variants: ['亲，您好～', '在的亲'], quickReplies: [] },
      { move: 'later', variants: ['稍等哦'], quickReplies: ['好的', '不用了'] },
    ]);
    const edited: TemplateForm = {
      ...form,
      label: '打招呼',
      moves: [
        { move: 'reply', variants: ['亲，您好～', '第一行\n第二行{{shop.name}}'], quickReplies: ['看看新品'] },
        { move: 'later', variants: ['稍等哦'], quickReplies: ['好的'] },
      ],
    };
    const out = applyForm('templates/greeting.wave.yaml', TEMPLATE, edited);
    expect(readForm('templates/greeting.wave.yaml', out)).toEqual(edited);
    expect(out.startsWith('intent: greeting.wave\nlabel: 打招呼\nmoves:\n')).toBe(true);
    expect(out).toContain('quickReplies: [好的]');
  });

  it('leaves every shipped file byte for byte as it is when the form is saved unchanged', () => {
    for (const p of ['intents/haggle.bargain.yaml', 'intents/return.refund.yaml', 'templates/haggle.bargain.yaml', 'templates/system.yaml']) {
      const text = read(p);
      const form = readForm(p, text);
      expect(form).toBeDefined();
      expect(applyForm(p, text, form!)).toBe(text);
    }
  });

  it('places an error line on the field it concerns', () => {
    expect(fieldAt('intents/greeting.wave.yaml', INTENT, 8)).toBe('examples.2');
    expect(fieldAt('intents/greeting.wave.yaml', INTENT, 5)).toBe('examples');
    expect(fieldAt('intents/greeting.wave.yaml', INTENT, 4)).toBe('description');
    expect(fieldAt('templates/greeting.wave.yaml', TEMPLATE, 5)).toBe('moves.reply.variants.1');
    expect(fieldAt('templates/greeting.wave.yaml', TEMPLATE, 9)).toBe('moves.later.quickReplies');
    expect(fieldAt('templates/greeting.wave.yaml', TEMPLATE, 8)).toBe('moves.later.variants.0');
    expect(fieldAt('templates/greeting.wave.yaml', TEMPLATE, 0)).toBeUndefined();
  });
});
