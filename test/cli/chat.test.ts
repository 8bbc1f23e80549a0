/** `npm run chat -- --json`: piped stdin in, one JSON event per line out, exit at end of input. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('prints message and handoff events for piped input and exits', () => {
  const root = join(__dirname, '..', '..');
  const out = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/chat.ts', '--json', '--product', 'P200', '--no-greet'], {
    cwd: root,
    input: '能便宜点吗\n150\n我要给差评\n',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(out.status).toBe(0);
  const events = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(events[0]).toMatchObject({ type: 'message', from: 'bot', intent: 'haggle.bargain', category: 'haggle' });
  expect(events.find((e) => e['offer'] !== undefined)).toMatchObject({ offer: 199 });
  const handoff = events.find((e) => e['type'] === 'handoff');
  expect(handoff).toMatchObject({ reason: 'bad_review', priority: 'high' });
  expect((handoff!['suggestions'] as unknown[]).length).toBe(3);
});

test('an unknown product is refused with a clear message', () => {
  const root = join(__dirname, '..', '..');
  const out = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/chat.ts', '--product', 'NOPE'], {
    cwd: root,
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(out.status).toBe(2);
  expect(out.stderr).toContain('unknown product NOPE');
});

test('an unknown buyer is refused with the known ones listed, not silently accepted', () => {
  const root = join(__dirname, '..', '..');
  const out = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/chat.ts', '--buyer', 'B999'], {
    cwd: root,
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(out.status).toBe(2);
  expect(out.stderr).toContain('unknown buyer B999');
  expect(out.stderr).toContain('B002');
});
