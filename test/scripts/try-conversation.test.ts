import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/dialogue/engine';
import { loadDemoShop } from '../../src/shop';
import { createMemoryStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { buildScriptBundle, type ScriptBundle } from '../../src/scripts/bundle';
import { createScriptEditor, type ScriptEditor } from '../../src/scripts/editor';
import { createScriptRegistry } from '../../src/scripts/registry';
import { storyRunner } from '../../src/scripts/stories';
import { parseStoryFile, storyFileErrors } from '../../src/scripts/story-format';
import { fixtureFiles } from './fixtures';

const shop = loadDemoShop(join(__dirname, '../../demo/shop'));
const WHEN = 'intents/delivery.when.yaml';

describe('try-it conversations kept as stories', () => {
  let editor: ScriptEditor;
  let store: Store;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'try-stories-'));
    const files = fixtureFiles();
    files[WHEN] = files[WHEN]!.replace('id: delivery.when\n', 'id: delivery.when\nname: 催发货\n');
    const built = buildScriptBundle(files);
    if (!built.bundle) throw new Error(JSON.stringify(built.errors));
    store = createMemoryStore({});
    editor = createScriptEditor({
      registry: createScriptRegistry<ScriptBundle>(built.bundle, null),
      store,
      createEngine: (getScripts) => createEngine({ shop, getScripts }),
      createEngineAt: (getScripts, now) => createEngine({ shop, getScripts, clock: () => now, random: () => 0 }),
      runStories: storyRunner(dir, () => shop),
      instanceId: 'test',
      shopId: 'demo',
      shop,
      clock: () => new Date('2026-12-05T09:30:41Z'),
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plays several turns as a demo buyer at a clock fixed for the session, with Chinese intent names', async () => {
    const r = await editor.tryConversation({ buyer: 'B001', turns: ['你好', '什么时候发货'] });
    expect(r.session).toEqual({ buyer: 'B001', turns: ['你好', '什么时候发货'], now: '2026-12-05T09:30:00.000Z' });
    expect(r.turns.map((t) => [t.say, t.intent, t.intentName])).toEqual([
      ['你好', 'greeting.wave', 'greeting.wave'],
      ['什么时候发货', 'delivery.when', '催发货'],
    ]);
    expect(r.turns[0]?.replies[0]?.text).toContain('亲，您好');
    // Replaying gives the same answers (a session is replayed from the start every turn).
    const again = await editor.tryConversation({ ...r.session, turns: [...r.session.turns, '在吗'] });
    expect(again.turns.slice(0, 2)).toEqual(r.turns);
    expect(editor.tryCast().buyers.find((b) => b.id === 'B001')?.orders.length).toBeGreaterThan(0);
  });

  it('keeps a session as a story in the draft that gates publishing, and names it in Chinese when it breaks', async () => {
    const { session } = await editor.tryConversation({ buyer: 'B001', turns: ['你好', '什么时候发货'] });
    const { path, story } = await editor.addStory(session, '问发货', 'boss');
    expect(path).toMatch(/^stories\/try-20261205-[0-9a-f]{8}\.yaml$/);
    expect(story).toMatchObject({ title: '问发货', editable: true, draft: 'added' });
    expect(story.turns[1]).toEqual({ say: '什么时候发货', expected: '按「催发货」回答；不转人工' });
    const text = editor.readFile(path).text;
    expect(storyFileErrors(path, text)).toEqual([]);
    expect(parseStoryFile(path, text)[0]).toMatchObject({ title: '问发货', buyer: 'B001', now: '2026-12-05T09:30:00.000Z' });
    expect(editor.stories().map((s) => s.title)).toContain('问发货');

    // It passes now: the draft publishes with it.
    expect(await editor.publish('boss')).toMatchObject({ ok: true });

    // Handing every delivery question to a person breaks it: the publish is refused.
    const when = editor.readFile(WHEN).text;
    await editor.saveDraft(WHEN, when.replace('category: delivery\n', 'category: delivery\nhandoff: { always: true, priority: high }\n'), 'boss');
    const refused = await editor.publish('boss');
    expect(refused.ok).toBe(false);
    if (refused.ok || refused.reason !== 'stories') throw new Error('expected broken stories');
    expect(refused.stories).toHaveLength(1);
    expect(refused.stories[0]).toMatchObject({
      title: '问发货',
      file: path,
      step: 2,
      say: '什么时候发货',
      expected: '按「催发货」回答；不转人工',
      got: expect.stringContaining('转人工（原因：'),
    });
  }, 60_000);

  it('refuses a story file that does not read as a story', async () => {
    await expect(editor.saveDraft('stories/bad.yaml', '- name: x\n  buyer: B001\n  turns: nope\n', 'boss')).rejects.toMatchObject({
      code: 'INVALID_SCRIPT',
      details: { errors: [expect.objectContaining({ code: 'STORY_FILE_INVALID', file: 'stories/bad.yaml', line: 3 })] },
    });
  });
});
