import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/dialogue/engine';
import { AppError } from '../../src/errors';
import { loadDemoShop } from '../../src/shop';
import { createMemoryStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { buildScriptBundle, type ScriptBundle } from '../../src/scripts/bundle';
import { createScriptEditor, type ScriptEditor } from '../../src/scripts/editor';
import { writeScriptFiles, type StoryFailure } from '../../src/scripts/publish';
import { createScriptRegistry, type ScriptRegistry } from '../../src/scripts/registry';
import { SCRIPTS_CHANNEL, startScriptSync } from '../../src/scripts/sync';
import { fixtureFiles } from './fixtures';

const shop = loadDemoShop(join(__dirname, '../../demo/shop'));

function setup(options: { scriptsDir?: string; store?: Store; stories?: () => Promise<StoryFailure[]> } = {}) {
  const built = buildScriptBundle(fixtureFiles());
  if (!built.bundle) throw new Error(JSON.stringify(built.errors));
  const registry = createScriptRegistry<ScriptBundle>(built.bundle, null);
  const store = options.store ?? createMemoryStore({});
  const editor = createScriptEditor({
    registry,
    store,
    createEngine: (getScripts) => createEngine({ shop, getScripts }),
    instanceId: 'test',
    shopId: 'demo',
    shop,
    ...(options.scriptsDir ? { scriptsDir: options.scriptsDir } : {}),
    ...(options.stories ? { runStories: options.stories } : {}),
  });
  return { registry, store, editor };
}

const GREETING_TEMPLATE = 'templates/greeting.wave.yaml';
const newGreeting = (reply: string) => `intent: greeting.wave\nmoves:\n  reply:\n    - ${reply}\n`;

async function expectInvalid(p: Promise<unknown>): Promise<{ file: string; line: number; reason: string }[]> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('INVALID_SCRIPT');
    return ((e as AppError).details as { errors: { file: string; line: number; reason: string }[] }).errors;
  }
  throw new Error('expected INVALID_SCRIPT');
}

