/** Template loading: every problem is reported with file, line and column; helpers format as replies need. */
import { parseTemplateFile } from '../../src/replies/templates';
import { renderMove, cleanText, escapeHtml } from '../../src/replies/render';
import { formatAddress, formatDay, formatMoney, maskPhone, formatOrderSummary } from '../../src/replies/helpers';

const NOW = new Date('2025-03-10T10:00:00+08:00');

function file(moves: string, intent = 'human.request'): string {
  return `intent: ${intent}\nlabel: 转人工\nmoves:\n${moves}`;
}

test('a valid file compiles every variant with ids', () => {
  const { template, errors } = parseTemplateFile('templates/human.request.yaml', file('  transfer:\n    - 好的亲{{buyer.name}}\n    - 马上来\n'));
  expect(errors).toEqual([]);
  expect(template!.moves['transfer']!.variants.map((v) => v.id)).toEqual(['human.request/transfer#1', 'human.request/transfer#2']);
});

test('an unknown variable is a load error pointing at its line and column, with the likely name in Chinese', () => {
  const text = file('  transfer:\n    - 好的\n    - 亲，{{buyer.nmae}}稍等\n');
  const { template, errors } = parseTemplateFile('templates/human.request.yaml', text);
  expect(template).toBeUndefined();
  expect(errors).toEqual([
    {
      file: 'templates/human.request.yaml',
      line: 6,
      column: 11,
      code: 'TEMPLATE_UNKNOWN_VARIABLE',
      params: { name: 'buyer.nmae', suggestion: 'buyer.name' },
      reason: 'unknown variable "buyer.nmae" (did you mean "buyer.name"?)',
      localized: '没有“buyer.nmae”这个变量，是不是想写 buyer.name？',
    },
  ]);
  // Column is 1-based and points at the variable itself.
  expect(text.split('\n')[5]!.slice(10)).toMatch(/^buyer\.nmae/);
});

test('a variable of another flow is unknown here', () => {
  const { errors } = parseTemplateFile('templates/human.request.yaml', file('  transfer:\n    - "{{counter}}"\n'));
  expect(errors[0]).toMatchObject({ code: 'TEMPLATE_UNKNOWN_VARIABLE', reason: 'unknown variable "counter"' });
  expect(errors[0]!.localized).toContain('templates/README.md');
});

test('unknown helpers, blocks, triple braces and partials are rejected', () => {
  const { errors } = parseTemplateFile(
    't.yaml',
    file('  transfer:\n    - "{{shout buyer.name}}"\n    - "{{#each order}}x{{/each}}"\n    - "{{{buyer.name}}}"\n    - "{{> p}}"\n'),
  );
  expect(errors.map((e) => e.reason)).toEqual([
    'unknown helper "shout"',
    'block "each" is not allowed (only #if, #unless)',
    'triple braces {{{ }}} are not allowed; replies are plain text',
    'PartialStatement is not allowed in reply templates',
  ]);
  expect(errors.map((e) => e.localized)).toEqual([
    expect.stringMatching(/^没有“shout”这个格式函数，可用的有：money、/),
    '不能使用 {{#each}}，只能用 {{#if …}} 和 {{#unless …}}',
    '不能使用三层大括号 {{{ }}}：回复是纯文本，请用两层 {{ }}',
    '回复模板里不能使用{{> …}} 引用片段',
  ]);
  expect(errors.map((e) => e.line)).toEqual([5, 6, 7, 8]);
});

test('a missing required move and an unknown move are reported', () => {
  const { errors } = parseTemplateFile('t.yaml', file('  transfr:\n    - hi\n'));
  expect(errors.map((e) => e.reason)).toEqual([
    'unknown move "transfr" for human.request (moves: transfer)',
    'missing move "transfer" (human.request needs: transfer)',
  ]);
  expect(errors.map((e) => e.localized)).toEqual([
    '意图“human.request”没有“transfr”这个回复场景，可用的场景有：transfer',
    '缺少回复场景“transfer”（意图“human.request”需要这些场景：transfer）',
  ]);
});

test("a known move's after-hours version is a move of its own; an unknown move's is refused", () => {
  const ok = parseTemplateFile('t.yaml', file('  transfer:\n    - 马上\n  transfer_after_hours:\n    - 已登记\n'));
  expect(ok.errors).toEqual([]);
  expect(Object.keys(ok.template!.moves)).toEqual(['transfer', 'transfer_after_hours']);
  const bad = parseTemplateFile('t.yaml', file('  transfer:\n    - 马上\n  transfr_after_hours:\n    - 已登记\n'));
  expect(bad.errors.map((e) => e.reason)).toEqual(['unknown move "transfr_after_hours" for human.request (moves: transfer)']);
});

