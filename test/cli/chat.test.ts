/** `npm run chat -- --json`: piped stdin in, one JSON event per line out, exit at end of input. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Runs `npm run chat -- ...args` with `input` piped to stdin. */
function chat(args: string[], input: string) {
  return spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/chat.ts', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('prints message and handoff events for piped input and exits', () => {
  const out = chat(['--json', '--product', 'P200', '--no-greet'], '能便宜点吗\n150\n我要给差评\n');
  expect(out.status).toBe(0);
  const events = out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(events[0]).toMatchObject({ type: 'message', from: 'bot', intent: 'haggle.bargain', category: 'haggle' });
  expect(events.find((e) => e['offer'] !== undefined)).toMatchObject({ offer: 199 });
  const handoff = events.find((e) => e['type'] === 'handoff');
  expect(handoff).toMatchObject({ reason: 'bad_review', priority: 'high' });
  expect((handoff!['suggestions'] as unknown[]).length).toBe(3);
});

test('an unknown product is refused with a clear message', () => {
  const out = chat(['--product', 'NOPE'], '');
  expect(out.status).toBe(2);
  expect(out.stderr).toContain('unknown product NOPE');
});

test('an unknown buyer is refused with the known ones listed, not silently accepted', () => {
  const out = chat(['--buyer', 'B999'], '');
  expect(out.status).toBe(2);
  expect(out.stderr).toContain('unknown buyer B999');
  expect(out.stderr).toContain('B002');
});

test('a confirmed deal is printed as an act event after the bot message, with the message fields unchanged', () => {
  const out = chat(['--json', '--no-greet'], '这件大衣能便宜点吗\n三百块卖不卖\n340\n那就按你说的吧\n再少二十呗\n');
  expect(out.status).toBe(0);
  const events = out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const acts = events.filter((e) => e['type'] === 'act');
  expect(acts).toHaveLength(1);
  const at = events.indexOf(acts[0]!);
  const said = events[at - 1]!;
  expect(Object.keys(said).slice(0, 5)).toEqual(['type', 'from', 'text', 'intent', 'category']);
  expect(acts[0]).toMatchObject({ type: 'act', kind: 'deal', productId: 'P100', price: said['offer'], quantity: 1 });
  expect(typeof acts[0]!['id']).toBe('string');
  expect(typeof acts[0]!['at']).toBe('number');
  // The next push gets the same price, not a lower one.
  expect(events[events.length - 1]).toMatchObject({ type: 'message', offer: said['offer'] });
});