describe('script editor service', () => {
  let editor: ScriptEditor;
  let registry: ScriptRegistry<ScriptBundle>;
  let store: Store;
  beforeEach(() => {
    ({ editor, registry, store } = setup());
  });
  afterEach(() => store.close());

  it('lists intents with their category, description, example count and handoff rules', () => {
    const o = editor.overview();
    expect(o.intents.map((i) => [i.id, i.category, i.examples])).toEqual([
      ['delivery.when', 'delivery', 6],
      ['greeting.wave', 'greeting', 6],
    ]);
    expect(o.templates.map((t) => t.id)).toEqual(expect.arrayContaining(['greeting.wave', 'system']));
    expect(o.dictionary.words).toBe(2);
  });

  it('keeps a saved draft out of service until it is published', async () => {
    await editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，草稿里的新问候'), 'boss');
    expect(editor.readFile(GREETING_TEMPLATE)).toMatchObject({ draft: true, text: expect.stringContaining('草稿里的新问候') });
    expect(registry.getScripts().files[GREETING_TEMPLATE]).not.toContain('草稿里的新问候');
    expect(editor.overview().draft).toEqual([expect.objectContaining({ path: GREETING_TEMPLATE, kind: 'changed', author: 'boss' })]);
  });

  it('refuses a draft with an unknown template variable and keeps the previous text', async () => {
    const errors = await expectInvalid(editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，{{buyer.nickname}}您好'), 'boss'));
    expect(errors).toContainEqual(expect.objectContaining({ file: GREETING_TEMPLATE, line: 4, reason: expect.stringContaining('buyer.nickname') }));
    expect(editor.readFile(GREETING_TEMPLATE).draft).toBe(false);
  });

  it('refuses a path outside intents/ and templates/', async () => {
    await expectInvalid(editor.saveDraft('../package.json', '{}', 'boss'));
    await expectInvalid(editor.saveDraft('templates/sub/x.yaml', 'x', 'boss'));
  });

  it('try-it classifies with the draft model and shows the reply a buyer would get from the draft', async () => {
    await editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，这是草稿回复'), 'boss');
    const r = await editor.tryPhrase('你好');
    expect(r.intent).toBe('greeting.wave');
    expect(r.replies.map((x) => x.text)).toEqual(['亲，这是草稿回复']);
  });

  it('try-it learns a new example from the draft intent file', async () => {
    const before = await editor.tryPhrase('发个顺丰呗');
    const path = 'intents/delivery.when.yaml';
    const text = editor.readFile(path).text + '  - 发个顺丰呗\n  - 顺丰发货吧\n';
    await editor.saveDraft(path, text, 'boss');
    const after = await editor.tryPhrase('发个顺丰呗');
    expect(after.intent).toBe('delivery.when');
    expect(after.confidence).toBeGreaterThanOrEqual(before.intent === 'delivery.when' ? before.confidence : 0);
  });

  it('renders every variant of a template with a sample context', () => {
    const r = editor.render({ intent: 'delivery.when' });
    expect(r.variants).toEqual([expect.objectContaining({ move: 'reply', text: expect.stringMatching(/^亲，\d\d:\d\d前付款当天发货哦$/) })]);
    expect(r.errors).toEqual([]);
  });

  it('previews unsaved text: the preview follows what is typed, nothing is saved', () => {
    const r = editor.render({ path: GREETING_TEMPLATE, text: newGreeting('亲，{{shop.name}}正在输入的新问候') });
    expect(r).toMatchObject({ intent: 'greeting.wave', path: GREETING_TEMPLATE, errors: [] });
    expect(r.variants.map((v) => v.text)).toEqual(['亲，暖阳小铺正在输入的新问候']);
    expect(editor.readFile(GREETING_TEMPLATE).draft).toBe(false);
  });

  it('previews broken unsaved text as errors at their line, in Chinese, with no variants', () => {
    const r = editor.render({ path: GREETING_TEMPLATE, text: newGreeting('亲，{{#if buyer.returning}}欢迎回来') });
    expect(r.variants).toEqual([]);
    expect(r.errors).toEqual([
      expect.objectContaining({ file: GREETING_TEMPLATE, line: 4, code: 'TEMPLATE_SYNTAX_UNCLOSED', localized: expect.stringContaining('{{/if}}') }),
    ]);
  });

  it('publishes: new version serves, history records author and diff, audit records who', async () => {
    await editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，发布后的问候'), 'boss');
    const out = await editor.publish('boss', '换个问候');
    expect(out).toMatchObject({ ok: true, version: 1, changed: [GREETING_TEMPLATE] });
    expect(registry.getScripts().files[GREETING_TEMPLATE]).toContain('发布后的问候');
    expect(registry.current().version).toBe(1);
    expect(editor.overview().draft).toEqual([]);

    const versions = await editor.versions();
    expect(versions[0]).toMatchObject({ version: 1, author: 'boss', message: '换个问候', active: true });
    const audit = await editor.audit();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['draft.save', 'publish']));
    expect(audit.find((a) => a.action === 'publish')).toMatchObject({ who: 'boss' });
  });

  it('diffs two versions line by line and rolls back to the older one', async () => {
    await editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，版本一'), 'boss');
    await editor.publish('boss');
    await editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，版本二'), 'alice');
    await editor.publish('alice');

    const d = await editor.diff(1, 2);
    const lines = d.files[0]?.hunks.flatMap((h) => h.lines.filter((l) => l.op !== ' ').map((l) => `${l.op}${l.text}`));
    expect(lines).toEqual(['-    - 亲，版本一', '+    - 亲，版本二']);

    const rb = await editor.rollback(1, 'boss');
    expect(rb).toMatchObject({ ok: true, version: 3 });
    expect(registry.getScripts().files[GREETING_TEMPLATE]).toContain('版本一');
    expect((await editor.audit()).map((a) => a.action)).toContain('rollback');
  });

  it('refuses to publish when a story breaks, listing it, and keeps serving the old bundle', async () => {
    await store.close();
    ({ editor, registry, store } = setup({
      stories: () => Promise.resolve([{ story: 'greeting.yaml: 问候', reason: 'reply does not contain 在的' }]),
    }));
    const before = registry.getScripts();
    await editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，换个说法'), 'boss');
    const out = await editor.publish('boss');
    expect(out).toEqual({ ok: false, reason: 'stories', stories: [{ story: 'greeting.yaml: 问候', reason: 'reply does not contain 在的' }] });
    expect(registry.getScripts()).toBe(before);
    expect(await store.listScriptVersions()).toEqual([]);
  });

  it('says there is nothing to publish when the draft equals what serves', async () => {
    expect(await editor.publish('boss')).toEqual({ ok: false, reason: 'unchanged' });
  });
});