test('YAML and Handlebars syntax errors carry a line', () => {
  const yamlErr = parseTemplateFile('t.yaml', 'intent: human.request\nmoves:\n  transfer: [a\n');
  expect(yamlErr.errors[0]).toMatchObject({ file: 't.yaml', code: 'YAML_SYNTAX', localized: expect.stringMatching(/^文件格式有误：/) });
  expect(yamlErr.errors[0]!.line).toBeGreaterThanOrEqual(3);
  const hbErr = parseTemplateFile('t.yaml', file('  transfer:\n    - "{{#if buyer.name}}x"\n'));
  expect(hbErr.errors[0]).toMatchObject({
    code: 'TEMPLATE_SYNTAX_UNCLOSED',
    reason: 'template syntax: a {{ … }} or {{#if}} block is not closed',
    localized: '模板写法有误：{{ 没有配对的 }}，或者 {{#if …}} 少了结尾的 {{/if}}',
  });
  expect(hbErr.errors[0]!.line).toBe(5);
});

test('a reply starting with unquoted {{ is told to add quotes', () => {
  for (const text of [file('  transfer:\n    - {{buyer.name}}您好\n'), file('  transfer: {{buyer.name}}\n')]) {
    const { errors } = parseTemplateFile('t.yaml', text);
    expect(errors).toEqual([expect.objectContaining({ line: 4 + (text.includes('- {{') ? 1 : 0), code: 'TEMPLATE_NEEDS_QUOTES' })]);
  }
});

test('an intent no intent file defines is reported', () => {
  const { errors } = parseTemplateFile('t.yaml', file('  reply:\n    - hi\n', 'made.up'), new Set(['human.request']));
  expect(errors[0]).toMatchObject({
    line: 1,
    code: 'TEMPLATE_UNKNOWN_INTENT',
    reason: 'unknown intent "made.up" (no intents/made.up.yaml)',
    localized: expect.stringContaining('意图“made.up”不存在'),
  });
});

test('a size that already ends in 码 is not said with 码 twice', () => {
  // (A common variable stands in for a size: this file's intent takes no product variables.)
  const { template } = parseTemplateFile('t.yaml', file('  transfer:\n    - 现在有{{buyer.name}}码\n'));
  const set = { 'human.request': template! };
  for (const [size, said] of [
    ['均码', '现在有均码'],
    ['38码', '现在有38码'],
    ['M', '现在有M码'],
  ]) {
    expect(renderMove(set, 'human.request', 'transfer', { buyer: { name: size } }, { now: NOW, utcOffsetMinutes: 480 }).text).toBe(said);
  }
});

test('rendering is strict, cleans interpolated text and rotates variants', () => {
  const { template } = parseTemplateFile('t.yaml', file('  transfer:\n    - A {{buyer.name}}\n    - B {{buyer.name}}\n'));
  const set = { 'human.request': template! };
  const name = '王\u202E小明\n<b>';
  const seen: string[] = [];
  let n = 0;
  for (let i = 0; i < 3; i++) {
    seen.push(renderMove(set, 'human.request', 'transfer', { buyer: { name } }, { now: NOW, utcOffsetMinutes: 480, pick: (c) => n++ % c }).text);
  }
  expect(seen).toEqual(['A 王小明 <b>', 'B 王小明 <b>', 'A 王小明 <b>']);
  expect(() => renderMove(set, 'human.request', 'transfer', {}, { now: NOW, utcOffsetMinutes: 480 })).toThrow(/not defined/);
  expect(escapeHtml('<b>&')).toBe('&#60;b&#62;&#38;');
  expect(cleanText('a\u200Bb\tc')).toBe('ab c');
});

test('helpers: money, relative days, masked phone, address, order summary', () => {
  expect(formatMoney(380)).toBe('¥380.00');
  expect(formatMoney('x')).toBe('');
  expect(formatDay(new Date('2025-03-10T16:00:00+08:00'), NOW, 480)).toBe('今天');
  expect(formatDay(new Date('2025-03-11T01:00:00+08:00'), NOW, 480)).toBe('明天');
  expect(formatDay(new Date('2025-03-20T01:00:00+08:00'), NOW, 480)).toBe('3月20日');
  // 23:30 UTC on the 9th is already the 10th in the shop.
  expect(formatDay(new Date('2025-03-09T23:30:00Z'), NOW, 480)).toBe('今天');
  expect(maskPhone('13812345678')).toBe('138****5678');
  expect(
    formatAddress({ recipient: '李娜', phone: '13987654321', province: '上海市', city: '上海市', district: '浦东新区', detail: '张杨路1号' }),
  ).toBe('李娜，139****4321，上海市浦东新区张杨路1号');
  expect(formatOrderSummary({ number: 'E1', total: 179, items: [{ name: '卫衣', color: '黑色', size: 'L', quantity: 1 }] })).toBe(
    '订单 E1：卫衣（黑色/L）×1，共 ¥179.00',
  );
});

test('the {{when}} helper renders shop-local relative time', () => {
  const { template } = parseTemplateFile(
    't.yaml',
    'intent: delivery.ship_time\nmoves:\n  will_ship: ["{{when shipBy}}"]\n  late: [x]\n  unpaid: [x]\n  no_order: [x]\n  not_found: [x]\n  notify: [x]\n',
  );
  const text = renderMove(
    { 'delivery.ship_time': template! },
    'delivery.ship_time',
    'will_ship',
    { shipBy: '2025-03-10T08:00:00Z' },
    { now: NOW, utcOffsetMinutes: 480 },
  ).text;
  expect(text).toBe('今天 16:00');
});
