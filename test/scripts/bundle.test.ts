/** buildScriptBundle: the shipped scripts build; every problem in a file comes back positioned. */
import { join } from 'node:path';
import { buildScriptBundle, loadScriptFiles } from '../../src/scripts/bundle';

const files = loadScriptFiles(join(__dirname, '..', '..'));

test('the shipped intents and templates build into a bundle that understands', () => {
  const { bundle, errors } = buildScriptBundle(files);
  expect(errors).toEqual([]);
  expect(Object.keys(bundle!.templates)).toContain('system');
  expect(bundle!.understand('我的快递到哪了').intent).toBe('delivery.tracking');
  expect(bundle!.hash).toBe(buildScriptBundle(files).bundle!.hash);
});

test('a template with an unknown variable fails the build with file and line', () => {
  const text = files['templates/payment.invoice.yaml']!.replace('{{invoice.days}}', '{{invoice.dayz}}');
  const line = text.split('\n').findIndex((l) => l.includes('invoice.dayz')) + 1;
  const { bundle, errors } = buildScriptBundle({ ...files, 'templates/payment.invoice.yaml': text });
  expect(bundle).toBeUndefined();
  expect(errors).toContainEqual(
    expect.objectContaining({
      file: 'templates/payment.invoice.yaml',
      line,
      code: 'TEMPLATE_UNKNOWN_VARIABLE',
      reason: expect.stringContaining('unknown variable "invoice.dayz"'),
      localized: '没有“invoice.dayz”这个变量，是不是想写 invoice.days？',
    }),
  );
});

test('an intent without replies, and replies without an intent, are errors', () => {
  const withoutReplies = { ...files };
  delete withoutReplies['templates/payment.invoice.yaml'];
  expect(buildScriptBundle(withoutReplies).errors).toContainEqual(
    expect.objectContaining({
      file: 'templates/payment.invoice.yaml',
      line: 1,
      code: 'TEMPLATES_MISSING',
      localized: expect.stringContaining('缺少意图“payment.invoice”的回复模板'),
    }),
  );
  const orphan = { ...files, 'templates/x.yaml': 'intent: made.up\nmoves:\n  reply: [hi]\n' };
  expect(buildScriptBundle(orphan).errors).toContainEqual(
    expect.objectContaining({ file: 'templates/x.yaml', reason: expect.stringContaining('unknown intent') }),
  );
});

test('a new intent needs only a reply move and is answered by it', () => {
  const extra = {
    ...files,
    'intents/other.hours.yaml':
      'id: other.hours\ncategory: other\ndescription: opening hours\nexamples:\n  - 你们几点上班\n  - 客服什么时候在线\n  - 几点下班\n',
    'templates/other.hours.yaml': 'intent: other.hours\nlabel: 客服时间\nmoves:\n  reply: [亲，客服每天 9:00-23:00 在线哦～]\n',
  };
  const { bundle, errors } = buildScriptBundle(extra);
  expect(errors).toEqual([]);
  expect(bundle!.templates['other.hours']!.moves['reply']!.variants).toHaveLength(1);
});