describe('two managers editing one file', () => {
  let store: Store;
  let a: ScriptEditor;
  let b: ScriptEditor;
  beforeEach(() => {
    // Two instances behind a load balancer, one shared store.
    store = createMemoryStore({});
    a = setup({ store }).editor;
    b = setup({ store }).editor;
  });
  afterEach(() => store.close());

  async function expectStale(p: Promise<unknown>): Promise<{ message: string; details: Record<string, any> }> {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('CONFLICT');
      return { message: (e as AppError).message, details: (e as AppError).details as Record<string, any> };
    }
    throw new Error('expected a stale-revision conflict');
  }

  it('a save from an out-of-date revision is refused with the other version, and nothing is lost', async () => {
    const startA = a.readFile(GREETING_TEMPLATE).revision;
    await b.refresh();
    const startB = b.readFile(GREETING_TEMPLATE).revision;
    expect(startB).toBe(startA);

    const savedB = await b.saveDraft(GREETING_TEMPLATE, newGreeting('亲，B 先保存的问候'), 'lily', startB);
    expect(savedB.revision).not.toBe(startB);

    const stale = await expectStale(a.saveDraft(GREETING_TEMPLATE, newGreeting('亲，A 后保存的问候'), 'boss', startA));
    expect(stale.details.script).toMatchObject({ code: 'STALE_REVISION', localized: expect.stringContaining('已被 lily 修改并保存') });
    expect(stale.details.conflict).toMatchObject({
      path: GREETING_TEMPLATE,
      revision: savedB.revision,
      text: newGreeting('亲，B 先保存的问候'),
      author: 'lily',
    });
    const changed = stale.details.conflict.diff.hunks.flatMap((h: { lines: { op: string; text: string }[] }) => h.lines.filter((l) => l.op !== ' '));
    expect(changed.map((l: { op: string; text: string }) => l.op + l.text)).toEqual(['-    - 亲，B 先保存的问候', '+    - 亲，A 后保存的问候']);
    // B's draft stands; A still has its text and can overwrite deliberately with the new revision.
    expect((await store.getDrafts())[GREETING_TEMPLATE]).toMatchObject({ author: 'lily', text: expect.stringContaining('B 先保存') });
    await a.saveDraft(GREETING_TEMPLATE, newGreeting('亲，A 后保存的问候'), 'boss', stale.details.conflict.revision);
    await b.refresh();
    expect(b.readFile(GREETING_TEMPLATE).text).toContain('A 后保存');
  });

  it('a save without a revision overwrites, as API clients did before revisions', async () => {
    await b.saveDraft(GREETING_TEMPLATE, newGreeting('亲，B 的'), 'lily');
    await a.saveDraft(GREETING_TEMPLATE, newGreeting('亲，A 的'), 'boss');
    expect((await store.getDrafts())[GREETING_TEMPLATE]).toMatchObject({ author: 'boss' });
  });

  it('saving the same text another manager saved is not a conflict (revisions follow the text)', async () => {
    const start = a.readFile(GREETING_TEMPLATE).revision;
    await b.saveDraft(GREETING_TEMPLATE, newGreeting('亲，一样的'), 'lily', start);
    await a.refresh();
    const same = a.readFile(GREETING_TEMPLATE).revision;
    await expect(a.saveDraft(GREETING_TEMPLATE, newGreeting('亲，一样的'), 'boss', same)).resolves.toMatchObject({ revision: same });
  });

  it('discarding from an out-of-date revision is refused too', async () => {
    const first = await a.saveDraft(GREETING_TEMPLATE, newGreeting('亲，第一版草稿'), 'boss');
    await b.saveDraft(GREETING_TEMPLATE, newGreeting('亲，第二版草稿'), 'lily', first.revision);
    await expectStale(a.discardDraft(GREETING_TEMPLATE, 'boss', first.revision));
    expect((await store.getDrafts())[GREETING_TEMPLATE]).toMatchObject({ text: expect.stringContaining('第二版') });
  });

  it('a draft saved while a publish runs stays a draft after it', async () => {
    await store.close();
    store = createMemoryStore({});
    b = setup({ store }).editor;
    let savedDuringPublish: Promise<unknown> = Promise.resolve();
    a = setup({
      store,
      stories: () => {
        // The stories run inside the publish; another manager saves meanwhile.
        savedDuringPublish = b.saveDraft(
          'templates/delivery.when.yaml',
          'intent: delivery.when\nmoves:\n  reply:\n    - 亲，发布时另存的草稿\n',
          'lily',
        );
        return savedDuringPublish.then(() => []);
      },
    }).editor;
    await a.saveDraft(GREETING_TEMPLATE, newGreeting('亲，要发布的问候'), 'boss');
    expect(await a.publish('boss')).toMatchObject({ ok: true, changed: [GREETING_TEMPLATE] });
    await savedDuringPublish;
    const drafts = await store.getDrafts();
    expect(Object.keys(drafts)).toEqual(['templates/delivery.when.yaml']);
    await a.refresh();
    expect(a.overview().draft.map((c) => c.path)).toEqual(['templates/delivery.when.yaml']);
  });
});

