/**
 * Runs the scripted dialogues in test/conversations/*.yaml (format documented in
 * src/scripts/stories.ts) through the real NLU, the demo shop at each story's clock and the
 * shipped templates: the same runner the script editor uses before it publishes.
 */
import { join } from 'node:path';
import { buildScriptBundle, loadScriptFiles, type ScriptBundle } from '../../src/scripts/bundle';
import { loadStories, runStory } from '../../src/scripts/stories';
import { loadDemoShop } from '../../src/shop/demo';

const ROOT = join(__dirname, '..', '..');
const stories = loadStories(__dirname);
const shopAt = (now: Date) => loadDemoShop(join(ROOT, 'demo', 'shop'), { now });

let bundle: ScriptBundle;
beforeAll(() => {
  const built = buildScriptBundle(loadScriptFiles(ROOT));
  expect(built.errors).toEqual([]);
  bundle = built.bundle as ScriptBundle;
});

test('there is a scripted conversation for every flow', () => {
  const flows = new Set(stories.flatMap((s) => s.turns.map((t) => t.intent?.split('.')[0])));
  for (const f of ['haggle', 'address', 'delivery', 'return', 'bad_review', 'product', 'payment', 'human', 'greeting', 'other']) {
    expect(flows).toContain(f);
  }
});

test.each(stories.map((s) => [`${s.file}: ${s.name}`, s] as const))('%s', (_name, story) => {
  expect(runStory(story, bundle, shopAt)).toEqual([]);
});
