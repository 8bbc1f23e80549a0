import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDemoShop } from '../../src/shop';
import { buildScriptBundle, type ScriptBundle } from '../../src/scripts/bundle';
import { parseStoryFile, storyRunner } from '../../src/scripts/stories';
import { fixtureFiles } from './fixtures';

const shop = loadDemoShop(join(__dirname, '../../demo/shop'));

function bundleWith(patch: Record<string, string> = {}): ScriptBundle {
  const r = buildScriptBundle({ ...fixtureFiles(), ...patch });
  if (!r.bundle) throw new Error(JSON.stringify(r.errors));
  return r.bundle;
}

const STORY = `- name: 打招呼
  buyer: B001
  turns:
    - say: 你好
      intent: greeting.wave
      reply: [您好]
      handoff: false
    - say: 什么时候发货
      nlu: delivery.when
      reply: [当天发货]
      state: { status: bot }
`;

describe('conversation stories', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stories-'));
    writeFileSync(join(dir, 'greeting.yaml'), STORY);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes when every step does what the story says', async () => {
    expect(await storyRunner(dir, () => shop)(bundleWith())).toEqual([]);
  });

  it('checks state paths and handoffs as the conversation suite does', async () => {
    writeFileSync(join(dir, 'greeting.yaml'), '- name: s\n  buyer: B001\n  turns:\n    - say: 你好\n      state: { status: queued }\n');
    const [f] = await storyRunner(dir, () => shop)(bundleWith());
    expect(f?.reason).toContain('status is "bot", expected "queued"');
    expect(f?.localized).toContain('对话状态 status 是 "bot"，剧本要求 "queued"');
  });

  it('names the story, the step and what broke when a reply changes', async () => {
    const broken = bundleWith({
      'templates/delivery.when.yaml': 'intent: delivery.when\nmoves:\n  reply:\n    - 亲，我们尽快发出哦\n',
    });
    const failures = await storyRunner(dir, () => shop)(broken);
    expect(failures).toEqual([
      {
        story: 'greeting.yaml: 打招呼',
        title: '打招呼',
        file: 'greeting.yaml',
        step: 2,
        say: '什么时候发货',
        expected: '识别为「delivery.when」；回复里要有「当天发货」；对话记录 status 为 "bot"',
        got: '按「delivery.when」回答「亲，我们尽快发出哦」；没有转人工',
        reason: expect.stringContaining('reply does not contain "当天发货"'),
        code: 'STORY_REPLY_MISSING',
        localized: '买家说「什么时候发货」：回复里没有“当天发货”。机器人的回复：亲，我们尽快发出哦',
        problems: [expect.objectContaining({ code: 'STORY_REPLY_MISSING', params: { text: '当天发货' } })],
      },
    ]);
  });

  it('reports a story file that does not match the format', async () => {
    writeFileSync(join(dir, 'bad.yaml'), '- name: x\n  buyer: B001\n  turns: nope\n');
    const failures = await storyRunner(dir, () => shop)(bundleWith());
    expect(failures[0]?.reason).toContain('bad.yaml');
    expect(failures[0]).toMatchObject({ code: 'STORY_FILE_UNREADABLE', localized: expect.stringMatching(/^对话剧本读取失败：.*bad\.yaml/) });
  });

  it('reads several stories from one file', () => {
    const stories = parseStoryFile(
      'f.yaml',
      `- name: a\n  buyer: B001\n  turns: [{ say: 你好 }]\n- name: b\n  buyer: B001\n  turns: [{ say: 在吗 }]\n`,
    );
    expect(stories.map((s) => s.name)).toEqual(['a', 'b']);
  });
});