describe('publishing in embedded mode writes the files atomically', () => {
  it('rewrites only the changed file, leaves no temp files, and removes deleted ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scripts-'));
    try {
      await writeScriptFiles(dir, {}, fixtureFiles());
      const { editor, store } = setup({ scriptsDir: dir });
      await editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，写到磁盘'), 'boss');
      await editor.publish('boss');
      expect(readFileSync(join(dir, GREETING_TEMPLATE), 'utf8')).toContain('写到磁盘');
      expect(readdirSync(join(dir, 'templates')).filter((n) => n.startsWith('.'))).toEqual([]);
      await store.close();
      const all = fixtureFiles();
      const without = { ...all };
      delete without['templates/delivery.when.yaml'];
      await writeScriptFiles(dir, all, without);
      expect(readdirSync(join(dir, 'templates')).sort()).toEqual(['greeting.wave.yaml', 'system.yaml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cross-instance sync', () => {
  it('an instance that hears of a new active version loads it from the store', async () => {
    const store = createMemoryStore({});
    const a = setup({ store });
    const b = setup({ store });
    const sync = await startScriptSync({ registry: b.registry, store, build: buildScriptBundle });
    const swapped = new Promise<void>((resolve) => b.registry.onActivate(() => resolve()));
    await a.editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，A 上发布的'), 'boss');
    await a.editor.publish('boss');
    await swapped;
    expect(b.registry.getScripts().files[GREETING_TEMPLATE]).toContain('A 上发布的');
    expect(b.registry.current().version).toBe(1);
    // A repeated or stale event changes nothing.
    await store.publish(SCRIPTS_CHANNEL, { type: 'scripts.activated', version: 1, hash: 'x', origin: 'a' });
    await sync.refresh();
    expect(b.registry.current().version).toBe(1);
    await sync.stop();
    await store.close();
  });
});

describe('the draft is shared through the store', () => {
  it('a draft saved through one editor is seen, published and cleared through another on the same store', async () => {
    const store = createMemoryStore({});
    try {
      const a = setup({ store }).editor;
      const b = setup({ store }).editor;
      await a.saveDraft(GREETING_TEMPLATE, newGreeting('亲，另一台服务器上存的草稿'), 'boss');
      await a.saveDraft('intents/dictionary.txt', '# shop words\n包邮 100 n\n顺丰\n闪电发货\n', 'boss');
      await b.refresh();
      expect(b.readFile(GREETING_TEMPLATE)).toMatchObject({ draft: true, text: expect.stringContaining('另一台服务器上存的草稿') });
      expect(b.overview().draft.map((c) => [c.path, c.kind, c.author])).toEqual([
        ['intents/dictionary.txt', 'changed', 'boss'],
        [GREETING_TEMPLATE, 'changed', 'boss'],
      ]);
      // B validates before storing, like A: a bad save leaves the shared draft as it was.
      await expectInvalid(b.saveDraft(GREETING_TEMPLATE, newGreeting('亲，{{buyer.nickname}}'), 'lily'));
      expect(await store.getDrafts()).toMatchObject({ [GREETING_TEMPLATE]: { author: 'boss' } });

      await b.discardDraft('intents/dictionary.txt', 'lily');
      const outcome = await b.publish('lily');
      expect(outcome.ok).toBe(true);
      const published = await store.getScriptVersion(outcome.ok ? outcome.version : 0);
      expect(published?.files[GREETING_TEMPLATE]).toContain('另一台服务器上存的草稿');
      expect(published?.files['intents/dictionary.txt']).not.toContain('闪电发货');
      await a.refresh();
      expect(a.overview().draft).toEqual([]);
      expect(await store.getDrafts()).toEqual({});
    } finally {
      await store.close();
    }
  });

  it('a draft survives a restart of the memory store (journal)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drafts-'));
    try {
      const first = createMemoryStore({ dataDir: dir });
      await setup({ store: first }).editor.saveDraft(GREETING_TEMPLATE, newGreeting('亲，重启后还在的草稿'), 'boss');
      await first.close();
      const second = createMemoryStore({ dataDir: dir });
      const editor = setup({ store: second }).editor;
      await editor.refresh();
      expect(editor.readFile(GREETING_TEMPLATE).text).toContain('重启后还在的草稿');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
