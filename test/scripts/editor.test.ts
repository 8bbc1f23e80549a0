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
import { writeScriptFiles } from '../../src/scripts/publish';
import { createScriptRegistry, type ScriptRegistry } from '../../src/scripts/registry';
import { SCRIPTS_CHANNEL, startScriptSync } from '../../src/scripts/sync';
import { fixtureFiles } from './fixtures';

const shop = loadDemoShop(join(__dirname, '../../demo/shop'));

function setup(options: { scriptsDir?: string; store?: Store; stories?: () => Promise<{ story: string; reason: string }[]> } = {}) {
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
    const r = editor.render('delivery.when');
    expect(r.variants).toEqual([expect.objectContaining({ move: 'reply', text: expect.stringMatching(/^亲，\d\d:\d\d前付款当天发货哦$/) })]);
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
    ({ editor, registry, store } = setup({ stories: () => Promise.resolve([{ story: 'greeting.yaml: 问候', reason: 'reply does not contain 在的' }]) }));
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
