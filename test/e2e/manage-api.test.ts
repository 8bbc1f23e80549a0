/**
 * The script editor API end to end: real server, real engine, real buyer socket, a temp copy
 * of the scripts. Every validation answers 422 naming file, line, a stable code and the
 * reason in English and in Chinese; a save from an out-of-date revision answers 409 and
 * loses nothing; the preview renders unsaved text; publishing changes the very next buyer
 * reply on an open socket; broken drafts never serve; rollback restores; only managers get in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { AGENT, MANAGER, openBuyer, startManageServer, type ManageServer } from './manage-helpers';

const THANKS = 'templates/greeting.thanks.yaml';
const thanksWith = (reply: string) => `intent: greeting.thanks\nlabel: 没有了，谢谢\nmoves:\n  welcome:\n    - ${reply}\n`;

let server: ManageServer;
// One server for the read-only and draft tests (each ends by discarding the draft); the
// publishing tests below start their own, because they change what serves.
beforeAll(async () => {
  server = await startManageServer();
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await server.api('DELETE', '/api/scripts/draft/');
});

describe('who may use /api/scripts', () => {
  it('answers 401 without a token and 403 to an agent or a buyer', async () => {
    expect((await server.api('GET', '/api/scripts', undefined, null)).status).toBe(401);
    expect((await server.api('GET', '/api/scripts', undefined, AGENT)).status).toBe(403);
    const buyer = await openBuyer(server);
    const welcome = buyer.client.frames.find((f) => f.type === 'welcome');
    expect((await server.api('GET', '/api/scripts', undefined, String(welcome?.resumeToken))).status).toBe(403);
    expect((await server.api('POST', '/api/scripts/publish', {}, AGENT)).status).toBe(403);
    await buyer.client.close();
  });

  it('lets a manager in with a Bearer header or ?token=', async () => {
    expect((await server.api('GET', '/api/scripts')).status).toBe(200);
    const res = await fetch(`${server.running.url}/api/scripts/intents?token=${MANAGER}`);
    expect(res.status).toBe(200);
  });
});

describe('reading scripts', () => {
  it('lists intents with examples, category, description and handoff rules', async () => {
    const { body } = await server.api('GET', '/api/scripts/intents');
    const human = body.intents.find((i: { id: string }) => i.id === 'human.request');
    expect(human).toMatchObject({ category: 'human', handoff: { always: true, priority: 'normal' } });
    expect(human.examples).toBeGreaterThanOrEqual(5);
    expect(human.description.length).toBeGreaterThan(0);
    const one = await server.api('GET', '/api/scripts/intents/haggle.bargain');
    expect(one.body.definition.examples.length).toBeGreaterThan(10);
  });

  it('shows every variant of a template and the dictionary', async () => {
    const t = await server.api('GET', '/api/scripts/templates/greeting.thanks');
    expect(t.body.moves.welcome.variants.length).toBeGreaterThanOrEqual(1);
    const d = await server.api('GET', '/api/scripts/dictionary');
    expect(d.body.words.length).toBeGreaterThan(5);
  });
});

describe('validation: a draft is accepted only when the whole set is valid', () => {
  async function save(path: string, text: string) {
    return server.api('PUT', `/api/scripts/files/${path}`, { text });
  }
  const intentText = (p: string) => readFileSync(join(server.dir, p), 'utf8');

  it('intent schema: an unknown category names the line', async () => {
    const path = 'intents/payment.invoice.yaml';
    const text = intentText(path).replace(/^category: .*$/m, 'category: invoices');
    const line = text.split('\n').findIndex((l) => l.startsWith('category:')) + 1;
    const r = await save(path, text);
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({
        file: path,
        line,
        code: 'INTENT_FIELD_CHOICE',
        reason: expect.stringContaining('category'),
        localized: expect.stringContaining('分类（category）不能是“invoices”，只能是：haggle、'),
      }),
    );
    expect(r.body.error).toMatchObject({
      code: 'INVALID_SCRIPT',
      scriptCode: 'FILE_HAS_ERRORS',
      localized: expect.stringMatching(/^intents\/payment\.invoice\.yaml 有 \d+ 处错误，没有保存$/),
    });
  });

  it('Handlebars compile error: file, line and column of the broken braces', async () => {
    const r = await save(THANKS, thanksWith('不客气亲～{{shop.name 欢迎再来'));
    expect(r.status).toBe(422);
    // "    - 不客气亲～{{shop.name 欢迎再来": the lexer stops at 欢 (column 24).
    expect(r.body.errors).toContainEqual({
      file: THANKS,
      line: 5,
      column: 24,
      code: 'TEMPLATE_SYNTAX_UNEXPECTED',
      params: {},
      reason: 'template syntax: unexpected text inside {{ … }}',
      localized: '模板写法有误：{{ }} 里有多余或不认识的内容，请检查变量名和括号',
    });
  });

  it('unknown template variable for this intent', async () => {
    const r = await save(THANKS, thanksWith('不客气{{buyer.name}}，您的快递{{trackingNumber}}'));
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({
        file: THANKS,
        line: 5,
        code: 'TEMPLATE_UNKNOWN_VARIABLE',
        reason: expect.stringContaining('unknown variable "trackingNumber"'),
        localized: expect.stringContaining('没有“trackingNumber”这个变量'),
      }),
    );
  });

  it('an example phrase that already belongs to another intent', async () => {
    const path = 'intents/payment.invoice.yaml';
    const taken = /examples:\s*\n\s*- (.+)\n/.exec(intentText('intents/haggle.bargain.yaml'))?.[1]?.replace(/^['"]|['"]$/g, '');
    expect(taken).toBeTruthy();
    const original = intentText(path).replace(/\n*$/, '\n');
    // Append in the file's own list style (indent of its last "- " line).
    const indent =
      /^( *)- /m.exec(
        original
          .split('\n')
          .reverse()
          .find((l) => /^ *- /.test(l)) ?? '',
      )?.[1] ?? '';
    const text = original + `${indent}- ${taken}\n`;
    const r = await save(path, text);
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({
        file: path,
        line: text.split('\n').length - 1,
        code: 'EXAMPLE_TAKEN',
        reason: expect.stringContaining('already belongs to intent haggle.bargain'),
        localized: expect.stringMatching(/^例句“.+”已经属于意图“haggle\.bargain”（intents\/haggle\.bargain\.yaml 第 \d+ 行）/),
      }),
    );
  });

  it('too few examples', async () => {
    const path = 'intents/payment.invoice.yaml';
    const text = 'id: payment.invoice\ncategory: payment\ndescription: 发票\nexamples:\n  - 能开发票吗\n  - 要发票\n';
    const r = await save(path, text);
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({
        file: path,
        line: 5,
        code: 'TOO_FEW_EXAMPLES',
        reason: expect.stringContaining('too few examples'),
        localized: '例句太少：现在只有 2 条不同的例句，至少需要 5 条，机器人才能认出这个意图',
      }),
    );
  });

  it('a malformed dictionary line', async () => {
    const path = 'intents/dictionary.txt';
    const text = intentText(path).replace(/\n*$/, '\n') + '运费险 很多 n\n';
    const r = await save(path, text);
    expect(r.status).toBe(422);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({
        file: path,
        line: text.split('\n').length - 1,
        column: 5,
        code: 'DICTIONARY_FREQUENCY',
        localized: '词频要写成整数（如 100），这里是“很多”',
      }),
    );
  });

  it('validate-as-you-type reports the same errors without saving', async () => {
    const r = await server.api('POST', '/api/scripts/validate', { path: THANKS, text: thanksWith('亲{{#if shop.name}}x') });
    expect(r.status).toBe(200);
    expect(r.body.errors[0]).toMatchObject({
      file: THANKS,
      line: 5,
      code: 'TEMPLATE_SYNTAX_UNCLOSED',
      localized: expect.stringContaining('{{/if}}'),
    });
    expect((await server.api('GET', `/api/scripts/files/${THANKS}`)).body.draft).toBe(false);
  });

  it('a reply that starts with {{ unquoted is told to add quotes, not a YAML riddle', async () => {
    const r = await server.api('POST', '/api/scripts/validate', { path: THANKS, text: thanksWith('{{#if shop.name}}x{{/if}}') });
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        file: THANKS,
        line: 5,
        column: 7,
        code: 'TEMPLATE_NEEDS_QUOTES',
        localized: expect.stringContaining('加上英文双引号'),
      }),
    ]);
  });

  it('a path outside the scripts is refused in Chinese too', async () => {
    const r = await save('templates/sub/x.yaml', 'x');
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ scriptCode: 'PATH_NOT_EDITABLE', localized: expect.stringContaining('文件路径只能是') });
  });
});

describe('two managers saving the same file', () => {
  const put = (text: string, revision?: string) =>
    server.api('PUT', `/api/scripts/files/${THANKS}`, { text, ...(revision !== undefined ? { revision } : {}) });

  it('the later save from an out-of-date revision gets 409 with the other version; nothing is lost', async () => {
    const opened = (await server.api('GET', `/api/scripts/files/${THANKS}`)).body;
    expect(opened.revision).toMatch(/^[0-9a-f]{16}$/);
    // The shop owner and an assistant both opened the file; the assistant saves first.
    const first = await put(thanksWith('助理先存的：不客气亲～'), opened.revision);
    expect(first).toMatchObject({ status: 200, body: { saved: true } });
    expect(first.body.revision).not.toBe(opened.revision);

    const second = await put(thanksWith('店长后存的：谢谢亲～'), opened.revision);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'CONFLICT', scriptCode: 'STALE_REVISION' });
    expect(second.body.error.localized).toContain('在你打开之后已被 boss 修改并保存');
    expect(second.body.error.localized).toContain('你的修改还没有保存，也没有丢失');
    expect(second.body.conflict).toMatchObject({
      path: THANKS,
      revision: first.body.revision,
      text: thanksWith('助理先存的：不客气亲～'),
      author: 'boss',
    });
    const lines = second.body.conflict.diff.hunks.flatMap((h: { lines: { op: string; text: string }[] }) => h.lines);
    expect(lines.filter((l: { op: string }) => l.op !== ' ').map((l: { op: string; text: string }) => l.op + l.text)).toEqual([
      '-    - 助理先存的：不客气亲～',
      '+    - 店长后存的：谢谢亲～',
    ]);
    // The first save stands.
    expect((await server.api('GET', `/api/scripts/files/${THANKS}`)).body.text).toContain('助理先存的');

    // Overwriting on purpose: save again with the revision the conflict gave.
    const third = await put(thanksWith('店长后存的：谢谢亲～'), second.body.conflict.revision);
    expect(third.status).toBe(200);
    expect((await server.api('GET', `/api/scripts/files/${THANKS}`)).body).toMatchObject({
      text: expect.stringContaining('店长后存的'),
      revision: third.body.revision,
    });
  });

  it('a client that sends no revision overwrites, as before', async () => {
    expect((await put(thanksWith('甲：不客气亲～'))).status).toBe(200);
    expect((await put(thanksWith('乙：不客气亲～'))).status).toBe(200);
    expect((await server.api('GET', `/api/scripts/files/${THANKS}`)).body.text).toContain('乙');
  });

  it('discarding a draft someone changed since is refused the same way', async () => {
    const saved = await put(thanksWith('第一版：不客气亲～'));
    await put(thanksWith('第二版：不客气亲～'), saved.body.revision);
    const r = await server.api('DELETE', `/api/scripts/draft/${THANKS}?revision=${saved.body.revision}`);
    expect(r.status).toBe(409);
    expect(r.body.error.scriptCode).toBe('STALE_REVISION');
    expect((await server.api('GET', `/api/scripts/files/${THANKS}`)).body.text).toContain('第二版');
  });
});

describe('try it', () => {
  it('classifies a phrase with the draft and shows the reply a buyer would get', async () => {
    await server.api('PUT', `/api/scripts/files/${THANKS}`, { text: thanksWith('草稿：不客气亲～') });
    const r = await server.api('POST', '/api/scripts/try', { text: '好的谢谢' });
    expect(r.status).toBe(200);
    expect(r.body.intent).toBe('greeting.thanks');
    expect(r.body.replies[0].text).toBe('草稿：不客气亲～');
  });

  it('renders a template with a sample context', async () => {
    const r = await server.api('POST', '/api/scripts/render', { intent: 'greeting.thanks', context: { shop: { name: '测试小店' } } });
    expect(r.body.variants.map((v: { text: string }) => v.text)).toContain('应该的亲～感谢您对测试小店的支持，欢迎常来哦～');
  });

  it('previews unsaved text with shop-like sample data, without saving it', async () => {
    const text = readFileSync(join(server.dir, 'templates/haggle.bargain.yaml'), 'utf8');
    // The first variant of the deal move, as a manager would retype it.
    const edited = text.replace(/(\n  deal:\n\s+- ).*\n/, '$1好嘞{{buyer.name}}，{{money deal}}成交，送您{{gift}}～\n');
    expect(edited).not.toBe(text);
    const r = await server.api('POST', '/api/scripts/render', { path: 'templates/haggle.bargain.yaml', text: edited, move: 'deal' });
    expect(r.status).toBe(200);
    expect(r.body.errors).toEqual([]);
    expect(r.body.variants[0].text).toMatch(/^好嘞王小明，¥\d+\.00成交，送您同色系袜子一双～$/);
    expect((await server.api('GET', '/api/scripts/files/templates/haggle.bargain.yaml')).body.draft).toBe(false);
  });

  it('previews broken unsaved text as its errors, in Chinese, at their line', async () => {
    const r = await server.api('POST', '/api/scripts/render', { path: THANKS, text: thanksWith('不客气{{#if buyer.returning}}，欢迎回来') });
    expect(r.status).toBe(200);
    expect(r.body.variants).toEqual([]);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ file: THANKS, line: 5, code: 'TEMPLATE_SYNTAX_UNCLOSED', localized: expect.stringContaining('没有配对') }),
    ]);
  });
});

describe('publish, refuse, roll back — seen by a buyer on an open socket', () => {
  let server: ManageServer;
  let oldReplies: string[];
  beforeEach(async () => {
    server = await startManageServer();
    // The serving variants as a buyer sees them (they are used in turn, so any may come).
    const r = await server.api('POST', '/api/scripts/render', { intent: 'greeting.thanks' });
    oldReplies = r.body.variants.map((v: { text: string }) => v.text);
    expect(oldReplies.length).toBeGreaterThan(0);
  });
  afterEach(async () => {
    await server.stop();
  });

  it('publish changes the next reply without a restart or a reconnect; rollback restores it', async () => {
    const buyer = await openBuyer(server);
    expect(oldReplies).toContain(await buyer.ask('好的谢谢'));

    expect((await server.api('PUT', `/api/scripts/files/${THANKS}`, { text: thanksWith('新版：不客气亲，下次见～') })).status).toBe(200);
    expect(oldReplies).toContain(await buyer.ask('好的谢谢')); // a draft does not serve
    const pub = await server.api('POST', '/api/scripts/publish', { message: '感谢语更新' });
    expect(pub).toMatchObject({ status: 200, body: { version: 2, changed: [THANKS] } });
    expect(await buyer.ask('好的谢谢')).toBe('新版：不客气亲，下次见～');
    expect(readFileSync(join(server.dir, THANKS), 'utf8')).toContain('新版'); // embedded: written to disk

    const versions = (await server.api('GET', '/api/scripts/versions')).body.versions;
    expect(versions[0]).toMatchObject({ version: 2, author: 'boss', message: '感谢语更新', active: true, changed: [THANKS] });
    const diff = (await server.api('GET', '/api/scripts/diff?to=2')).body;
    expect(diff.from).toBe(1);
    const added = diff.files[0].hunks.flatMap((h: { lines: { op: string; text: string }[] }) => h.lines).filter((l: { op: string }) => l.op === '+');
    expect(added.map((l: { text: string }) => l.text)).toEqual(['    - 新版：不客气亲，下次见～']);

    const rb = await server.api('POST', '/api/scripts/rollback', { version: 1 });
    expect(rb).toMatchObject({ status: 200, body: { version: 3 } });
    expect(oldReplies).toContain(await buyer.ask('好的谢谢'));
    expect(readFileSync(join(server.dir, THANKS), 'utf8')).not.toContain('新版');
    expect(buyer.client.closed).toBeNull(); // the socket lived through all of it

    const audit = (await server.api('GET', '/api/scripts/audit')).body.entries.map((a: { who: string; action: string }) => `${a.who}:${a.action}`);
    expect(audit).toEqual(expect.arrayContaining(['boss:draft.save', 'boss:publish', 'boss:rollback']));
    await buyer.client.close();
  });

  it('a broken template is refused and the old one keeps serving', async () => {
    const buyer = await openBuyer(server);
    expect(oldReplies).toContain(await buyer.ask('好的谢谢'));
    const bad = await server.api('PUT', `/api/scripts/files/${THANKS}`, { text: thanksWith('不客气{{#if shop.name}}亲') });
    expect(bad.status).toBe(422);
    const pub = await server.api('POST', '/api/scripts/publish', {});
    expect(pub.status).toBe(409); // nothing valid to publish
    expect(pub.body.error).toMatchObject({ scriptCode: 'NOTHING_TO_PUBLISH', localized: '没有可发布的改动：草稿和线上版本一样' });
    expect(oldReplies).toContain(await buyer.ask('好的谢谢'));
    expect(readFileSync(join(server.dir, THANKS), 'utf8')).not.toContain('{{#if shop.name}}亲');
    await buyer.client.close();
  });

  it('publishing is refused when a conversation story breaks, and the story is listed', async () => {
    writeFileSync(
      join(server.storiesDir, 'thanks.yaml'),
      '- name: 买家道谢\n  buyer: B001\n  turns:\n    - say: 好的谢谢\n      intent: greeting.thanks\n      reply: [亲]\n',
    );
    const buyer = await openBuyer(server);
    expect((await server.api('PUT', `/api/scripts/files/${THANKS}`, { text: thanksWith('不客气，下次见') })).status).toBe(200);
    const pub = await server.api('POST', '/api/scripts/publish', {});
    expect(pub.status).toBe(409);
    expect(pub.body.error).toMatchObject({ scriptCode: 'STORIES_BROKEN', localized: '发布被拒绝：有 1 个对话剧本在这份草稿下没有通过' });
    expect(pub.body.stories).toEqual([
      expect.objectContaining({
        story: 'thanks.yaml: 买家道谢',
        step: 1,
        code: 'STORY_REPLY_MISSING',
        reason: expect.stringContaining('reply does not contain "亲"'),
        localized: '买家说「好的谢谢」：回复里没有“亲”。机器人的回复：不客气，下次见',
      }),
    ]);
    expect(oldReplies).toContain(await buyer.ask('好的谢谢'));
    expect((await server.api('GET', '/api/scripts/versions')).body.versions).toHaveLength(1);
    await buyer.client.close();
  });

  it("the project's own stories guard publishing: a deal reply without the price is refused", async () => {
    const path = 'templates/haggle.bargain.yaml';
    const doc = parseDocument(readFileSync(join(server.dir, path), 'utf8'));
    doc.setIn(['moves', 'deal'], ['好的亲，成交啦～']);
    expect((await server.api('PUT', `/api/scripts/files/${path}`, { text: doc.toString() })).status).toBe(200);
    const pub = await server.api('POST', '/api/scripts/publish', {});
    expect(pub.status).toBe(409);
    expect(pub.body.stories).toContainEqual(
      expect.objectContaining({ story: expect.stringMatching(/^haggle\.yaml: /), reason: expect.stringContaining('reply does not contain') }),
    );
    expect(readFileSync(join(server.dir, path), 'utf8')).not.toContain('成交啦');
  });
});
