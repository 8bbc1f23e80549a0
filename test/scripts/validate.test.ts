import { buildScriptBundle } from '../../src/scripts/bundle';
import { checkExamples, exampleKey, MIN_EXAMPLES, templateSyntaxErrors, validateScripts } from '../../src/scripts/validate';
import { fixtureFiles } from './fixtures';

describe('validateScripts', () => {
  it('accepts a complete, consistent script set and returns its bundle', () => {
    const r = validateScripts(fixtureFiles());
    expect(r.errors).toEqual([]);
    expect(r.bundle?.intents['delivery.when']).toBeDefined();
  });

  it('names the file, line and reason for an example that already belongs to another intent', () => {
    const files = fixtureFiles();
    files['intents/delivery.when.yaml'] += '  - 在吗？\n'; // line 11, same phrase as greeting.wave's line 6
    const r = validateScripts(files, new Set(['intents/delivery.when.yaml']));
    expect(r.bundle).toBeUndefined();
    expect(r.errors).toContainEqual(
      expect.objectContaining({
        file: 'intents/delivery.when.yaml',
        line: 11,
        reason: expect.stringContaining('already belongs to intent greeting.wave'),
      }),
    );
  });

  it('reports the edited file, not the untouched one, when phrases collide', () => {
    const files = fixtureFiles();
    files['intents/greeting.wave.yaml'] += '  - 几天能发货\n';
    const errors = checkExamples(files, new Set(['intents/greeting.wave.yaml']));
    expect(errors.map((e) => e.file)).toEqual(['intents/greeting.wave.yaml']);
  });

  it('refuses an intent with too few examples, pointing at its examples list', () => {
    const files = fixtureFiles();
    files['intents/greeting.wave.yaml'] = 'id: greeting.wave\ncategory: greeting\ndescription: hi\nexamples:\n  - 你好\n  - 在吗\n';
    const r = validateScripts(files, new Set(['intents/greeting.wave.yaml']));
    expect(r.errors).toContainEqual(
      expect.objectContaining({ file: 'intents/greeting.wave.yaml', line: 5, reason: expect.stringContaining(`at least ${MIN_EXAMPLES}`) }),
    );
  });

  it('does not let an old conflict in an untouched file block an unrelated change', () => {
    const files = fixtureFiles();
    files['intents/greeting.wave.yaml'] += '  - 几天能发货\n';
    expect(validateScripts(files, new Set(['templates/delivery.when.yaml'])).errors).toEqual([]);
    expect(validateScripts(files, new Set(['intents/greeting.wave.yaml'])).errors).toHaveLength(1);
  });

  it('counts repeated phrases once and flags the repeat', () => {
    const files = fixtureFiles();
    files['intents/greeting.wave.yaml'] += '  - 你好！\n';
    const errors = checkExamples(files);
    expect(errors).toContainEqual(expect.objectContaining({ line: 11, reason: expect.stringContaining('listed twice') }));
  });

  it('reports a malformed dictionary line with its line number', () => {
    const files = fixtureFiles();
    files['intents/dictionary.txt'] = '包邮 100 n\n顺丰 很多 n\n';
    const r = validateScripts(files);
    expect(r.errors).toContainEqual(expect.objectContaining({ file: 'intents/dictionary.txt', line: 2 }));
  });

  it('reports a Handlebars syntax error inside a template with its file line', () => {
    const files = fixtureFiles();
    files['templates/delivery.when.yaml'] = 'intent: delivery.when\nmoves:\n  reply:\n    - 亲，{{shop.cutoff 前付款\n';
    const r = validateScripts(files);
    expect(r.errors).toContainEqual(expect.objectContaining({ file: 'templates/delivery.when.yaml', line: 4 }));
  });

  it('reports an unknown template variable with line and column', () => {
    const files = fixtureFiles();
    files['templates/delivery.when.yaml'] = 'intent: delivery.when\nmoves:\n  reply:\n    - 亲，{{shop.cutoff}}前付款，{{bogus}}\n';
    const r = validateScripts(files);
    const e = r.errors.find((x) => x.reason.includes('bogus'));
    expect(e).toMatchObject({ file: 'templates/delivery.when.yaml', line: 4 });
    expect(e?.column).toBeGreaterThan(10);
  });

  it('agrees with buildScriptBundle on a valid set (no extra false alarms)', () => {
    expect(buildScriptBundle(fixtureFiles()).errors).toEqual([]);
  });
});

describe('exampleKey', () => {
  it('treats full-width, punctuation, spacing and case variants as the same phrase', () => {
    expect(exampleKey('在吗？')).toBe(exampleKey('在吗'));
    expect(exampleKey('ＳＦ 到 了 吗!')).toBe(exampleKey('sf到了吗'));
  });
});

describe('templateSyntaxErrors', () => {
  const head = 'intent: delivery.when\nmoves:\n  reply:\n';
  it('points at the unclosed braces inside a one-line variant', () => {
    const [e] = templateSyntaxErrors('templates/x.yaml', head + '    - 亲，{{shop.cutoff 前付款\n');
    // "    - 亲，{{shop.cutoff 前付款": column 23 is 前, where the lexer gives up.
    expect(e).toMatchObject({ file: 'templates/x.yaml', line: 4, column: 23 });
  });

  it('points at the line inside a block variant where a block is closed with the wrong name', () => {
    const [e] = templateSyntaxErrors('templates/x.yaml', head + '    - |\n      亲，\n      {{#if shop.name}}x{{/unless}}\n');
    expect(e).toMatchObject({ line: 6, reason: expect.stringContaining("if doesn't match unless") });
  });

  it('finds nothing wrong in valid templates', () => {
    expect(templateSyntaxErrors('templates/x.yaml', head + '    - 亲，{{shop.cutoff}}前\n')).toEqual([]);
  });
});
